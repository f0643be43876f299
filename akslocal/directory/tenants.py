"""Tenants: id, display name, initial and verified domains, and the user-consent setting."""

from __future__ import annotations

from akslocal.directory import errors, firstparty, roles, validate
from akslocal.directory.kinds import TENANTS
from akslocal.directory.models import Tenant, from_doc, to_doc
from akslocal.store import Tx

DEFAULT_KEY = "default_tenant"


def create_tenant(
    tx: Tx,
    *,
    initial_domain: str,
    display_name: str,
    now: float,
    entropy,
    tenant_id: str | None = None,
    user_consent_allowed: bool = True,
) -> Tenant:
    """A new tenant with its directory roles and first-party service principals."""
    domain = validate.domain(initial_domain)
    validate.text(display_name, "displayName")
    if tenant_id is not None:
        tenant_id = validate.guid(tenant_id, "tenantId")
    if tx.find_one(TENANTS, "domain", domain) is not None:
        raise errors.DirectoryError(errors.BAD_REQUEST, f"The domain '{domain}' is already used by another tenant.")
    tenant = Tenant(
        id=tenant_id or entropy.guid(),
        display_name=display_name,
        initial_domain=domain,
        domains=(domain,),
        user_consent_allowed=user_consent_allowed,
        created=now,
    )
    tx.create(TENANTS, tenant.id, to_doc(tenant))
    roles.create_role_objects(tx, tenant.id, entropy)
    firstparty.ensure_first_party(tx, tenant.id, now=now, entropy=entropy)
    return tenant


def get_tenant(tx: Tx, tenant_id: str) -> Tenant | None:
    if not validate.is_guid(tenant_id):
        return None
    doc = tx.get(TENANTS, tenant_id.lower())
    return from_doc(Tenant, doc) if doc else None


def require_tenant(tx: Tx, tenant_id: str) -> Tenant:
    tenant = get_tenant(tx, tenant_id)
    if tenant is None:
        raise errors.not_found(tenant_id)
    return tenant


def resolve_tenant(tx: Tx, ref: str) -> Tenant | None:
    """A tenant by GUID or by one of its verified domains (case-insensitive)."""
    if not isinstance(ref, str) or not ref or len(ref) > 256:
        return None
    if validate.is_guid(ref):
        return get_tenant(tx, ref)
    record = tx.find_one(TENANTS, "domain", ref.lower())
    return from_doc(Tenant, record.doc) if record else None


def list_tenants(tx: Tx) -> list[Tenant]:
    return [from_doc(Tenant, r.doc) for r in tx.scan(TENANTS)]


def default_tenant(tx: Tx) -> Tenant | None:
    doc = tx.get(firstparty.SETTINGS, DEFAULT_KEY)
    return get_tenant(tx, doc["tenant_id"]) if doc else None


def set_default_tenant(tx: Tx, tenant_id: str) -> None:
    tx.put(firstparty.SETTINGS, DEFAULT_KEY, {"tenant_id": tenant_id})


def add_domain(tx: Tx, tenant_id: str, domain: str) -> Tenant:
    """Add a verified domain (there is no DNS to check against, so it is verified at once)."""
    domain = validate.domain(domain)
    tenant = require_tenant(tx, tenant_id)
    if domain in tenant.domains:
        return tenant
    if tx.find_one(TENANTS, "domain", domain) is not None:
        raise errors.DirectoryError(errors.BAD_REQUEST, f"The domain '{domain}' is already used by another tenant.")
    record = tx.update(TENANTS, tenant.id, lambda d: {**d, "domains": [*d["domains"], domain]})
    return from_doc(Tenant, record.doc)


def set_user_consent(tx: Tx, tenant_id: str, allowed: bool) -> Tenant:
    """Whether users may consent to apps for themselves (tenant setting)."""
    validate.boolean(allowed, "userConsentAllowed")
    require_tenant(tx, tenant_id)
    record = tx.update(TENANTS, tenant_id.lower(), lambda d: {**d, "user_consent_allowed": allowed})
    return from_doc(Tenant, record.doc)


def verified_domains(tenant: Tenant) -> tuple[str, ...]:
    return tenant.domains
