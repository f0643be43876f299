"""Any directory object by id, memberships (memberOf, getMemberGroups …), getByIds, directoryRoles."""

from __future__ import annotations

from akslocal.directory import groups as directory_groups
from akslocal.directory import roles as directory_roles
from akslocal.directory import service_principals, validate
from akslocal.directory.kinds import APPLICATIONS, GROUPS, SERVICE_PRINCIPALS, USERS, key
from akslocal.graph import authz, render
from akslocal.graph.body import check_keys, string_list, unknown_property
from akslocal.graph.errors import GraphError, bad_request, not_found
from akslocal.graph.request import Ctx, route
from akslocal.graph.users import user_by_ref

RESULT_CAP = 11000
GET_BY_IDS_CAP = 1000
CHECK_GROUPS_CAP = 20
OBJECT_SAMPLE = {"@odata.type": "", "id": "", "displayName": ""}


def find_object(ctx: Ctx, object_id: str) -> dict | None:
    """Render any object of the caller's tenant by object id (users, groups, SPs, apps, roles)."""
    from akslocal.directory.models import Application, Group, ServicePrincipal, User, from_doc

    if not validate.is_guid(object_id):
        return None
    k = key(ctx.tenant_id, object_id)
    for kind, model, fn in (
        (USERS, User, render.user),
        (GROUPS, Group, render.group),
        (SERVICE_PRINCIPALS, ServicePrincipal, render.service_principal),
        (APPLICATIONS, Application, render.application),
    ):
        doc = ctx.tx.get(kind, k)
        if doc is not None:
            return fn(from_doc(model, doc))
    for role in directory_roles.list_roles(ctx.tx, ctx.tenant_id):
        if role.id == object_id.lower():
            return render.directory_role(role)
    return None


def member_object(ctx: Ctx, object_id: str) -> dict:
    obj = find_object(ctx, object_id)
    if obj is None:
        raise not_found(object_id)
    return obj


def principal_id(ctx: Ctx, collection: str, ref: str | None) -> str:
    """The object a membership call is about: /me, users/{id or UPN}, groups/{id}, servicePrincipals/{id}."""
    if ref is None:
        if not ctx.caller.delegated:
            raise bad_request("/me request is only valid with delegated authentication flow.")
        return ctx.caller.user_id
    coll = collection.lower()
    if coll == "users":
        return user_by_ref(ctx, ref).id
    if coll == "groups":
        if directory_groups.find_group(ctx.tx, ctx.tenant_id, ref) is None:
            raise not_found(ref)
        return ref.lower()
    if coll == "serviceprincipals":
        if service_principals.get_service_principal(ctx.tx, ctx.tenant_id, ref) is None:
            raise not_found(ref)
        return ref.lower()
    if find_object(ctx, ref) is None:
        raise not_found(ref)
    return ref.lower()


def _require_membership_read(ctx: Ctx, ref: str | None) -> None:
    if ref is None:
        authz.require(ctx.caller, "me.memberships")
    else:
        authz.require(ctx.caller, "groups.read")


def _role_objects(ctx: Ctx, template_ids) -> list[dict]:
    wanted = set(template_ids)
    return [
        render.directory_role(r)
        for r in directory_roles.list_roles(ctx.tx, ctx.tenant_id)
        if r.role_template_id in wanted
    ]


def _direct_role_templates(ctx: Ctx, object_id: str) -> list[str]:
    from akslocal.directory.kinds import ROLE_MEMBERS

    return [r.doc["role_template_id"] for r in ctx.tx.find(ROLE_MEMBERS, "principal", f"{ctx.tenant_id}/{object_id}")]


def member_of(ctx: Ctx, collection: str = "users", id: str | None = None) -> dict:
    _require_membership_read(ctx, id)
    oid = principal_id(ctx, collection, id)
    objs = [
        render.group(directory_groups.get_group(ctx.tx, ctx.tenant_id, g))
        for g in directory_groups.direct_group_ids(ctx.tx, ctx.tenant_id, oid)
    ]
    objs += _role_objects(ctx, _direct_role_templates(ctx, oid))
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=object_sample(), keep_type=True
    )


def transitive_member_of(ctx: Ctx, collection: str = "users", id: str | None = None) -> dict:
    _require_membership_read(ctx, id)
    oid = principal_id(ctx, collection, id)
    objs = [
        render.group(directory_groups.get_group(ctx.tx, ctx.tenant_id, g))
        for g in directory_groups.transitive_group_ids(ctx.tx, ctx.tenant_id, oid)
    ]
    objs += _role_objects(ctx, directory_roles.role_template_ids_of(ctx.tx, ctx.tenant_id, oid))
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=object_sample(), keep_type=True
    )


def object_sample() -> dict:
    return {**render.group(_dummy_group()), **{k: None for k in ("roleTemplateId",)}}


def _dummy_group():
    from akslocal.directory.models import Group

    return Group(id="", tenant_id="", display_name="")


def _security_only(ctx: Ctx) -> bool:
    body = ctx.json()
    check_keys(body, {"securityEnabledOnly"})
    value = body.get("securityEnabledOnly", False)
    if not isinstance(value, bool):
        raise bad_request("Invalid value specified for property 'securityEnabledOnly': expected true or false.")
    return value


def _group_ids(ctx: Ctx, oid: str, security_only: bool) -> list[str]:
    ids = directory_groups.transitive_group_ids(ctx.tx, ctx.tenant_id, oid)
    if security_only and ids:
        secure = {r.doc["id"] for r in ctx.tx.find(GROUPS, "tenant", ctx.tenant_id) if r.doc.get("security_enabled")}
        ids = [g for g in ids if g in secure]
    return ids


def _capped(ids: list[str]) -> list[str]:
    if len(ids) > RESULT_CAP:
        raise GraphError(
            400,
            "Directory_ResultSizeLimitExceeded",
            f"The results exceed the limit of {RESULT_CAP} objects. Use the transitiveMemberOf API instead.",
        )
    return ids


def _strings(ctx: Ctx, values: list[str]) -> dict:
    return {"@odata.context": f"{ctx.base}/$metadata#Collection(Edm.String)", "value": values}


def get_member_groups(ctx: Ctx, collection: str = "users", id: str | None = None) -> dict:
    _require_membership_read(ctx, id)
    oid = principal_id(ctx, collection, id)
    return _strings(ctx, _capped(_group_ids(ctx, oid, _security_only(ctx))))


def get_member_objects(ctx: Ctx, collection: str = "users", id: str | None = None) -> dict:
    _require_membership_read(ctx, id)
    oid = principal_id(ctx, collection, id)
    ids = _group_ids(ctx, oid, _security_only(ctx))
    templates = set(directory_roles.role_template_ids_of(ctx.tx, ctx.tenant_id, oid))
    ids += [r.id for r in directory_roles.list_roles(ctx.tx, ctx.tenant_id) if r.role_template_id in templates]
    return _strings(ctx, _capped(ids))


def check_member_groups(ctx: Ctx, collection: str = "users", id: str | None = None) -> dict:
    _require_membership_read(ctx, id)
    oid = principal_id(ctx, collection, id)
    body = ctx.json()
    check_keys(body, {"groupIds"})
    wanted = string_list(body.get("groupIds"), "groupIds")
    if len(wanted) > CHECK_GROUPS_CAP:
        raise bad_request(f"The number of groupIds must not exceed {CHECK_GROUPS_CAP}.", "Request_BadRequest")
    for g in wanted:
        if not validate.is_guid(g):
            raise bad_request(f"Invalid object identifier '{g[:100]}'.", "Request_BadRequest")
    held = set(directory_groups.transitive_group_ids(ctx.tx, ctx.tenant_id, oid))
    return _strings(ctx, [g for g in wanted if g.lower() in held])


def get_by_ids(ctx: Ctx) -> dict:
    if not any(authz.allowed(ctx.caller, p) for p in ("users.read", "groups.read", "apps.read")):
        raise authz.denied()
    if any(k.startswith("$") for k, _ in ctx.params):
        raise bad_request(
            "The following query options are not supported by this request method or cannot be applied to the "
            "requested resource: $filter,$expand,$orderby,$count,$inlinecount,$select,$skiptoken,$skip,$top",
            "Request_BadRequest",
        )
    body = ctx.json()
    check_keys(body, {"ids", "types"})
    ids = string_list(body.get("ids"), "ids")
    types = {t.lower() for t in string_list(body.get("types"), "types")}
    if len(ids) > GET_BY_IDS_CAP:
        raise bad_request(f"Number of included identifiers cannot exceed '{GET_BY_IDS_CAP}'.", "Request_BadRequest")
    value = []
    for object_id in ids:
        obj = find_object(ctx, object_id) if validate.is_guid(object_id) else None
        if obj is None:
            continue
        kind = obj["@odata.type"].split(".")[-1].lower()
        if types and kind not in types:
            continue
        value.append(obj)
    return {"@odata.context": f"{ctx.base}/$metadata#directoryObjects", "value": value}


def get_directory_object(ctx: Ctx, id: str) -> dict:
    if not any(authz.allowed(ctx.caller, p) for p in ("users.read", "groups.read", "apps.read")):
        raise authz.denied()
    obj = member_object(ctx, id)
    return {"@odata.context": f"{ctx.base}/$metadata#directoryObjects/$entity", **obj}


# --- directory roles ------------------------------------------------------------------------


def _role(ctx: Ctx, id: str):
    from akslocal.directory.errors import DirectoryError

    try:
        return directory_roles.get_role(ctx.tx, ctx.tenant_id, id)
    except DirectoryError:
        raise not_found(id) from None


def list_roles(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "roles.read")
    objs = [render.directory_role(r) for r in directory_roles.list_roles(ctx.tx, ctx.tenant_id)]
    sample = render.directory_role(directory_roles.list_roles(ctx.tx, ctx.tenant_id)[0])
    return ctx.collection("directoryRoles", objs, type_name="microsoft.graph.directoryRole", sample=sample)


def get_role(ctx: Ctx, id: str) -> dict:
    authz.require(ctx.caller, "roles.read")
    return ctx.entity("directoryRoles/$entity", render.directory_role(_role(ctx, id)))


def get_role_by_template(ctx: Ctx, template: str) -> dict:
    authz.require(ctx.caller, "roles.read")
    role = directory_roles.get_role(ctx.tx, ctx.tenant_id, template) if validate.is_guid(template) else None
    if role is None or role.role_template_id != template.lower():
        raise not_found(template)
    return ctx.entity("directoryRoles/$entity", render.directory_role(role))


def role_members(ctx: Ctx, id: str) -> dict:
    authz.require(ctx.caller, "roles.read")
    role = _role(ctx, id)
    objs = [
        o
        for o in (find_object(ctx, m) for m in directory_roles.member_ids(ctx.tx, ctx.tenant_id, role.role_template_id))
        if o
    ]
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=object_sample(), keep_type=True
    )


def ref_id(ctx: Ctx) -> str:
    body = ctx.json()
    ref = body.get("@odata.id")
    for k in body:
        if k != "@odata.id":
            raise unknown_property(k)
    if not isinstance(ref, str):
        raise bad_request(
            'The request body must be {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.'
        )
    object_id = ref.rstrip("/").rsplit("/", 1)[-1]
    if not validate.is_guid(object_id):
        raise bad_request(f"Invalid object identifier '{object_id[:100]}'.", "Request_BadRequest")
    return object_id.lower()


def add_role_member(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "roles.write")
    role = _role(ctx, id)
    member = ref_id(ctx)
    if find_object(ctx, member) is None:
        raise not_found(member)
    directory_roles.add_member(ctx.tx, ctx.tenant_id, role.role_template_id, member)


def remove_role_member(ctx: Ctx, id: str, member: str) -> None:
    authz.require(ctx.caller, "roles.write")
    role = _role(ctx, id)
    directory_roles.remove_member(ctx.tx, ctx.tenant_id, role.role_template_id, member)


def _on(coll: str, fn):
    return lambda ctx, id: fn(ctx, coll, id)


ROUTES = [
    route("GET", "me/memberOf", lambda ctx: member_of(ctx)),
    route("GET", "me/transitiveMemberOf", lambda ctx: transitive_member_of(ctx)),
    route("POST", "me/getMemberGroups", lambda ctx: get_member_groups(ctx)),
    route("POST", "me/getMemberObjects", lambda ctx: get_member_objects(ctx)),
    route("POST", "me/checkMemberGroups", lambda ctx: check_member_groups(ctx)),
    route("POST", "directoryObjects/getByIds", get_by_ids),
    route("GET", "directoryObjects/{id}", get_directory_object),
    route("GET", "directoryRoles", list_roles),
    route("GET", "directoryRoles(roleTemplateId='{template}')", get_role_by_template),
    route("GET", "directoryRoles/roleTemplateId={template}", get_role_by_template),
    route("GET", "directoryRoles/{id}", get_role),
    route("GET", "directoryRoles/{id}/members", role_members),
    route("POST", "directoryRoles/{id}/members/$ref", add_role_member),
    route("DELETE", "directoryRoles/{id}/members/{member}/$ref", remove_role_member),
]
for _coll in ("users", "groups", "servicePrincipals", "directoryObjects"):
    ROUTES += [
        route("GET", f"{_coll}/{{id}}/memberOf", _on(_coll, member_of)),
        route("GET", f"{_coll}/{{id}}/transitiveMemberOf", _on(_coll, transitive_member_of)),
        route("POST", f"{_coll}/{{id}}/getMemberGroups", _on(_coll, get_member_groups)),
        route("POST", f"{_coll}/{{id}}/getMemberObjects", _on(_coll, get_member_objects)),
        route("POST", f"{_coll}/{{id}}/checkMemberGroups", _on(_coll, check_member_groups)),
    ]
