"""Graph's authorization: bearer required; delegated = scp AND directory roles; app-only = roles. 403 paths."""

from __future__ import annotations

import pytest

from tests.graph.conftest import GRAPH, error_of
from tests.graph.test_endpoints import PASSWORD, new_user

DENIED = (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
APP_RW_ROLE = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"


@pytest.fixture(scope="module")
def member(graph):
    with graph.admin() as c:
        u = new_user(c, "plainmember")
    return u, graph.user_token(u["userPrincipalName"], PASSWORD)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not.a.jwt", "Basic YWRtaW46cGFzcw==", "Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0."],
)
def test_a_valid_bearer_token_is_required(graph, header) -> None:
    headers = {"Authorization": header} if header else {}
    with graph.client(**headers) as c:
        status, code, _ = error_of(c.get("/me"))
    assert (status, code) == (401, "InvalidAuthenticationToken")


def test_a_resource_manager_token_is_refused(graph) -> None:
    token = graph.user_token(
        "admin@akslocal.onmicrosoft.com", "Adm1n-Passw0rd!", "https://management.core.windows.net//.default"
    )
    with graph.client(token) as c:
        assert error_of(c.get("/me"))[:2] == (401, "InvalidAuthenticationToken")


def test_plain_member_reads_but_does_not_administer(graph, member) -> None:
    user, token = member
    with graph.admin() as c:
        admin_app = c.post("/applications", json={"displayName": "admins-app"}).json()
        graph_sp = c.get(f"/servicePrincipals(appId='{GRAPH}')").json()
    with graph.client(token) as c:
        assert c.get("/me").json()["id"] == user["id"]
        assert c.get("/users").status_code == 200
        assert (
            error_of(
                c.post(
                    "/users",
                    json={
                        "accountEnabled": True,
                        "displayName": "x",
                        "mailNickname": "x",
                        "userPrincipalName": "x@akslocal.onmicrosoft.com",
                        "passwordProfile": {"password": PASSWORD},
                    },
                )
            )
            == DENIED
        )
        assert (
            error_of(
                c.post(
                    "/groups",
                    json={"displayName": "g", "mailEnabled": False, "mailNickname": "g", "securityEnabled": True},
                )
            )
            == DENIED
        )
        # members may register apps (Entra's default) and manage their own, not others'
        own = c.post("/applications", json={"displayName": "mine", "identifierUris": ["api://mine"]})
        assert own.status_code == 201
        assert c.patch(f"/applications/{own.json()['id']}", json={"groupMembershipClaims": "All"}).status_code == 204
        assert error_of(c.patch(f"/applications/{admin_app['id']}", json={"displayName": "hijack"})) == DENIED
        sp = c.post("/servicePrincipals", json={"appId": own.json()["appId"]})
        assert sp.status_code == 201
        # granting for all principals and admin consent need a Global Administrator
        grant = c.post(
            "/oauth2PermissionGrants",
            json={
                "clientId": sp.json()["id"],
                "consentType": "AllPrincipals",
                "resourceId": graph_sp["id"],
                "scope": "User.Read",
            },
        )
        status, code, message = error_of(grant)
        assert (status, code) == (403, "Authorization_RequestDenied") and message.startswith(DENIED[2])
        assert error_of(c.post(f"/applications/{own.json()['id']}/akslocal.adminConsent"))[:2] == DENIED[:2]
        assert error_of(c.post("/directoryRoles/roleTemplateId=62e90394-69f5-4237-9190-012177145e10"))[0] in (400, 405)
    with graph.admin() as c:
        assert c.get(f"/applications/{admin_app['id']}").json()["displayName"] == "admins-app"
        assert (
            c.get("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{sp.json()['id']}'"}).json()["value"]
            == []
        )


def _confidential_app(graph, name: str, roles: list[str]) -> tuple[str, str]:
    with graph.admin() as c:
        app = c.post(
            "/applications",
            json={
                "displayName": name,
                "requiredResourceAccess": [
                    {"resourceAppId": GRAPH, "resourceAccess": [{"id": r, "type": "Role"} for r in roles]}
                ],
            },
        ).json()
        c.post("/servicePrincipals", json={"appId": app["appId"]})
        secret = c.post(f"/applications/{app['id']}/addPassword", json={"passwordCredential": {}}).json()["secretText"]
        if roles:
            assert c.post(f"/applications/{app['id']}/akslocal.adminConsent").status_code == 200
    return app["appId"], secret


def test_app_only_without_permissions_is_denied(graph) -> None:
    app_id, secret = _confidential_app(graph, "no-perms", [])
    with graph.client(graph.app_token(app_id, secret)) as c:
        assert error_of(c.get("/users")) == DENIED
        assert error_of(c.get("/applications")) == DENIED
        assert error_of(c.get("/me"))[:2] == (400, "BadRequest")


def test_app_only_with_application_readwrite(graph) -> None:
    app_id, secret = _confidential_app(graph, "app-writer", [APP_RW_ROLE])
    with graph.client(graph.app_token(app_id, secret)) as c:
        made = c.post("/applications", json={"displayName": "made-by-app"})
        assert made.status_code == 201, made.text
        assert c.get(f"/applications/{made.json()['id']}").status_code == 200
        assert error_of(c.get("/users")) == DENIED  # Application.ReadWrite.All does not read users


def test_delegated_scope_limits_a_global_admin(graph) -> None:
    """A token with only User.Read may see /me, and nothing else, even for a Global Administrator."""
    with graph.admin() as c:
        app = c.post(
            "/applications",
            json={
                "displayName": "user-read-only",
                "isFallbackPublicClient": True,
                "publicClient": {"redirectUris": ["http://localhost"]},
                "requiredResourceAccess": [
                    {"resourceAppId": GRAPH, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]}
                ],
            },
        ).json()
        c.post("/servicePrincipals", json={"appId": app["appId"]})
        assert c.post(f"/applications/{app['id']}/akslocal.adminConsent").status_code == 200
    token = graph.user_token(
        "admin@akslocal.onmicrosoft.com",
        "Adm1n-Passw0rd!",
        "https://graph.microsoft.com/User.Read",
        client_id=app["appId"],
    )
    with graph.client(token) as c:
        assert c.get("/me").status_code == 200
        assert error_of(c.get("/users")) == DENIED
        assert error_of(c.post("/applications", json={"displayName": "x"})) == DENIED


def test_other_tenants_objects_are_not_found(graph, tmp_path) -> None:
    fixture = tmp_path / "other.yaml"
    fixture.write_text(
        "tenants:\n  - domain: elsewhere.onmicrosoft.com\n    users:\n"
        "      - {upn: eve@elsewhere.onmicrosoft.com, password: Ev3-Passw0rd}\n"
        "    groups: [{displayName: eves, members: [eve@elsewhere.onmicrosoft.com]}]\n"
    )
    graph.import_fixture(fixture)
    eve_token = graph.user_token("eve@elsewhere.onmicrosoft.com", "Ev3-Passw0rd", tenant="elsewhere.onmicrosoft.com")
    with graph.client(eve_token) as c:
        eve = c.get("/me").json()
        [eves] = c.get("/me/memberOf").json()["value"]
    with graph.admin() as c:
        for path in (f"/users/{eve['id']}", f"/groups/{eves['id']}", f"/directoryObjects/{eve['id']}"):
            assert error_of(c.get(path))[:2] == (404, "Request_ResourceNotFound")
        assert error_of(c.patch(f"/users/{eve['id']}", json={"displayName": "pwned"}))[0] == 404
        assert error_of(c.delete(f"/groups/{eves['id']}"))[0] == 404
        mine = c.post(
            "/groups", json={"displayName": "mine", "mailEnabled": False, "mailNickname": "m", "securityEnabled": True}
        ).json()
        add = c.post(
            f"/groups/{mine['id']}/members/$ref", json={"@odata.id": f"{graph.url}/v1.0/directoryObjects/{eve['id']}"}
        )
        assert error_of(add)[0] == 404
        assert c.post("/directoryObjects/getByIds", json={"ids": [eve["id"]]}).json()["value"] == []
    with graph.client(eve_token) as c:
        assert c.get("/me").json()["displayName"] == eve["displayName"]
        assert c.get(f"/groups/{eves['id']}/members").json()["value"][0]["id"] == eve["id"]


def test_an_owner_may_manage_an_app_without_an_admin_role(graph) -> None:
    with graph.admin() as c:
        owner = new_user(c, "appowner")
        app = c.post("/applications", json={"displayName": "owned"}).json()
        add = c.post(
            f"/applications/{app['id']}/owners/$ref",
            json={"@odata.id": f"{graph.url}/v1.0/directoryObjects/{owner['id']}"},
        )
        assert add.status_code == 204, add.text
        owners = c.get(f"/applications/{app['id']}/owners").json()["value"]
        # the creator (the admin) is an owner too, as in Entra
        assert ("#microsoft.graph.user", owner["id"]) in [(o["@odata.type"], o["id"]) for o in owners]
        assert len(owners) == 2
    with graph.client(graph.user_token(owner["userPrincipalName"], PASSWORD)) as c:
        assert c.patch(f"/applications/{app['id']}", json={"displayName": "owned-renamed"}).status_code == 204
        assert c.post(f"/applications/{app['id']}/addPassword", json={"passwordCredential": {}}).status_code == 200
    with graph.admin() as c:
        assert c.delete(f"/applications/{app['id']}/owners/{owner['id']}/$ref").status_code == 204
    with graph.client(graph.user_token(owner["userPrincipalName"], PASSWORD)) as c:
        assert error_of(c.patch(f"/applications/{app['id']}", json={"displayName": "again"})) == DENIED
