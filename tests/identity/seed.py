"""A directory for the token-service tests, written into a data dir before the server starts.

Objects: tenant (bootstrap default) with alice (member, 3 groups), bob (member, no consent
granted), a guest of a second tenant; an API app (confidential, identifier URI, an app role,
Graph User.Read granted for on-behalf-of) and a public client app granted the API's
``user_impersonation`` for all principals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from akslocal.clock import StoreClock
from akslocal.directory import apps, bootstrap, credentials, grants, groups, service_principals, tenants, users
from akslocal.directory.firstparty import GRAPH
from akslocal.directory.models import AppRole, RequiredResourceAccess, ResourceAccess
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

PASSWORD = "Alice-Passw0rd!"
ADMIN_PASSWORD = "Adm1n-Passw0rd!"
API_URI = "api://akslocal-test-api"
ROLE_ID = "5d0e2f5e-8c2a-4c63-9a51-6a1f2b3c4d5e"


@dataclass
class Seed:
    tenant_id: str = ""
    domain: str = "akslocal.onmicrosoft.com"
    other_tenant_id: str = ""
    alice_id: str = ""
    bob_id: str = ""
    guest_id: str = ""
    group_ids: list[str] = field(default_factory=list)
    api_app_id: str = ""
    api_secret: str = ""
    api_sp_id: str = ""
    client_app_id: str = ""
    v2_api_app_id: str = ""
    web_app_id: str = ""
    web_secret: str = ""
    redirect_uri: str = "https://webapp.example/callback"
    many_groups_id: str = ""
    consent_client_id: str = ""
    admin_client_id: str = ""


def seed(data_dir: Path, port: int, database_url: str | None = None) -> Seed:
    import os

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, port=port, database_url=database_url)
    store = open_store(settings.store_url)
    services = Services(store, StoreClock(store, data_dir), Entropy(), settings)
    os.environ.setdefault("AKSLOCAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    bootstrap.bootstrap(services)
    s = Seed()
    now, e = services.clock.now(), services.entropy
    with store.transaction() as tx:
        tenant = tenants.default_tenant(tx)
        s.tenant_id = tenant.id
        admin = users.find_by_upn(tx, tenant.id, bootstrap.ADMIN_UPN)
        alice = users.create_user(tx, tenant.id, upn=f"alice@{s.domain}", display_name="Alice Smith",
                                  password=PASSWORD, now=now, entropy=e, given_name="Alice", surname="Smith")
        bob = users.create_user(tx, tenant.id, upn=f"bob@{s.domain}", display_name="Bob", password=PASSWORD,
                                now=now, entropy=e)
        s.alice_id, s.bob_id = alice.id, bob.id
        for name in ("ops", "dev", "sre"):
            g = groups.create_group(tx, tenant.id, display_name=name, now=now, entropy=e)
            groups.add_member(tx, tenant.id, g.id, alice.id)
            s.group_ids.append(g.id)
        other = tenants.create_tenant(tx, initial_domain="contoso.onmicrosoft.com", display_name="Contoso",
                                      now=now, entropy=e)
        s.other_tenant_id = other.id
        carol = users.create_user(tx, other.id, upn="carol@contoso.onmicrosoft.com", display_name="Carol",
                                  password=PASSWORD, now=now, entropy=e, mail="carol@contoso.onmicrosoft.com")
        guest = users.invite_guest(tx, tenant.id, email=carol.upn, now=now, entropy=e, display_name="Carol")
        s.guest_id = guest.id

        api = apps.create_application(tx, tenant.id, {
            "display_name": "test-api", "identifier_uris": (API_URI,), "group_membership_claims": "All",
            "app_roles": (AppRole(id=ROLE_ID, value="Data.Read", display_name="Read"),),
            "required_resource_access": (RequiredResourceAccess(GRAPH, (ResourceAccess(
                "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "Scope"),)),),
            "web_redirect_uris": (s.redirect_uri,),
        }, now=now, entropy=e)
        api_sp = service_principals.create_service_principal(tx, tenant.id, api.app_id, now=now, entropy=e)
        s.api_app_id, s.api_sp_id = api.app_id, api_sp.id
        s.api_secret = credentials.add_password(tx, tenant.id, credentials.APPLICATION, api.id, now=now,
                                                entropy=e).secret_text
        graph_sp = service_principals.find_by_app_id(tx, tenant.id, GRAPH)
        grants.create_grant(tx, tenant.id, actor_id=admin.id, client_id=api_sp.id, consent_type="AllPrincipals",
                            resource_id=graph_sp.id, scope="User.Read", entropy=e)
        grants.assign_app_role(tx, tenant.id, actor_id=admin.id, principal_id=api_sp.id, resource_id=api_sp.id,
                               app_role_id=ROLE_ID, now=now, entropy=e)

        scope_id = api.oauth2_scopes[0].id
        client = apps.create_application(tx, tenant.id, {
            "display_name": "test-client", "public_client": True,
            "public_client_redirect_uris": ("http://localhost",),
            "required_resource_access": (RequiredResourceAccess(api.app_id, (ResourceAccess(scope_id, "Scope"),)),),
        }, now=now, entropy=e)
        client_sp = service_principals.create_service_principal(tx, tenant.id, client.app_id, now=now, entropy=e)
        s.client_app_id = client.app_id
        grants.create_grant(tx, tenant.id, actor_id=admin.id, client_id=client_sp.id, consent_type="AllPrincipals",
                            resource_id=api_sp.id, scope="user_impersonation", entropy=e)

        v2api = apps.create_application(tx, tenant.id, {
            "display_name": "v2-api", "identifier_uris": ("api://akslocal-v2-api",), "access_token_accepted_version": 2,
        }, now=now, entropy=e)
        v2_sp = service_principals.create_service_principal(tx, tenant.id, v2api.app_id, now=now, entropy=e)
        s.v2_api_app_id = v2api.app_id
        grants.create_grant(tx, tenant.id, actor_id=admin.id, client_id=client_sp.id, consent_type="AllPrincipals",
                            resource_id=v2_sp.id, scope="user_impersonation", entropy=e)

        web = apps.create_application(tx, tenant.id, {
            "display_name": "test-web", "web_redirect_uris": (s.redirect_uri,),
            "required_resource_access": (RequiredResourceAccess(api.app_id, (ResourceAccess(scope_id, "Scope"),)),),
        }, now=now, entropy=e)
        service_principals.create_service_principal(tx, tenant.id, web.app_id, now=now, entropy=e)
        s.web_app_id = web.app_id
        s.web_secret = credentials.add_password(tx, tenant.id, credentials.APPLICATION, web.id, now=now,
                                                entropy=e).secret_text
        many = users.create_user(tx, tenant.id, upn=f"dana@{s.domain}", display_name="Dana", password=PASSWORD,
                                 now=now, entropy=e)
        s.many_groups_id = many.id
        for i in range(201):
            g = groups.create_group(tx, tenant.id, display_name=f"team-{i}", now=now, entropy=e)
            groups.add_member(tx, tenant.id, g.id, many.id)

        # public clients without any grant: one a user may consent to, one that needs an admin
        for attr, name, resource_app, access_id in (
            ("consent_client_id", "consent-client", api.app_id, scope_id),
            ("admin_client_id", "admin-client", GRAPH, "06da0dbc-49e2-44d2-8312-53f166ab848a"),
        ):
            app = apps.create_application(tx, tenant.id, {
                "display_name": name, "public_client": True,
                "required_resource_access": (RequiredResourceAccess(resource_app, (ResourceAccess(access_id,
                                                                                                  "Scope"),)),),
            }, now=now, entropy=e)
            service_principals.create_service_principal(tx, tenant.id, app.app_id, now=now, entropy=e)
            setattr(s, attr, app.app_id)
    store.close()
    return s
