"""/applications and /servicePrincipals: CRUD, alternate keys by appId, addPassword / removePassword."""

from __future__ import annotations

from akslocal.directory import apps, credentials, service_principals, tenants, validate
from akslocal.directory.models import Application, ServicePrincipal
from akslocal.graph import authz, render
from akslocal.graph.app_body import parse_application
from akslocal.graph.body import boolean, check_keys, obj, string, timestamp
from akslocal.graph.errors import bad_request, not_found
from akslocal.graph.request import Ctx, route

APP_TYPE = "microsoft.graph.application"
SP_TYPE = "microsoft.graph.servicePrincipal"
_APP_SAMPLE = render.application(Application(id="", app_id="", tenant_id="", display_name=""))
_SP_SAMPLE = render.service_principal(ServicePrincipal(id="", app_id="", tenant_id="", display_name=""))


def find_app(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> Application:
    if app_id is not None:
        app = apps.find_in_tenant(ctx.tx, ctx.tenant_id, app_id)
        if app is None:
            raise not_found(app_id)
        return app
    app = apps.get_application(ctx.tx, ctx.tenant_id, id or "")
    if app is None:
        raise not_found(id or "")
    return app


def _render_app(ctx: Ctx, app: Application) -> dict:
    return render.application(app, tenants.get_tenant(ctx.tx, ctx.tenant_id))


def list_apps(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "apps.read")
    objs = [_render_app(ctx, a) for a in apps.list_applications(ctx.tx, ctx.tenant_id)]
    return ctx.collection("applications", objs, type_name=APP_TYPE, sample=_APP_SAMPLE)


def get_app(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    authz.require(ctx.caller, "apps.read")
    q = ctx.query(APP_TYPE, _APP_SAMPLE, collection=False)
    return ctx.entity("applications/$entity", _render_app(ctx, find_app(ctx, id, app_id)), select=q.select)


def create_app(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "apps.write")  # any member may register apps (Entra's default user setting)
    fields = parse_application(ctx.json())
    app = apps.create_application(
        ctx.tx, ctx.tenant_id, fields, now=ctx.now, entropy=ctx.services.entropy, owner_id=ctx.caller.user_id
    )
    ctx.status = 201
    return ctx.entity("applications/$entity", _render_app(ctx, app))


def update_app(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    fields = parse_application(ctx.json())
    if fields:
        apps.update_application(ctx.tx, ctx.tenant_id, app.id, fields)


def delete_app(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    apps.delete_application(ctx.tx, ctx.tenant_id, app.id)


def _password_body(ctx: Ctx) -> dict:
    body = ctx.json()
    check_keys(body, {"passwordCredential"})
    cred = obj(body.get("passwordCredential"), "passwordCredential")
    check_keys(
        cred, {"displayName", "startDateTime", "endDateTime", "customKeyIdentifier", "keyId", "hint", "secretText"}
    )
    return cred


def _add_password(ctx: Ctx, owner: str, object_id: str) -> dict:
    cred = _password_body(ctx)
    new = credentials.add_password(
        ctx.tx,
        ctx.tenant_id,
        owner,
        object_id,
        now=ctx.now,
        entropy=ctx.services.entropy,
        display_name=string(cred, "displayName"),
        start=timestamp(cred.get("startDateTime"), "startDateTime"),
        end=timestamp(cred.get("endDateTime"), "endDateTime"),
    )
    return {
        "@odata.context": f"{ctx.base}/$metadata#microsoft.graph.passwordCredential",
        **render.password_credential(new.credential, new.secret_text),
    }


def _remove_password(ctx: Ctx, owner: str, object_id: str) -> None:
    body = ctx.json()
    check_keys(body, {"keyId"})
    key_id = string(body, "keyId", required=True)
    credentials.remove_password(ctx.tx, ctx.tenant_id, owner, object_id, key_id)


def app_add_password(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    return _add_password(ctx, credentials.APPLICATION, app.id)


def app_remove_password(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    _remove_password(ctx, credentials.APPLICATION, app.id)


# --- service principals ----------------------------------------------------------------------


def find_sp(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> ServicePrincipal:
    sp = (
        service_principals.find_by_app_id(ctx.tx, ctx.tenant_id, app_id)
        if app_id is not None
        else service_principals.get_service_principal(ctx.tx, ctx.tenant_id, id or "")
    )
    if sp is None:
        raise not_found(app_id or id or "")
    return sp


def _sp_owners(ctx: Ctx, sp: ServicePrincipal) -> tuple[str, ...]:
    app = apps.find_in_tenant(ctx.tx, ctx.tenant_id, sp.app_id)
    return app.owner_ids if app else ()


def list_sps(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "apps.read")
    objs = [render.service_principal(s) for s in service_principals.list_service_principals(ctx.tx, ctx.tenant_id)]
    return ctx.collection("servicePrincipals", objs, type_name=SP_TYPE, sample=_SP_SAMPLE)


def get_sp(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    authz.require(ctx.caller, "apps.read")
    q = ctx.query(SP_TYPE, _SP_SAMPLE, collection=False)
    return ctx.entity("servicePrincipals/$entity", render.service_principal(find_sp(ctx, id, app_id)), select=q.select)


def create_sp(ctx: Ctx) -> dict:
    body = ctx.json()
    check_keys(body, {"appId", "accountEnabled", "appRoleAssignmentRequired"}, {"tags", "notes", "description"})
    app_id = string(body, "appId", required=True)
    if not validate.is_guid(app_id):
        raise bad_request(
            f"Invalid value specified for property 'appId': '{app_id[:100]}' is not a GUID.", "Request_BadRequest"
        )
    app = apps.find_in_tenant(ctx.tx, ctx.tenant_id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids if app else ())
    enabled = boolean(body, "accountEnabled")
    sp = service_principals.create_service_principal(
        ctx.tx,
        ctx.tenant_id,
        app_id,
        now=ctx.now,
        entropy=ctx.services.entropy,
        account_enabled=True if enabled is None else enabled,
    )
    if boolean(body, "appRoleAssignmentRequired"):
        sp = service_principals.update_service_principal(
            ctx.tx, ctx.tenant_id, sp.id, {"app_role_assignment_required": True}
        )
    ctx.status = 201
    return ctx.entity("servicePrincipals/$entity", render.service_principal(sp))


def update_sp(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    sp = find_sp(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, _sp_owners(ctx, sp))
    body = ctx.json()
    check_keys(body, {"accountEnabled", "appRoleAssignmentRequired"}, {"tags", "notes", "description"})
    changes = {}
    if "accountEnabled" in body:
        changes["account_enabled"] = boolean(body, "accountEnabled")
    if "appRoleAssignmentRequired" in body:
        changes["app_role_assignment_required"] = boolean(body, "appRoleAssignmentRequired")
    if changes:
        service_principals.update_service_principal(ctx.tx, ctx.tenant_id, sp.id, changes)


def delete_sp(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    sp = find_sp(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, _sp_owners(ctx, sp))
    service_principals.delete_service_principal(ctx.tx, ctx.tenant_id, sp.id)


def sp_add_password(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    sp = find_sp(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, _sp_owners(ctx, sp))
    return _add_password(ctx, credentials.SERVICE_PRINCIPAL, sp.id)


def sp_remove_password(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    sp = find_sp(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, _sp_owners(ctx, sp))
    _remove_password(ctx, credentials.SERVICE_PRINCIPAL, sp.id)


def app_owners(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    from akslocal.graph.directory_objects import find_object, object_sample

    authz.require(ctx.caller, "apps.read")
    objs = [o for o in (find_object(ctx, owner) for owner in find_app(ctx, id, app_id).owner_ids) if o]
    return ctx.collection(
        "directoryObjects", objs, type_name="microsoft.graph.directoryObject", sample=object_sample(), keep_type=True
    )


def add_app_owner(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> None:
    from akslocal.graph.directory_objects import ref_id

    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    apps.add_owner(ctx.tx, ctx.tenant_id, app.id, ref_id(ctx))


def remove_app_owner(ctx: Ctx, owner: str, id: str | None = None, app_id: str | None = None) -> None:
    app = find_app(ctx, id, app_id)
    authz.require_app_owner_or_admin(ctx.caller, app.owner_ids)
    apps.remove_owner(ctx.tx, ctx.tenant_id, app.id, owner)


ROUTES = [
    route("GET", "applications", list_apps),
    route("POST", "applications", create_app),
    route("GET", "servicePrincipals", list_sps),
    route("POST", "servicePrincipals", create_sp),
]
for _coll, _key in (
    ("applications", "{id}"),
    ("applications(appId='{app_id}')", None),
    ("servicePrincipals", "{id}"),
    ("servicePrincipals(appId='{app_id}')", None),
):
    _base = f"{_coll}/{_key}" if _key else _coll
    if _coll.startswith("applications"):
        handlers = (get_app, update_app, delete_app, app_add_password, app_remove_password)
        ROUTES += [
            route("GET", f"{_base}/owners", app_owners),
            route("POST", f"{_base}/owners/$ref", add_app_owner),
            route("DELETE", f"{_base}/owners/{{owner}}/$ref", remove_app_owner),
        ]
    else:
        handlers = (get_sp, update_sp, delete_sp, sp_add_password, sp_remove_password)
    ROUTES += [
        route("GET", _base, handlers[0]),
        route("PATCH", _base, handlers[1]),
        route("DELETE", _base, handlers[2]),
        route("POST", f"{_base}/addPassword", handlers[3]),
        route("POST", f"{_base}/removePassword", handlers[4]),
    ]
