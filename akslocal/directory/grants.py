"""Delegated grants (oauth2PermissionGrants), app role assignments, consent.

Rules as in Entra: a grant for all principals, an app role assignment to an application
(an application permission) and admin consent need a Global Administrator; a user may
consent for themselves to ``User``-type scopes only when the tenant allows user consent.
``actor_id`` is the signed-in user making the change, or ``None`` for a caller the HTTP
layer already authorized by application permission (and for fixtures).
"""

from __future__ import annotations

import base64
import hashlib

from akslocal.directory import errors, firstparty, roles, service_principals, tenants, users, validate
from akslocal.directory.kinds import APP_ROLE_ASSIGNMENTS, GRANTS, key
from akslocal.directory.models import AppRoleAssignment, OAuth2PermissionGrant, ServicePrincipal, from_doc, to_doc
from akslocal.store import Tx

ALL_PRINCIPALS, PRINCIPAL = "AllPrincipals", "Principal"
ADMIN_REQUIRED = "AADSTS90094"
DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000"
_MAX_SCOPE = 4000


def _require_admin(tx: Tx, tenant_id: str, actor_id: str | None, what: str) -> None:
    if actor_id is not None and not roles.is_global_admin(tx, tenant_id, actor_id):
        raise errors.denied(f"{errors.INSUFFICIENT_PRIVILEGES} {what} requires a Global Administrator.")


def _scope_text(scope: object) -> str:
    if not isinstance(scope, str) or len(scope) > _MAX_SCOPE:
        raise errors.bad_request("Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant'.")
    words = scope.split()
    for word in words:
        validate.text(word, "scope", max_len=256)
    return " ".join(dict.fromkeys(words))


def create_grant(
    tx: Tx,
    tenant_id: str,
    *,
    actor_id: str | None,
    client_id: str,
    consent_type: str,
    resource_id: str,
    scope: str,
    entropy,
    principal_id: str | None = None,
    grant_id: str | None = None,
) -> OAuth2PermissionGrant:
    client = service_principals.require_service_principal(tx, tenant_id, validate.guid(client_id, "clientId"))
    resource = service_principals.require_service_principal(tx, tenant_id, validate.guid(resource_id, "resourceId"))
    scope = _scope_text(scope)
    if consent_type == ALL_PRINCIPALS:
        if principal_id is not None:
            raise errors.bad_request("principalId must be null when consentType is AllPrincipals.")
        _require_admin(tx, tenant_id, actor_id, "Granting permissions for all principals")
    elif consent_type == PRINCIPAL:
        principal_id = validate.guid(principal_id, "principalId")
        if users.get_user(tx, tenant_id, principal_id) is None:
            raise errors.not_found(principal_id)
        if actor_id is not None and actor_id != principal_id:
            _require_admin(tx, tenant_id, actor_id, "Granting permissions on behalf of another user")
    else:
        raise errors.bad_request("Invalid value specified for property 'consentType': use AllPrincipals or Principal.")
    for existing in list_grants(tx, tenant_id, client_id=client.id):
        if (
            existing.resource_id == resource.id
            and existing.consent_type == consent_type
            and existing.principal_id == principal_id
        ):
            raise errors.DirectoryError(errors.CONFLICT, "Permission entry already exists.")
    grant = OAuth2PermissionGrant(
        id=grant_id or entropy.token(32),
        tenant_id=tenant_id,
        client_id=client.id,
        consent_type=consent_type,
        principal_id=principal_id,
        resource_id=resource.id,
        scope=scope,
    )
    tx.create(GRANTS, f"{tenant_id}/{grant.id}", to_doc(grant))
    return grant


def get_grant(tx: Tx, tenant_id: str, grant_id: str) -> OAuth2PermissionGrant:
    doc = tx.get(GRANTS, f"{tenant_id}/{grant_id}") if isinstance(grant_id, str) and len(grant_id) < 128 else None
    if doc is None:
        raise errors.not_found(grant_id)
    return from_doc(OAuth2PermissionGrant, doc)


def list_grants(
    tx: Tx,
    tenant_id: str,
    *,
    client_id: str | None = None,
    resource_id: str | None = None,
    principal_id: str | None = None,
) -> list[OAuth2PermissionGrant]:
    if client_id is not None:
        records = tx.find(GRANTS, "client", f"{tenant_id}/{client_id.lower()}")
    elif resource_id is not None:
        records = tx.find(GRANTS, "resource", f"{tenant_id}/{resource_id.lower()}")
    elif principal_id is not None:
        records = tx.find(GRANTS, "principal", f"{tenant_id}/{principal_id.lower()}")
    else:
        records = tx.find(GRANTS, "tenant", tenant_id)
    out = [from_doc(OAuth2PermissionGrant, r.doc) for r in records]
    if resource_id is not None:
        out = [g for g in out if g.resource_id == resource_id.lower()]
    if principal_id is not None:
        out = [g for g in out if g.principal_id == principal_id.lower()]
    return out


def update_grant(tx: Tx, tenant_id: str, grant_id: str, *, actor_id: str | None, scope: str) -> OAuth2PermissionGrant:
    grant = get_grant(tx, tenant_id, grant_id)
    if grant.consent_type == ALL_PRINCIPALS or actor_id != grant.principal_id:
        _require_admin(tx, tenant_id, actor_id, "Changing this grant")
    scope = _scope_text(scope)
    record = tx.update(GRANTS, f"{tenant_id}/{grant.id}", lambda d: {**d, "scope": scope})
    return from_doc(OAuth2PermissionGrant, record.doc)


def delete_grant(tx: Tx, tenant_id: str, grant_id: str, *, actor_id: str | None) -> None:
    grant = get_grant(tx, tenant_id, grant_id)
    if grant.consent_type == ALL_PRINCIPALS or actor_id != grant.principal_id:
        _require_admin(tx, tenant_id, actor_id, "Revoking this grant")
    tx.delete(GRANTS, f"{tenant_id}/{grant.id}")


def _preauthorized(tx: Tx, tenant_id: str, client_sp_id: str, resource_sp_id: str) -> set[str]:
    client = service_principals.get_service_principal(tx, tenant_id, client_sp_id)
    resource = service_principals.get_service_principal(tx, tenant_id, resource_sp_id)
    if client and resource and client.app_id in firstparty.PREAUTHORIZED_CLIENTS and resource.first_party:
        return {s.value for s in resource.oauth2_scopes if s.is_enabled}
    return set()


def delegated_scopes(tx: Tx, tenant_id: str, client_sp_id: str, resource_sp_id: str, user_id: str) -> set[str]:
    """Scopes the client may use on the resource for this user.

    Admin (AllPrincipals) and user grants, plus first-party pre-authorization.
    """
    scopes = _preauthorized(tx, tenant_id, client_sp_id, resource_sp_id)
    for grant in list_grants(tx, tenant_id, client_id=client_sp_id):
        if grant.resource_id != resource_sp_id.lower():
            continue
        if grant.consent_type == ALL_PRINCIPALS or grant.principal_id == user_id.lower():
            scopes.update(grant.scope.split())
    return scopes


def record_user_consent(
    tx: Tx, tenant_id: str, client_sp_id: str, resource_sp_id: str, user_id: str, scopes
) -> OAuth2PermissionGrant:
    """A user's consent from the sign-in page: merge ``scopes`` into their Principal grant."""
    wanted = sorted(set(scopes))
    tenant = tenants.require_tenant(tx, tenant_id)
    resource = service_principals.require_service_principal(tx, tenant_id, resource_sp_id)
    admin = roles.is_global_admin(tx, tenant_id, user_id)
    if not admin:
        if not tenant.user_consent_allowed:
            raise errors.DirectoryError(
                ADMIN_REQUIRED, "Users may not consent to apps in this tenant: an administrator must grant consent."
            )
        admin_only = {s.value for s in resource.oauth2_scopes if s.type == "Admin"}
        if admin_only.intersection(wanted):
            raise errors.DirectoryError(
                ADMIN_REQUIRED,
                f"The permissions {', '.join(sorted(admin_only.intersection(wanted)))} need admin approval.",
            )
    for grant in list_grants(tx, tenant_id, client_id=client_sp_id):
        if grant.resource_id == resource.id and grant.consent_type == PRINCIPAL and grant.principal_id == user_id:
            merged = " ".join(dict.fromkeys([*grant.scope.split(), *wanted]))
            record = tx.update(GRANTS, f"{tenant_id}/{grant.id}", lambda d, merged=merged: {**d, "scope": merged})
            return from_doc(OAuth2PermissionGrant, record.doc)
    # No entropy in this contract: the id is derived from what the grant is about (one per triple).
    digest = hashlib.sha256(f"{tenant_id}/{client_sp_id}/{resource.id}/{user_id}".encode()).digest()
    return create_grant(
        tx,
        tenant_id,
        actor_id=None,
        client_id=client_sp_id,
        consent_type=PRINCIPAL,
        resource_id=resource.id,
        scope=" ".join(wanted),
        entropy=None,
        principal_id=user_id,
        grant_id=base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
    )


# --- app role assignments -------------------------------------------------------------------


def assign_app_role(
    tx: Tx,
    tenant_id: str,
    *,
    actor_id: str | None,
    principal_id: str,
    resource_id: str,
    app_role_id: str,
    now: float,
    entropy,
) -> AppRoleAssignment:
    from akslocal.directory import groups

    principal_id = validate.guid(principal_id, "principalId")
    resource = service_principals.require_service_principal(tx, tenant_id, validate.guid(resource_id, "resourceId"))
    app_role_id = validate.guid(app_role_id, "appRoleId")
    kind = groups.member_type_of(tx, tenant_id, principal_id)
    if kind is None:
        raise errors.not_found(principal_id)
    role = next((r for r in resource.app_roles if r.id.lower() == app_role_id), None)
    if role is None and not (app_role_id == DEFAULT_ACCESS_ROLE and kind != "servicePrincipal"):
        raise errors.bad_request("Permission being assigned was not found on application")
    principal_type = {"user": "User", "group": "Group", "servicePrincipal": "ServicePrincipal"}[kind]
    if role is not None and principal_type == "ServicePrincipal" and "Application" not in role.allowed_member_types:
        raise errors.bad_request("The app role is not assignable to applications.")
    if role is not None and principal_type != "ServicePrincipal" and "User" not in role.allowed_member_types:
        raise errors.bad_request("The app role is not assignable to users or groups.")
    _require_admin(tx, tenant_id, actor_id, "Assigning an app role")
    for existing in list_assignments(tx, tenant_id, principal_id=principal_id):
        if existing.resource_id == resource.id and existing.app_role_id == app_role_id:
            raise errors.bad_request("Permission being assigned already exists on the object")
    principal_name = _display_name(tx, tenant_id, principal_id, kind)
    assignment = AppRoleAssignment(
        id=entropy.token(32),
        tenant_id=tenant_id,
        principal_id=principal_id,
        principal_type=principal_type,
        principal_display_name=principal_name,
        resource_id=resource.id,
        resource_display_name=resource.display_name,
        app_role_id=app_role_id,
        created=now,
    )
    tx.create(APP_ROLE_ASSIGNMENTS, f"{tenant_id}/{assignment.id}", to_doc(assignment))
    return assignment


def _display_name(tx: Tx, tenant_id: str, object_id: str, kind: str) -> str:
    from akslocal.directory.kinds import GROUPS, SERVICE_PRINCIPALS, USERS

    doc = tx.get(
        {"user": USERS, "group": GROUPS, "servicePrincipal": SERVICE_PRINCIPALS}[kind], key(tenant_id, object_id)
    )
    return doc["display_name"] if doc else ""


def list_assignments(
    tx: Tx, tenant_id: str, *, principal_id: str | None = None, resource_id: str | None = None
) -> list[AppRoleAssignment]:
    if principal_id is not None:
        records = tx.find(APP_ROLE_ASSIGNMENTS, "principal", f"{tenant_id}/{principal_id.lower()}")
    else:
        records = tx.find(APP_ROLE_ASSIGNMENTS, "resource", f"{tenant_id}/{(resource_id or '').lower()}")
    out = [from_doc(AppRoleAssignment, r.doc) for r in records]
    if resource_id is not None:
        out = [a for a in out if a.resource_id == resource_id.lower()]
    return out


def delete_assignment(tx: Tx, tenant_id: str, assignment_id: str, *, actor_id: str | None) -> None:
    doc = tx.get(APP_ROLE_ASSIGNMENTS, f"{tenant_id}/{assignment_id}") if len(assignment_id) < 128 else None
    if doc is None:
        raise errors.not_found(assignment_id)
    _require_admin(tx, tenant_id, actor_id, "Removing an app role assignment")
    tx.delete(APP_ROLE_ASSIGNMENTS, f"{tenant_id}/{assignment_id}")


def app_role_values(tx: Tx, client_sp_id: str, resource_sp_id: str) -> list[str]:
    """Values of the app roles (application permissions) the client SP holds on the resource SP."""
    resource: ServicePrincipal | None = None
    values: list[str] = []
    for record in tx.find(APP_ROLE_ASSIGNMENTS, "pair", f"{client_sp_id.lower()}/{resource_sp_id.lower()}"):
        assignment = from_doc(AppRoleAssignment, record.doc)
        if resource is None:
            resource = service_principals.get_service_principal(tx, assignment.tenant_id, assignment.resource_id)
        if resource is None:
            continue
        for role in resource.app_roles:
            if role.id.lower() == assignment.app_role_id and role.is_enabled and role.value:
                values.append(role.value)
    return sorted(set(values))


# --- admin consent ---------------------------------------------------------------------------


def admin_consent(
    tx: Tx, tenant_id: str, *, actor_id: str | None, app_id: str, now: float, entropy
) -> tuple[list[OAuth2PermissionGrant], list[AppRoleAssignment]]:
    """Consent for the whole tenant to everything in the app's requiredResourceAccess.

    Scope entries become (or extend) an AllPrincipals grant per resource; Role entries become
    app role assignments of the app's service principal (created if missing).
    """
    from akslocal.directory import apps

    _require_admin(tx, tenant_id, actor_id, "Admin consent")
    app = apps.find_by_app_id(tx, app_id)
    if app is None:
        raise errors.not_found(app_id)
    client = service_principals.find_by_app_id(tx, tenant_id, app.app_id)
    if client is None:
        client = service_principals.create_service_principal(tx, tenant_id, app.app_id, now=now, entropy=entropy)
    made_grants: list[OAuth2PermissionGrant] = []
    made_assignments: list[AppRoleAssignment] = []
    for entry in app.required_resource_access:
        resource = service_principals.find_by_app_id(tx, tenant_id, entry.resource_app_id)
        if resource is None:
            raise errors.bad_request(
                f"The resource application '{entry.resource_app_id}' has no service principal in this tenant."
            )
        scope_ids = {a.id.lower() for a in entry.resource_access if a.type == "Scope"}
        scope_values = [s.value for s in resource.oauth2_scopes if s.id.lower() in scope_ids]
        if scope_ids and not scope_values:
            raise errors.bad_request(f"None of the requested scopes exist on '{resource.display_name}'.")
        if scope_values:
            made_grants.append(_merge_all_principals(tx, tenant_id, client.id, resource.id, scope_values, entropy))
        held = {
            a.app_role_id
            for a in list_assignments(tx, tenant_id, principal_id=client.id)
            if a.resource_id == resource.id
        }
        for access in entry.resource_access:
            if access.type == "Role" and access.id.lower() not in held:
                made_assignments.append(
                    assign_app_role(
                        tx,
                        tenant_id,
                        actor_id=None,
                        principal_id=client.id,
                        resource_id=resource.id,
                        app_role_id=access.id,
                        now=now,
                        entropy=entropy,
                    )
                )
    return made_grants, made_assignments


def _merge_all_principals(tx: Tx, tenant_id: str, client_id: str, resource_id: str, values: list[str], entropy):
    for grant in list_grants(tx, tenant_id, client_id=client_id):
        if grant.resource_id == resource_id and grant.consent_type == ALL_PRINCIPALS:
            merged = " ".join(dict.fromkeys([*grant.scope.split(), *values]))
            record = tx.update(GRANTS, f"{tenant_id}/{grant.id}", lambda d, merged=merged: {**d, "scope": merged})
            return from_doc(OAuth2PermissionGrant, record.doc)
    return create_grant(
        tx,
        tenant_id,
        actor_id=None,
        client_id=client_id,
        consent_type=ALL_PRINCIPALS,
        resource_id=resource_id,
        scope=" ".join(values),
        entropy=entropy,
    )
