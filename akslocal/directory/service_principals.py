"""Service principals: an application's identity in a tenant (``servicePrincipalNames`` = appId + URIs)."""

from __future__ import annotations

from akslocal.directory import apps, errors, firstparty, groups, roles, validate
from akslocal.directory.kinds import APP_ROLE_ASSIGNMENTS, GRANTS, SERVICE_PRINCIPALS, get_by_id, key, norm_name
from akslocal.directory.models import ServicePrincipal, from_doc, to_doc
from akslocal.store import AlreadyExists, Tx

UPDATABLE = {"account_enabled", "app_role_assignment_required"}


def create_service_principal(
    tx: Tx, tenant_id: str, app_id: str, *, now: float, entropy, account_enabled: bool = True
) -> ServicePrincipal:
    app_id = validate.guid(app_id, "appId")
    validate.boolean(account_enabled, "accountEnabled")
    app = apps.find_by_app_id(tx, app_id)
    if app is None or (
        app.tenant_id != tenant_id
        and app.sign_in_audience == "AzureADMyOrg"
        and app.tenant_id != firstparty.MICROSOFT_TENANT
    ):
        raise errors.bad_request(
            f"The appId '{app_id}' of the service principal does not reference a valid application object."
        )
    sp = ServicePrincipal(
        id=entropy.guid(),
        app_id=app.app_id,
        tenant_id=tenant_id,
        display_name=app.display_name,
        service_principal_names=(app.app_id, *app.identifier_uris),
        app_roles=app.app_roles,
        oauth2_scopes=app.oauth2_scopes,
        account_enabled=account_enabled,
        app_owner_tenant_id=app.tenant_id,
        reply_urls=(*app.web_redirect_uris, *app.public_client_redirect_uris, *app.spa_redirect_uris),
        created=now,
    )
    try:
        tx.create(SERVICE_PRINCIPALS, key(tenant_id, sp.id), to_doc(sp))
    except AlreadyExists:
        # Graph: 409 Request_MultipleObjectsWithSameKeyValue with this text (seen in client error reports).
        raise errors.DirectoryError(
            errors.CONFLICT,
            "The service principal cannot be created, updated, or restored because the service principal name "
            f"{app.app_id} is already in use.",
        ) from None
    return sp


def get_service_principal(tx: Tx, tenant_id: str, object_id: str) -> ServicePrincipal | None:
    return get_by_id(tx, SERVICE_PRINCIPALS, ServicePrincipal, tenant_id, object_id)


def require_service_principal(tx: Tx, tenant_id: str, object_id: str) -> ServicePrincipal:
    sp = get_service_principal(tx, tenant_id, object_id)
    if sp is None:
        raise errors.not_found(object_id)
    return sp


def find_by_app_id(tx: Tx, tenant_id: str, app_id: str) -> ServicePrincipal | None:
    if not validate.is_guid(app_id):
        return None
    record = tx.find_one(SERVICE_PRINCIPALS, "app_id", f"{tenant_id}/{app_id.lower()}")
    return from_doc(ServicePrincipal, record.doc) if record else None


def find_by_name(tx: Tx, tenant_id: str, name: str) -> ServicePrincipal | None:
    """By one of its servicePrincipalNames (case-insensitive, trailing '/' ignored)."""
    if not isinstance(name, str) or not name or len(name) > 2048:
        return None
    records = tx.find(SERVICE_PRINCIPALS, "spn", f"{tenant_id}/{norm_name(name)}")
    return from_doc(ServicePrincipal, records[0].doc) if records else None


def find_for_resource(tx: Tx, tenant_id: str, resource: str) -> ServicePrincipal | None:
    """The SP a token request's resource/scope names: an appId, or an SPN / identifier URI."""
    if not isinstance(resource, str) or not resource:
        return None
    if validate.is_guid(resource):
        return find_by_app_id(tx, tenant_id, resource)
    return find_by_name(tx, tenant_id, resource)


def list_service_principals(tx: Tx, tenant_id: str) -> list[ServicePrincipal]:
    return [from_doc(ServicePrincipal, r.doc) for r in tx.find(SERVICE_PRINCIPALS, "tenant", tenant_id)]


def update_service_principal(tx: Tx, tenant_id: str, object_id: str, changes: dict) -> ServicePrincipal:
    sp = require_service_principal(tx, tenant_id, object_id)
    for name, value in changes.items():
        if name not in UPDATABLE:
            raise errors.bad_request(f"Property '{name}' is read-only or unknown on resource 'ServicePrincipal'.")
        validate.boolean(value, name)
    doc = {**to_doc(sp), **changes}
    tx.put(SERVICE_PRINCIPALS, key(tenant_id, sp.id), doc)
    return from_doc(ServicePrincipal, doc)


def delete_service_principal(tx: Tx, tenant_id: str, object_id: str) -> None:
    """Delete the SP and everything that points at it: grants, app role assignments, memberships, roles."""
    sp = require_service_principal(tx, tenant_id, object_id)
    if sp.first_party:
        raise errors.bad_request("Microsoft first-party service principals cannot be deleted.")
    for index in ("client", "resource"):
        for record in tx.find(GRANTS, index, f"{tenant_id}/{sp.id}"):
            tx.delete(GRANTS, record.key)
    for index in ("principal", "resource"):
        for record in tx.find(APP_ROLE_ASSIGNMENTS, index, f"{tenant_id}/{sp.id}"):
            if tx.get(APP_ROLE_ASSIGNMENTS, record.key) is not None:
                tx.delete(APP_ROLE_ASSIGNMENTS, record.key)
    groups.remove_member_everywhere(tx, tenant_id, sp.id)
    roles.remove_principal(tx, tenant_id, sp.id)
    tx.delete(SERVICE_PRINCIPALS, key(tenant_id, sp.id))
