"""/oauth2PermissionGrants, app role assignments, and akslocal's admin-consent action.

The real ``az ad app permission admin-consent`` calls a portal API (main.iam.ad.ext.azure.com)
that Graph does not have; akslocal exposes its effect as
``POST /v1.0/applications/{id}/akslocal.adminConsent`` (also by ``(appId='…')``): an
AllPrincipals grant per resource for the Scope entries of requiredResourceAccess and app
role assignments for the Role entries.  It needs a Global Administrator.
"""

from __future__ import annotations

from akslocal.directory import grants as directory_grants
from akslocal.directory import groups as directory_groups
from akslocal.directory import service_principals, validate
from akslocal.directory.models import AppRoleAssignment, OAuth2PermissionGrant
from akslocal.graph import authz, render
from akslocal.graph.applications import find_app, find_sp
from akslocal.graph.body import check_keys, string
from akslocal.graph.errors import not_found
from akslocal.graph.request import Ctx, route

GRANT_TYPE = "microsoft.graph.oAuth2PermissionGrant"
ASSIGNMENT_TYPE = "microsoft.graph.appRoleAssignment"
_GRANT_SAMPLE = render.grant(OAuth2PermissionGrant("", "", "", "", None, "", ""))
_ASSIGNMENT_SAMPLE = render.assignment(AppRoleAssignment("", "", "", "", "", "", "", ""))


def _can_read(ctx: Ctx) -> None:
    if not (authz.allowed(ctx.caller, "apps.read") or authz.allowed(ctx.caller, "grants.write")):
        raise authz.denied()


def list_grants(ctx: Ctx) -> dict:
    _can_read(ctx)
    objs = [render.grant(g) for g in directory_grants.list_grants(ctx.tx, ctx.tenant_id)]
    return ctx.collection("oauth2PermissionGrants", objs, type_name=GRANT_TYPE, sample=_GRANT_SAMPLE)


def sp_grants(ctx: Ctx, id: str) -> dict:
    _can_read(ctx)
    sp = find_sp(ctx, id)
    objs = [render.grant(g) for g in directory_grants.list_grants(ctx.tx, ctx.tenant_id, client_id=sp.id)]
    return ctx.collection("oauth2PermissionGrants", objs, type_name=GRANT_TYPE, sample=_GRANT_SAMPLE)


def get_grant(ctx: Ctx, id: str) -> dict:
    _can_read(ctx)
    return ctx.entity(
        "oauth2PermissionGrants/$entity", render.grant(directory_grants.get_grant(ctx.tx, ctx.tenant_id, id))
    )


def create_grant(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "grants.write")
    body = ctx.json()
    check_keys(body, {"clientId", "consentType", "principalId", "resourceId", "scope"}, {"startTime", "expiryTime"})
    grant = directory_grants.create_grant(
        ctx.tx,
        ctx.tenant_id,
        actor_id=ctx.caller.actor_id,
        client_id=string(body, "clientId", required=True),
        consent_type=string(body, "consentType", required=True),
        principal_id=string(body, "principalId"),
        resource_id=string(body, "resourceId", required=True),
        scope=string(body, "scope") or "",
        entropy=ctx.services.entropy,
    )
    ctx.status = 201
    return ctx.entity("oauth2PermissionGrants/$entity", render.grant(grant))


def update_grant(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "grants.write")
    body = ctx.json()
    check_keys(body, {"scope"})
    directory_grants.update_grant(
        ctx.tx, ctx.tenant_id, id, actor_id=ctx.caller.actor_id, scope=string(body, "scope", required=True)
    )


def delete_grant(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "grants.write")
    directory_grants.delete_grant(ctx.tx, ctx.tenant_id, id, actor_id=ctx.caller.actor_id)


# --- app role assignments ---------------------------------------------------------------------


def _assignments(ctx: Ctx, objs: list[AppRoleAssignment]) -> dict:
    return ctx.collection(
        "appRoleAssignments", [render.assignment(a) for a in objs], type_name=ASSIGNMENT_TYPE, sample=_ASSIGNMENT_SAMPLE
    )


def _assign(ctx: Ctx, *, principal_id: str | None = None, resource_id: str | None = None) -> dict:
    authz.require(ctx.caller, "assignments.write")
    body = ctx.json()
    check_keys(
        body,
        {"principalId", "resourceId", "appRoleId"},
        {"principalType", "principalDisplayName", "resourceDisplayName"},
    )
    assignment = directory_grants.assign_app_role(
        ctx.tx,
        ctx.tenant_id,
        actor_id=ctx.caller.actor_id,
        principal_id=string(body, "principalId", required=True) if principal_id is None else principal_id,
        resource_id=string(body, "resourceId", required=True) if resource_id is None else resource_id,
        app_role_id=string(body, "appRoleId", required=True),
        now=ctx.now,
        entropy=ctx.services.entropy,
    )
    ctx.status = 201
    return ctx.entity("appRoleAssignments/$entity", render.assignment(assignment))


def assigned_to(ctx: Ctx, id: str) -> dict:
    _can_read(ctx)
    return _assignments(ctx, directory_grants.list_assignments(ctx.tx, ctx.tenant_id, resource_id=find_sp(ctx, id).id))


def assign_to(ctx: Ctx, id: str) -> dict:
    sp = find_sp(ctx, id)
    body = ctx.json()
    if string(body, "resourceId") not in (None, sp.id):
        from akslocal.graph.errors import bad_request

        raise bad_request("resourceId must be the service principal in the URL.", "Request_BadRequest")
    return _assign(ctx, resource_id=sp.id)


def sp_assignments(ctx: Ctx, id: str) -> dict:
    _can_read(ctx)
    return _assignments(ctx, directory_grants.list_assignments(ctx.tx, ctx.tenant_id, principal_id=find_sp(ctx, id).id))


def sp_assign(ctx: Ctx, id: str) -> dict:
    return _assign(ctx, principal_id=find_sp(ctx, id).id)


def principal_assignments(ctx: Ctx, id: str) -> dict:
    if not (authz.allowed(ctx.caller, "users.read") or authz.allowed(ctx.caller, "apps.read")):
        raise authz.denied()
    if directory_groups.member_type_of(ctx.tx, ctx.tenant_id, id) is None:
        from akslocal.directory import users

        user = users.find_by_upn(ctx.tx, ctx.tenant_id, id)
        if user is None:
            raise not_found(id)
        id = user.id
    return _assignments(ctx, directory_grants.list_assignments(ctx.tx, ctx.tenant_id, principal_id=id))


def unassign(ctx: Ctx, id: str, assignment: str) -> None:
    authz.require(ctx.caller, "assignments.write")
    sp = service_principals.get_service_principal(ctx.tx, ctx.tenant_id, id) if validate.is_guid(id) else None
    if sp is None and directory_groups.member_type_of(ctx.tx, ctx.tenant_id, id) is None:
        raise not_found(id)
    directory_grants.delete_assignment(ctx.tx, ctx.tenant_id, assignment, actor_id=ctx.caller.actor_id)


# --- admin consent -----------------------------------------------------------------------------


def admin_consent(ctx: Ctx, id: str | None = None, app_id: str | None = None) -> dict:
    if not (authz.allowed(ctx.caller, "grants.write") and authz.allowed(ctx.caller, "assignments.write")) and not (
        ctx.caller.delegated and authz.allowed(ctx.caller, "apps.write")
    ):
        raise authz.denied()
    if ctx.body:
        check_keys(ctx.body, set())
    app = find_app(ctx, id, app_id)
    made_grants, made_assignments = directory_grants.admin_consent(
        ctx.tx,
        ctx.tenant_id,
        actor_id=ctx.caller.actor_id,
        app_id=app.app_id,
        now=ctx.now,
        entropy=ctx.services.entropy,
    )
    return {
        "@odata.context": f"{ctx.base}/$metadata#akslocal.adminConsentResult",
        "appId": app.app_id,
        "oauth2PermissionGrants": [render.grant(g) for g in made_grants],
        "appRoleAssignments": [render.assignment(a) for a in made_assignments],
    }


ROUTES = [
    route("GET", "oauth2PermissionGrants", list_grants),
    route("POST", "oauth2PermissionGrants", create_grant),
    route("GET", "oauth2PermissionGrants/{id}", get_grant),
    route("PATCH", "oauth2PermissionGrants/{id}", update_grant),
    route("DELETE", "oauth2PermissionGrants/{id}", delete_grant),
    route("GET", "servicePrincipals/{id}/oauth2PermissionGrants", sp_grants),
    route("GET", "servicePrincipals/{id}/appRoleAssignedTo", assigned_to),
    route("POST", "servicePrincipals/{id}/appRoleAssignedTo", assign_to),
    route("DELETE", "servicePrincipals/{id}/appRoleAssignedTo/{assignment}", unassign),
    route("GET", "servicePrincipals/{id}/appRoleAssignments", sp_assignments),
    route("POST", "servicePrincipals/{id}/appRoleAssignments", sp_assign),
    route("DELETE", "servicePrincipals/{id}/appRoleAssignments/{assignment}", unassign),
    route("GET", "users/{id}/appRoleAssignments", principal_assignments),
    route("GET", "groups/{id}/appRoleAssignments", principal_assignments),
    route("POST", "applications/{id}/akslocal.adminConsent", admin_consent),
    route("POST", "applications(appId='{app_id}')/akslocal.adminConsent", admin_consent),
]
