"""The directory the ARM tests use, written straight into a store (unit tests) or a data dir (live tests).

Default tenant: the bootstrap admin, alice (member of ``aks-admins``), the seed's server app
(identifier URI, service principal, a secret) and client app (public client), and an
automation app whose service principal has no role yet.  A second tenant, Contoso, with
carol and a subscription of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from akslocal.arm import bootstrap as arm_bootstrap
from akslocal.arm import subscriptions
from akslocal.clock import StoreClock
from akslocal.directory import apps, bootstrap, credentials, grants, groups, service_principals, tenants, users
from akslocal.directory.models import RequiredResourceAccess, ResourceAccess
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

PASSWORD = "Alice-Passw0rd!"
ADMIN_PASSWORD = "Adm1n-Passw0rd!"
ADMIN = "admin@akslocal.onmicrosoft.com"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


@dataclass
class Seed:
    tenant_id: str = ""
    subscription_id: str = ""
    admin_id: str = ""
    alice_id: str = ""
    group_id: str = ""
    server_app_id: str = ""
    server_secret: str = ""
    client_app_id: str = ""
    robot_app_id: str = ""
    robot_sp_id: str = ""
    robot_secret: str = ""
    other_tenant_id: str = ""
    other_subscription_id: str = ""


def seed_directory(services: Services) -> Seed:
    os.environ.setdefault("AKSLOCAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    bootstrap.bootstrap(services)
    arm_bootstrap.bootstrap(services)
    s = Seed()
    now, e = services.clock.now(), services.entropy
    with services.store.transaction() as tx:
        tenant = tenants.default_tenant(tx)
        s.tenant_id = tenant.id
        s.subscription_id = subscriptions.default_subscription(tx)["subscriptionId"]
        s.admin_id = users.find_by_upn(tx, tenant.id, ADMIN).id
        alice = users.create_user(tx, tenant.id, upn="alice@akslocal.onmicrosoft.com", display_name="Alice",
                                  password=PASSWORD, now=now, entropy=e)
        s.alice_id = alice.id
        group = groups.create_group(tx, tenant.id, display_name="aks-admins", now=now, entropy=e)
        groups.add_member(tx, tenant.id, group.id, alice.id)
        s.group_id = group.id
        server = apps.create_application(tx, tenant.id, {
            "display_name": "myaksclusterServer", "identifier_uris": ("https://myaksclusterServer",),
            "group_membership_claims": "All"}, now=now, entropy=e)
        server_sp = service_principals.create_service_principal(tx, tenant.id, server.app_id, now=now, entropy=e)
        s.server_app_id = server.app_id
        s.server_secret = credentials.add_password(tx, tenant.id, credentials.APPLICATION, server.id, now=now,
                                                   entropy=e).secret_text
        # As the seed document does: the client asks for the server's user_impersonation, granted for everyone.
        client = apps.create_application(tx, tenant.id, {
            "display_name": "myaksclusterClient", "public_client": True,
            "public_client_redirect_uris": ("https://myaksclusterClient",),
            "required_resource_access": (RequiredResourceAccess(server.app_id, (
                ResourceAccess(server.oauth2_scopes[0].id, "Scope"),)),)}, now=now, entropy=e)
        client_sp = service_principals.create_service_principal(tx, tenant.id, client.app_id, now=now, entropy=e)
        s.client_app_id = client.app_id
        grants.create_grant(tx, tenant.id, actor_id=s.admin_id, client_id=client_sp.id, consent_type="AllPrincipals",
                            resource_id=server_sp.id, scope="user_impersonation", entropy=e)
        robot = apps.create_application(tx, tenant.id, {"display_name": "robot"}, now=now, entropy=e)
        robot_sp = service_principals.create_service_principal(tx, tenant.id, robot.app_id, now=now, entropy=e)
        s.robot_app_id, s.robot_sp_id = robot.app_id, robot_sp.id
        s.robot_secret = credentials.add_password(tx, tenant.id, credentials.APPLICATION, robot.id, now=now,
                                                  entropy=e).secret_text
        other = tenants.create_tenant(tx, initial_domain="contoso.onmicrosoft.com", display_name="Contoso", now=now,
                                      entropy=e)
        s.other_tenant_id = other.id
        users.create_user(tx, other.id, upn="carol@contoso.onmicrosoft.com", display_name="Carol",
                          password=PASSWORD, now=now, entropy=e)
        s.other_subscription_id = subscriptions.create_subscription(tx, other.id, "contoso", e)["subscriptionId"]
    return s


def seed_data_dir(data_dir: Path, port: int) -> Seed:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, port=port)
    store = open_store(settings.store_url)
    try:
        return seed_directory(Services(store, StoreClock(store, data_dir), Entropy(), settings))
    finally:
        store.close()
