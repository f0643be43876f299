"""groups/wids by the resource app's groupMembershipClaims, through the token endpoint (no HTTP)."""

from __future__ import annotations

import json

import pytest

from akslocal.directory import apps, bootstrap, grants, groups, roles, service_principals, tenants, users
from akslocal.identity.bootstrap import bootstrap as identity_bootstrap
from akslocal.identity.grants import endpoint
from akslocal.identity.grants.base import TokenRequest
from akslocal.identity.tokens import b64url_decode

PASSWORD = "Alice-Passw0rd!"


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


@pytest.mark.parametrize(
    "setting, expect_groups, expect_wids",
    [
        pytest.param(None, None, False, id="none"),
        pytest.param("SecurityGroup", {"sec", "outer"}, True, id="security-groups"),
        pytest.param("All", {"sec", "m365", "outer"}, True, id="all"),
        pytest.param("DirectoryRole", None, True, id="directory-roles"),
        pytest.param("ApplicationGroup", {"outer"}, False, id="application-groups"),
    ],
)
def test_group_membership_claims(services, monkeypatch, setting, expect_groups, expect_wids):
    monkeypatch.setenv("AKSLOCAL_ADMIN_PASSWORD", "Adm1n-Passw0rd!")
    bootstrap.bootstrap(services)
    identity_bootstrap(services)
    now, e = services.clock.now(), services.entropy
    with services.store.transaction() as tx:
        tenant = tenants.default_tenant(tx)
        admin = users.find_by_upn(tx, tenant.id, bootstrap.ADMIN_UPN)
        alice = users.create_user(tx, tenant.id, upn="alice@akslocal.onmicrosoft.com", display_name="Alice",
                                  password=PASSWORD, now=now, entropy=e)
        names = {}
        for name, security in (("sec", True), ("m365", False)):
            g = groups.create_group(tx, tenant.id, display_name=name, now=now, entropy=e, security_enabled=security,
                                    mail_enabled=not security, group_types=() if security else ("Unified",))
            groups.add_member(tx, tenant.id, g.id, alice.id)
            names[g.id] = name
        # "outer" holds alice through "sec" (nested); it is the one group assigned to the api below
        outer = groups.create_group(tx, tenant.id, display_name="outer", now=now, entropy=e)
        groups.add_member(tx, tenant.id, outer.id, next(g for g, n in names.items() if n == "sec"))
        names[outer.id] = "outer"
        roles.add_member(tx, tenant.id, roles.GLOBAL_READER, alice.id)
        api = apps.create_application(tx, tenant.id, {"display_name": "api", "identifier_uris": ("api://gc",),
                                                      "group_membership_claims": setting}, now=now, entropy=e)
        api_sp = service_principals.create_service_principal(tx, tenant.id, api.app_id, now=now, entropy=e)
        grants.assign_app_role(tx, tenant.id, actor_id=admin.id, principal_id=outer.id, resource_id=api_sp.id,
                               app_role_id=grants.DEFAULT_ACCESS_ROLE, now=now, entropy=e)
        client = apps.create_application(tx, tenant.id, {"display_name": "cli", "public_client": True},
                                         now=now, entropy=e)
        client_sp = service_principals.create_service_principal(tx, tenant.id, client.app_id, now=now, entropy=e)
        grants.create_grant(tx, tenant.id, actor_id=admin.id, client_id=client_sp.id, consent_type="AllPrincipals",
                            resource_id=api_sp.id, scope="user_impersonation", entropy=e)
    request = TokenRequest(version=2, tenant_ref=tenant.id, client_id=client.app_id, form={
        "grant_type": "password", "username": alice.upn, "password": PASSWORD, "scope": "api://gc/.default"})
    status, body = endpoint.handle(services, request)
    assert status == 200, body
    claims = claims_of(body["access_token"])
    got = {names[g] for g in claims["groups"]} if "groups" in claims else None
    assert got == expect_groups
    assert ("wids" in claims) == expect_wids
    if expect_wids:
        assert claims["wids"] == [roles.GLOBAL_READER]
