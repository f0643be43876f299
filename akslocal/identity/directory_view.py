"""What the token service reads from (and the one thing it writes to) the directory.

A narrow adapter over the directory's read API, so grants depend on these few functions
only.  First-party apps (Azure CLI, Microsoft Graph, the AKS apps) have no registration in
the customer's tenant; :func:`client_app` and :func:`resource_app` fall back to the
directory's static first-party registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from akslocal.directory import firstparty
from akslocal.store import Tx

COMMON_TENANTS = frozenset({"common", "organizations", "consumers"})
# The managed-AAD server app puts groups in its tokens (AKS maps them to RBAC subjects).
_FIRST_PARTY_GROUP_CLAIMS = {firstparty.AKS_SERVER: "All"}


@dataclass(frozen=True)
class SignInUser:
    """A user found for a sign-in: the account that proves the password, and the one the token is about."""

    account: Any  # directory User whose password is checked (home account for guests)
    user: Any  # directory User in the token's tenant (the guest object for guests)
    tenant_id: str


def resolve_tenant(tx: Tx, ref: str):
    from akslocal.directory import tenants

    return tenants.resolve_tenant(tx, ref)


def get_tenant(tx: Tx, tenant_id: str):
    from akslocal.directory import tenants

    return tenants.get_tenant(tx, tenant_id)


def find_sign_in_user(tx: Tx, tenant_id: str | None, username: str) -> SignInUser | None:
    """The user signing in as ``username`` (a UPN, or a guest's home address) in ``tenant_id``.

    ``tenant_id`` None (``common`` / ``organizations``): the tenant of the username's domain.
    A guest signs in with their home account; the token is issued for their guest object in
    the requested tenant.
    """
    from akslocal.directory import tenants, users

    username = username.strip()
    if "@" not in username or len(username) > 320:
        return None
    domain_tenant = tenants.resolve_tenant(tx, username.rsplit("@", 1)[1])
    target = tenant_id or (domain_tenant.id if domain_tenant else None)
    if target is None:
        return None
    direct = users.find_by_upn(tx, target, username)
    if direct is not None:
        if direct.user_type == "Guest" and direct.home_tenant_id and direct.home_tenant_id != target:
            return None  # a guest signs in with their home account, not the #EXT# name
        return SignInUser(direct, direct, target)
    if domain_tenant is None or domain_tenant.id == target:
        return None
    home = users.find_by_upn(tx, domain_tenant.id, username)
    if home is None:
        return None
    guest = _guest_of(tx, target, home)
    return SignInUser(home, guest, target) if guest is not None else None


def _guest_of(tx: Tx, tenant_id: str, home_user):
    from akslocal.directory import kinds, models

    for record in tx.find(kinds.USERS, "home", f"{home_user.tenant_id}/{home_user.id}"):
        if record.doc.get("tenant_id") == tenant_id:
            return models.from_doc(models.User, record.doc)
    return None


def check_password(user, password: str) -> bool:
    from akslocal.directory import users

    return users.check_password(user, password)


def client_app(tx: Tx, app_id: str):
    """The app registration (customer or first-party) of a client id, or None."""
    from akslocal.directory import apps

    app = firstparty.first_party_app(app_id) if firstparty.is_first_party(app_id) else None
    return app or apps.find_by_app_id(tx, app_id)


def service_principal(tx: Tx, tenant_id: str, app_id: str):
    from akslocal.directory import service_principals

    return service_principals.find_by_app_id(tx, tenant_id, app_id)


def resource_service_principal(tx: Tx, tenant_id: str, resource: str):
    from akslocal.directory import service_principals

    return service_principals.find_for_resource(tx, tenant_id, resource)


def resource_app(tx: Tx, sp):
    """The registration behind a resource's service principal (decides token version and group claims)."""
    return client_app(tx, sp.app_id)


def token_version(app) -> int:
    return 2 if app is not None and app.access_token_accepted_version == 2 else 1


def group_membership_claims(app) -> str | None:
    if app is None:
        return None
    value = app.group_membership_claims or _FIRST_PARTY_GROUP_CLAIMS.get(app.app_id)
    return None if value in (None, "None") else value


def verify_client_secret(tx: Tx, tenant_id: str, app_id: str, secret: str, now: float) -> bool:
    from akslocal.directory import credentials

    return credentials.verify_client_secret(tx, tenant_id, app_id, secret, now)


def is_preauthorized(client_app_id: str, resource_sp) -> bool:
    preauthorized = client_app_id.lower() in firstparty.PREAUTHORIZED_CLIENTS
    return preauthorized and bool(getattr(resource_sp, "first_party", False))


def delegated_scopes(tx: Tx, tenant_id: str, client_sp_id: str, resource_sp_id: str, user_id: str) -> set[str]:
    from akslocal.directory import grants

    return set(grants.delegated_scopes(tx, tenant_id, client_sp_id, resource_sp_id, user_id))


def record_user_consent(tx: Tx, tenant_id: str, client_sp_id: str, resource_sp_id: str, user_id: str, scopes) -> None:
    from akslocal.directory import grants

    grants.record_user_consent(tx, tenant_id, client_sp_id, resource_sp_id, user_id, sorted(scopes))


def app_role_values(tx: Tx, client_sp_id: str, resource_sp_id: str) -> list[str]:
    from akslocal.directory import grants

    return list(grants.app_role_values(tx, client_sp_id, resource_sp_id))


def transitive_group_ids(tx: Tx, tenant_id: str, member_id: str) -> list[str]:
    from akslocal.directory import groups

    return list(groups.transitive_group_ids(tx, tenant_id, member_id))


def security_group_ids(tx: Tx, tenant_id: str, group_ids: list[str]) -> list[str]:
    """The security-enabled groups among ``group_ids`` (``groupMembershipClaims: SecurityGroup``)."""
    from akslocal.directory import kinds

    kept = []
    for gid in group_ids:
        doc = tx.get(kinds.GROUPS, kinds.key(tenant_id, gid))
        if doc is None or doc.get("security_enabled", True):
            kept.append(gid)
    return kept


def application_group_ids(tx: Tx, tenant_id: str, group_ids: list[str], resource_sp_id: str) -> list[str]:
    """The groups among ``group_ids`` (a user's, transitive) that are assigned to the resource's
    service principal, with any app role (``groupMembershipClaims: ApplicationGroup``)."""
    from akslocal.directory import grants

    assigned = {a.principal_id for a in grants.list_assignments(tx, tenant_id, resource_id=resource_sp_id)
                if a.principal_type == "Group"}
    return [gid for gid in group_ids if gid.lower() in assigned]


def role_template_ids(tx: Tx, tenant_id: str, principal_id: str) -> list[str]:
    from akslocal.directory import roles

    return list(roles.role_template_ids_of(tx, tenant_id, principal_id))


def get_user(tx: Tx, tenant_id: str, object_id: str):
    from akslocal.directory import users

    return users.get_user(tx, tenant_id, object_id)
