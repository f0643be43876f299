"""/groups: CRUD, members, members/$ref, transitiveMembers."""

from __future__ import annotations

from akslocal.directory import groups as directory_groups
from akslocal.directory import validate
from akslocal.directory.models import Group
from akslocal.graph import authz, render
from akslocal.graph.body import boolean, check_keys, string, string_list
from akslocal.graph.directory_objects import find_object, object_sample, ref_id
from akslocal.graph.errors import bad_request, not_found
from akslocal.graph.request import Ctx, route

TYPE = "microsoft.graph.group"
_SAMPLE = render.group(Group(id="", tenant_id="", display_name=""))
_IGNORED = {"isAssignableToRole", "visibility", "owners@odata.bind", "classification"}


def _group(ctx: Ctx, id: str) -> Group:
    group = directory_groups.find_group(ctx.tx, ctx.tenant_id, id)
    if group is None:
        raise not_found(id)
    return group


def list_groups(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "groups.read")
    objs = [render.group(g) for g in directory_groups.list_groups(ctx.tx, ctx.tenant_id)]
    return ctx.collection("groups", objs, type_name=TYPE, sample=_SAMPLE)


def get_group(ctx: Ctx, id: str) -> dict:
    authz.require(ctx.caller, "groups.read")
    q = ctx.query(TYPE, _SAMPLE, collection=False)
    return ctx.entity("groups/$entity", render.group(_group(ctx, id)), select=q.select)


def create_group(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "groups.write")
    body = ctx.json()
    check_keys(
        body,
        {
            "displayName",
            "description",
            "mailEnabled",
            "mailNickname",
            "securityEnabled",
            "groupTypes",
            "members@odata.bind",
        },
        _IGNORED,
    )
    for required in ("displayName", "mailEnabled", "mailNickname", "securityEnabled"):
        if required not in body:
            raise bad_request(f"Property '{required}' is required when creating the object.", "Request_BadRequest")
    members = [
        r.rstrip("/").rsplit("/", 1)[-1] for r in string_list(body.get("members@odata.bind"), "members@odata.bind")
    ]
    group = directory_groups.create_group(
        ctx.tx,
        ctx.tenant_id,
        display_name=string(body, "displayName", required=True),
        description=string(body, "description"),
        mail_nickname=string(body, "mailNickname", required=True),
        security_enabled=bool(boolean(body, "securityEnabled")),
        mail_enabled=bool(boolean(body, "mailEnabled")),
        group_types=tuple(string_list(body.get("groupTypes"), "groupTypes")),
        now=ctx.now,
        entropy=ctx.services.entropy,
    )
    for member in members:
        if not validate.is_guid(member):
            raise bad_request(f"Invalid object identifier '{member[:100]}'.", "Request_BadRequest")
        directory_groups.add_member(ctx.tx, ctx.tenant_id, group.id, member)
    ctx.status = 201
    return ctx.entity("groups/$entity", render.group(group))


def update_group(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "groups.write")
    body = ctx.json()
    check_keys(body, {"displayName", "description", "mailNickname"}, _IGNORED)
    group = _group(ctx, id)
    names = {"displayName": "display_name", "description": "description", "mailNickname": "mail_nickname"}
    changes = {names[k]: v for k, v in body.items() if k in names}
    if changes:
        directory_groups.update_group(ctx.tx, ctx.tenant_id, group.id, changes)


def delete_group(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "groups.write")
    directory_groups.delete_group(ctx.tx, ctx.tenant_id, _group(ctx, id).id)


def members(ctx: Ctx, id: str) -> dict:
    authz.require(ctx.caller, "groups.read")
    links = directory_groups.members(ctx.tx, ctx.tenant_id, _group(ctx, id).id)
    objs = [o for o in (find_object(ctx, m.member_id) for m in links) if o]
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=_member_sample(), keep_type=True
    )


def transitive_members(ctx: Ctx, id: str) -> dict:
    authz.require(ctx.caller, "groups.read")
    links = directory_groups.transitive_members(ctx.tx, ctx.tenant_id, _group(ctx, id).id)
    objs = [o for o in (find_object(ctx, m.member_id) for m in links) if o]
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=_member_sample(), keep_type=True
    )


def _member_sample() -> dict:
    from akslocal.directory.models import User

    return {**object_sample(), **render.user(User(id="", tenant_id="", upn="", display_name=""))}


def add_member(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "groups.write")
    group = _group(ctx, id)
    directory_groups.add_member(ctx.tx, ctx.tenant_id, group.id, ref_id(ctx))


def remove_member(ctx: Ctx, id: str, member: str) -> None:
    authz.require(ctx.caller, "groups.write")
    directory_groups.remove_member(ctx.tx, ctx.tenant_id, _group(ctx, id).id, member)


ROUTES = [
    route("GET", "groups", list_groups),
    route("POST", "groups", create_group),
    route("GET", "groups/{id}", get_group),
    route("PATCH", "groups/{id}", update_group),
    route("DELETE", "groups/{id}", delete_group),
    route("GET", "groups/{id}/members", members),
    route("GET", "groups/{id}/transitiveMembers", transitive_members),
    route("POST", "groups/{id}/members/$ref", add_member),
    route("DELETE", "groups/{id}/members/{member}/$ref", remove_member),
]
