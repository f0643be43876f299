"""App registrations (Graph ``application``): identifier URIs, redirect URIs, permissions, scopes.

Rules as in Entra: identifierUris are valid URIs and unique in the tenant; an app created
with an identifier URI gets the default ``user_impersonation`` scope (the Azure AD Graph
behaviour the legacy AKS guide relies on); adding a permission to requiredResourceAccess
creates no grant; a scope or app role must be disabled before it is removed; deleting an
app deletes its service principal.  The app's service principal mirrors its names and
permissions.
"""

from __future__ import annotations

import dataclasses

from akslocal.directory import errors, firstparty, validate
from akslocal.directory.kinds import APPLICATIONS, SERVICE_PRINCIPALS, get_by_id, key
from akslocal.directory.models import (
    GROUP_MEMBERSHIP_CLAIMS,
    SIGN_IN_AUDIENCES,
    Application,
    AppRole,
    PermissionScope,
    RequiredResourceAccess,
    from_doc,
    to_doc,
)
from akslocal.store import AlreadyExists, Tx

# Fields a caller may set (create or update); the rest are the directory's.
SETTABLE = {
    "display_name",
    "identifier_uris",
    "public_client",
    "web_redirect_uris",
    "public_client_redirect_uris",
    "spa_redirect_uris",
    "home_page_url",
    "group_membership_claims",
    "required_resource_access",
    "app_roles",
    "oauth2_scopes",
    "access_token_accepted_version",
    "sign_in_audience",
    "enable_access_token_issuance",
    "enable_id_token_issuance",
    "known_client_applications",
}


def default_scope(display_name: str, scope_id: str) -> PermissionScope:
    """The scope Azure AD Graph gave every new app with an identifier URI."""
    return PermissionScope(
        id=scope_id,
        value="user_impersonation",
        type="User",
        is_enabled=True,
        admin_consent_display_name=f"Access {display_name}",
        admin_consent_description=f"Allow the application to access {display_name} on behalf of the signed-in user.",
        user_consent_display_name=f"Access {display_name}",
        user_consent_description=f"Allow the application to access {display_name} on your behalf.",
    )


def _check(fields: dict) -> None:
    for name, value in fields.items():
        if name not in SETTABLE:
            raise errors.bad_request(f"Property '{name}' is read-only or unknown on resource 'Application'.")
        if name == "display_name":
            validate.text(value, "displayName")
        elif name == "identifier_uris":
            uris = [validate.uri(u) for u in value]
            if len({u.rstrip("/").lower() for u in uris}) != len(uris):
                raise errors.duplicate("identifierUris")
        elif name in ("web_redirect_uris", "public_client_redirect_uris", "spa_redirect_uris"):
            for u in value:
                validate.uri(u, "redirectUris")
        elif name == "home_page_url" and value is not None:
            validate.uri(value, "homePageUrl")
        elif name in ("public_client", "enable_access_token_issuance", "enable_id_token_issuance"):
            validate.boolean(value, name)
        elif name == "group_membership_claims" and value is not None and value not in GROUP_MEMBERSHIP_CLAIMS:
            raise errors.bad_request(
                "Invalid value specified for property 'groupMembershipClaims' of resource 'Application'. "
                f"Allowed values: {', '.join(GROUP_MEMBERSHIP_CLAIMS)}."
            )
        elif name == "sign_in_audience" and value not in SIGN_IN_AUDIENCES:
            raise errors.bad_request(
                f"Invalid value specified for property 'signInAudience' of resource 'Application': '{value}'."
            )
        elif name == "access_token_accepted_version" and value not in (None, 1, 2):
            raise errors.bad_request("Property 'api.requestedAccessTokenVersion' must be null, 1 or 2.")
        elif name == "oauth2_scopes":
            _unique_permissions(value, "oauth2PermissionScopes")
        elif name == "app_roles":
            _unique_permissions(value, "appRoles")
        elif name == "required_resource_access":
            for entry in value:
                validate.guid(entry.resource_app_id, "resourceAppId")
                for access in entry.resource_access:
                    validate.guid(access.id, "resourceAccess.id")
                    if access.type not in ("Scope", "Role"):
                        raise errors.bad_request("Property 'resourceAccess.type' must be 'Scope' or 'Role'.")
        elif name == "known_client_applications":
            for app_id in value:
                validate.guid(app_id, "knownClientApplications")


def _unique_permissions(items: tuple, prop: str) -> None:
    ids, values = set(), set()
    for item in items:
        validate.guid(item.id, f"{prop}.id")
        if item.value is not None:
            validate.text(item.value, f"{prop}.value", max_len=120)
            if " " in item.value or item.value.startswith("."):
                raise errors.bad_request(f"Property '{prop}.value' must not contain spaces or start with '.'.")
        if item.id.lower() in ids or (item.value is not None and item.value in values):
            # Graph's code and text for a repeated scope/app role (target: the property).
            raise errors.DirectoryError(
                errors.DUPLICATE_VALUE, f"Request contains a property with duplicate values. ({prop})"
            )
        ids.add(item.id.lower())
        if item.value is not None:
            values.add(item.value)


def _save(tx: Tx, app: Application, *, create: bool) -> None:
    try:
        if create:
            tx.create(APPLICATIONS, key(app.tenant_id, app.id), to_doc(app))
        else:
            tx.put(APPLICATIONS, key(app.tenant_id, app.id), to_doc(app))
    except AlreadyExists as exc:
        # field is None when a concurrent writer won at the database's unique index; appIds are
        # random GUIDs, so the clash is an identifier URI.
        raise errors.duplicate("appId" if exc.field == "app_id" else "identifierUris") from None
    _sync_service_principal(tx, app)


def _sync_service_principal(tx: Tx, app: Application) -> None:
    record = tx.find_one(SERVICE_PRINCIPALS, "app_id", f"{app.tenant_id}/{app.app_id}")
    if record is None:
        return
    names = [app.app_id, *app.identifier_uris]
    doc = {
        **record.doc,
        "display_name": app.display_name,
        "service_principal_names": names,
        "oauth2_scopes": [to_doc(s) for s in app.oauth2_scopes],
        "app_roles": [to_doc(r) for r in app.app_roles],
        "reply_urls": [*app.web_redirect_uris, *app.public_client_redirect_uris, *app.spa_redirect_uris],
    }
    if doc != record.doc:
        tx.put(SERVICE_PRINCIPALS, record.key, doc)


def create_application(
    tx: Tx, tenant_id: str, fields: dict, *, now: float, entropy, owner_id: str | None = None
) -> Application:
    fields = dict(fields)
    if "display_name" not in fields:
        raise errors.bad_request("Property 'displayName' is required.")
    _check(fields)
    if fields.get("identifier_uris") and "oauth2_scopes" not in fields:
        fields["oauth2_scopes"] = (default_scope(fields["display_name"], entropy.guid()),)
    app = Application(
        id=entropy.guid(),
        app_id=entropy.guid(),
        tenant_id=tenant_id,
        created=now,
        owner_ids=(owner_id,) if owner_id else (),
        **{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()},
    )
    _save(tx, app, create=True)
    return app


def get_application(tx: Tx, tenant_id: str, object_id: str) -> Application | None:
    return get_by_id(tx, APPLICATIONS, Application, tenant_id, object_id)


def require_application(tx: Tx, tenant_id: str, object_id: str) -> Application:
    app = get_application(tx, tenant_id, object_id)
    if app is None:
        raise errors.not_found(object_id)
    return app


def find_by_app_id(tx: Tx, app_id: str) -> Application | None:
    """The registration of ``app_id`` in any tenant (appId is global), first-party apps included."""
    if not validate.is_guid(app_id):
        return None
    static = firstparty.first_party_app(app_id)
    if static is not None:
        return static
    record = tx.find_one(APPLICATIONS, "app_id", app_id.lower())
    return from_doc(Application, record.doc) if record else None


def find_in_tenant(tx: Tx, tenant_id: str, app_id: str) -> Application | None:
    app = find_by_app_id(tx, app_id)
    return app if app is not None and app.tenant_id == tenant_id else None


def list_applications(tx: Tx, tenant_id: str) -> list[Application]:
    return [from_doc(Application, r.doc) for r in tx.find(APPLICATIONS, "tenant", tenant_id)]


def update_application(tx: Tx, tenant_id: str, object_id: str, fields: dict) -> Application:
    app = require_application(tx, tenant_id, object_id)
    _check(fields)
    for prop, attr in (("oauth2PermissionScopes", "oauth2_scopes"), ("appRoles", "app_roles")):
        if attr in fields:
            kept = {item.id.lower() for item in fields[attr]}
            for old in getattr(app, attr):
                if old.id.lower() not in kept and old.is_enabled:
                    raise errors.bad_request(
                        f"Permission (scope or role) cannot be deleted or updated unless disabled first. ({prop})"
                    )
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    updated = dataclasses.replace(app, **values)
    _save(tx, updated, create=False)
    return updated


def add_required_permissions(
    tx: Tx, tenant_id: str, object_id: str, resource_app_id: str, accesses: list[tuple[str, str]]
) -> Application:
    """``az ad app permission add``: merge into requiredResourceAccess (no grant is created)."""
    from akslocal.directory.models import ResourceAccess

    app = require_application(tx, tenant_id, object_id)
    resource_app_id = validate.guid(resource_app_id, "resourceAppId")
    entries = list(app.required_resource_access)
    index = next((i for i, e in enumerate(entries) if e.resource_app_id.lower() == resource_app_id), len(entries))
    if index == len(entries):
        entries.append(RequiredResourceAccess(resource_app_id, ()))
    current = list(entries[index].resource_access)
    for access_id, access_type in accesses:
        item = ResourceAccess(validate.guid(access_id, "resourceAccess.id"), access_type)
        if item not in current:
            current.append(item)
    entries[index] = RequiredResourceAccess(resource_app_id, tuple(current))
    return update_application(tx, tenant_id, object_id, {"required_resource_access": tuple(entries)})


def delete_application(tx: Tx, tenant_id: str, object_id: str) -> None:
    """Delete the app and, as Entra does, its service principal in this tenant."""
    from akslocal.directory import service_principals

    app = require_application(tx, tenant_id, object_id)
    sp = service_principals.find_by_app_id(tx, tenant_id, app.app_id)
    if sp is not None:
        service_principals.delete_service_principal(tx, tenant_id, sp.id)
    tx.delete(APPLICATIONS, key(tenant_id, app.id))


def app_roles_by_id(app_roles: tuple[AppRole, ...]) -> dict[str, AppRole]:
    return {r.id.lower(): r for r in app_roles}


def add_owner(tx: Tx, tenant_id: str, object_id: str, user_id: str) -> Application:
    """Owners may manage the app without an admin role (Entra's app ownership)."""
    from akslocal.directory import users

    app = require_application(tx, tenant_id, object_id)
    owner = users.get_user(tx, tenant_id, user_id)
    if owner is None:
        raise errors.not_found(user_id)
    if owner.id in app.owner_ids:
        raise errors.bad_request(
            "One or more added object references already exist for the following modified properties: 'owners'."
        )
    updated = dataclasses.replace(app, owner_ids=(*app.owner_ids, owner.id))
    tx.put(APPLICATIONS, key(tenant_id, app.id), to_doc(updated))
    return updated


def remove_owner(tx: Tx, tenant_id: str, object_id: str, user_id: str) -> Application:
    app = require_application(tx, tenant_id, object_id)
    if user_id.lower() not in app.owner_ids:
        raise errors.not_found(user_id)
    updated = dataclasses.replace(app, owner_ids=tuple(o for o in app.owner_ids if o != user_id.lower()))
    tx.put(APPLICATIONS, key(tenant_id, app.id), to_doc(updated))
    return updated
