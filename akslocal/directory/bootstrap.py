"""The default tenant and its Global Administrator, created on first start and kept after.

Banner lines: ``Tenant: <guid>``, ``Admin: admin@akslocal.onmicrosoft.com`` and, only
when the password was generated on this start, ``Admin password: <pw>``.
"""

from __future__ import annotations

import os

from akslocal.directory import firstparty, roles, tenants, users
from akslocal.store import AlreadyExists

DEFAULT_DOMAIN = "akslocal.onmicrosoft.com"
ADMIN_UPN = f"admin@{DEFAULT_DOMAIN}"
PASSWORD_ENV = "AKSLOCAL_ADMIN_PASSWORD"


def generated_password(entropy) -> str:
    # Always meets the complexity rule: upper, lower, digit and symbol are present.
    return "Ak" + entropy.choice_string("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 14) + "7!"


def bootstrap(services, *, record_edge: bool = True) -> list[str]:
    for attempt in range(3):
        try:
            return _bootstrap(services, record_edge)
        except AlreadyExists:
            # Another server process on the same database bootstrapped first; read its result.
            if attempt == 2:
                raise
    return []


def _bootstrap(services, record_edge: bool) -> list[str]:
    now, entropy = services.clock.now(), services.entropy
    lines: list[str] = []
    with services.store.transaction() as tx:
        if record_edge:
            firstparty.record_edge_url(tx, services.settings.public_url)
        tenant = tenants.default_tenant(tx)
        if tenant is None:
            tenant = tenants.resolve_tenant(tx, DEFAULT_DOMAIN) or tenants.create_tenant(
                tx, initial_domain=DEFAULT_DOMAIN, display_name="akslocal", now=now, entropy=entropy
            )
            tenants.set_default_tenant(tx, tenant.id)
        for other in tenants.list_tenants(tx):
            firstparty.ensure_first_party(tx, other.id, now=now, entropy=entropy)
        admin = users.find_by_upn(tx, tenant.id, ADMIN_UPN)
        password = None
        if admin is None:
            password = os.environ.get(PASSWORD_ENV) or None
            generated = password is None
            password = password or generated_password(entropy)
            admin = users.create_user(
                tx,
                tenant.id,
                upn=ADMIN_UPN,
                display_name="akslocal Administrator",
                password=password,
                now=now,
                entropy=entropy,
                given_name="akslocal",
                surname="Administrator",
            )
            if not generated:
                password = None
        roles.ensure_member(tx, tenant.id, roles.GLOBAL_ADMINISTRATOR, admin.id)
    lines.append(f"Tenant: {tenant.id}")
    lines.append(f"Admin: {ADMIN_UPN}")
    if password is not None:
        _keep_initial_password(services.settings.data_dir, password)
        lines.append(f"Admin password: {password}   (shown once; set ${PASSWORD_ENV} to choose it)")
        kept = services.settings.data_dir / INITIAL_PASSWORD_FILE
        lines.append(f"  (also kept in {kept}, mode 0600, for 'akslocal demo')")
    return lines


INITIAL_PASSWORD_FILE = "initial-admin-password"


def _keep_initial_password(data_dir, password: str) -> None:
    """Like Jenkins' initialAdminPassword: a generated password survives a scrolled-away banner."""
    path = data_dir / INITIAL_PASSWORD_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
