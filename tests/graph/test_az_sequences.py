"""The request sequences the real az CLI (2.91) sends to Graph, replayed as recorded
(reference/real-az-cli-and-msal.md §4 and entra-protocol.md §6.1), with the answers it needs."""

from __future__ import annotations

import datetime as dt

import jmespath

from tests.graph.conftest import GRAPH, error_of

USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
DIRECTORY_READ_SCOPE = "06da0dbc-49e2-44d2-8312-53f166ab848a"
DIRECTORY_READ_ROLE = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"


def az_app_create(c, name: str, uri: str) -> dict:
    """§4.6: list by startswith(displayName), then POST (or PATCH + GET when one exact match exists)."""
    found = c.get("/applications", params={"$filter": f"startswith(displayName,'{name}')"})
    assert found.status_code == 200
    same = [a for a in found.json()["value"] if a["displayName"] == name and uri in a["identifierUris"]]
    if len(same) == 1:
        patched = c.patch(f"/applications/{same[0]['id']}", json={"displayName": name, "identifierUris": [uri]})
        assert patched.status_code == 204 and patched.content == b""
        return c.get(f"/applications/{same[0]['id']}").json()
    created = c.post("/applications", json={"displayName": name, "identifierUris": [uri], "keyCredentials": []})
    assert created.status_code == 201, created.text
    return created.json()


def test_signed_in_user_show(graph) -> None:
    with graph.admin() as c:
        me = c.get("/me")
    assert me.status_code == 200
    body = me.json()
    assert body["userPrincipalName"] == "admin@akslocal.onmicrosoft.com"
    assert body["@odata.context"].endswith("/v1.0/$metadata#users/$entity")
    assert {"id", "displayName", "businessPhones", "mail", "surname", "givenName"} <= set(body)
    assert jmespath.search("objectId", body) == body["id"]  # the legacy guide's query for a guest


def test_seed_server_app_flow(graph) -> None:
    with graph.admin() as c:
        # az ad app create --display-name myaksServer --identifier-uris https://myaksServer --query appId
        app = az_app_create(c, "myaksServer", "https://myaksServer")
        assert {"id", "appId", "displayName", "identifierUris", "passwordCredentials", "keyCredentials"} <= set(app)
        # the legacy guide's --query "oauth2Permissions[0].id"
        scope_id = jmespath.search("oauth2Permissions[0].id", app)
        assert scope_id and jmespath.search("api.oauth2PermissionScopes[0].value", app) == "user_impersonation"
        assert app["objectId"] == app["id"]
        # the same create again: one exact match -> PATCH + GET (the CLI's "Found an existing application instance")
        again = az_app_create(c, "myaksServer", "https://myaksServer")
        assert again["appId"] == app["appId"]

        # az ad app update --id $appId --set groupMembershipClaims=All
        shown = c.get("/applications", params={"$filter": f"appId eq '{app['appId']}'"}).json()["value"]
        assert [a["id"] for a in shown] == [app["id"]]
        assert c.patch(f"/applications/{app['id']}", json={"groupMembershipClaims": "All"}).status_code == 204

        # az ad sp create --id $appId (§4.7)
        assert c.get("/applications", params={"$filter": f"appId eq '{app['appId']}'"}).json()["value"]
        sp = c.post("/servicePrincipals", json={"appId": app["appId"], "accountEnabled": True})
        assert sp.status_code == 201, sp.text
        sp = sp.json()
        assert sp["servicePrincipalNames"] == [app["appId"], "https://myaksServer"]

        # az ad sp credential reset --id $appId (§4.8)
        listed = c.get("/servicePrincipals", params={"$filter": f"servicePrincipalNames/any(c:c eq '{app['appId']}')"})
        [found] = listed.json()["value"]
        assert c.get(f"/servicePrincipals/{found['id']}").json()["appId"] == app["appId"]
        now = dt.datetime.now(dt.UTC)
        added = c.post(
            f"/servicePrincipals/{found['id']}/addPassword",
            json={
                "passwordCredential": {
                    "displayName": None,
                    "startDateTime": now.isoformat(),
                    "endDateTime": (now + dt.timedelta(days=365)).isoformat(),
                }
            },
        )
        assert added.status_code == 200, added.text
        secret = added.json()
        assert set(secret) >= {
            "secretText",
            "keyId",
            "startDateTime",
            "endDateTime",
            "hint",
            "displayName",
            "customKeyIdentifier",
        }
        assert secret["hint"] == secret["secretText"][:3]
        # shown once: never again
        again_sp = c.get(f"/servicePrincipals/{found['id']}").json()
        assert again_sp["passwordCredentials"][0]["secretText"] is None
        assert secret["secretText"] not in c.get(f"/servicePrincipals/{found['id']}").text

        # az ad app permission add --api 00000003-… --api-permissions e1fe…=Scope 06da…=Scope 7ab1…=Role
        current = c.get("/applications", params={"$filter": f"appId eq '{app['appId']}'"}).json()["value"][0]
        required = current["requiredResourceAccess"] + [
            {
                "resourceAppId": GRAPH,
                "resourceAccess": [
                    {"id": USER_READ, "type": "Scope"},
                    {"id": DIRECTORY_READ_SCOPE, "type": "Scope"},
                    {"id": DIRECTORY_READ_ROLE, "type": "Role"},
                ],
            }
        ]
        assert c.patch(f"/applications/{app['id']}", json={"requiredResourceAccess": required}).status_code == 204
        # no grant was created by that
        assert c.get("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{sp['id']}'"}).json()["value"] == []

        # az ad app permission grant --id $appId --api 00000003-… --scope "User.Read Directory.Read.All"
        client_sp = c.get("/servicePrincipals", params={"$filter": f"appId eq '{app['appId']}'"}).json()["value"][0]
        graph_sp = c.get("/servicePrincipals", params={"$filter": f"appId eq '{GRAPH}'"}).json()["value"][0]
        for old in c.get("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{client_sp['id']}'"}).json()[
            "value"
        ]:
            if old["resourceId"] == graph_sp["id"]:
                assert c.delete(f"/oAuth2PermissionGrants/{old['id']}").status_code == 204
        grant = c.post(
            "/oauth2PermissionGrants",
            json={
                "clientId": client_sp["id"],
                "consentType": "AllPrincipals",
                "principalId": None,
                "resourceId": graph_sp["id"],
                "scope": "User.Read Directory.Read.All",
            },
        )
        assert grant.status_code == 201, grant.text
        assert grant.json()["scope"] == "User.Read Directory.Read.All"
        # granting again the way the CLI does: delete the old one first, then create
        [old] = c.get("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{client_sp['id']}'"}).json()["value"]
        assert c.delete(f"/oAuth2PermissionGrants/{old['id']}").status_code == 204
        assert (
            c.post(
                "/oauth2PermissionGrants",
                json={
                    "clientId": client_sp["id"],
                    "consentType": "AllPrincipals",
                    "principalId": None,
                    "resourceId": graph_sp["id"],
                    "scope": "User.Read",
                },
            ).status_code
            == 201
        )

        # az ad app permission admin-consent (akslocal's action; the real CLI calls a portal API)
        consent = c.post(f"/applications/{app['id']}/akslocal.adminConsent")
        assert consent.status_code == 200, consent.text
        roles = c.get(f"/servicePrincipals/{client_sp['id']}/appRoleAssignments").json()["value"]
        assert [(r["appRoleId"], r["resourceId"]) for r in roles] == [(DIRECTORY_READ_ROLE, graph_sp["id"])]

        # az ad app show --id <identifier URI>: appId filter, then identifierUris filter
        by_app_id = c.get("/applications", params={"$filter": "appId eq 'https://myaksServer'"}).json()["value"]
        assert by_app_id == []
        by_uri = c.get("/applications", params={"$filter": "identifierUris/any(s:s eq 'https://myaksServer')"})
        assert [a["appId"] for a in by_uri.json()["value"]] == [app["appId"]]
        shown = c.get(f"/applications/{app['id']}").json()
        assert shown["groupMembershipClaims"] == "All"

    # the secret works at the token service, and the app-only token carries the consented role
    token = graph.app_token(app["appId"], secret["secretText"])
    with graph.client(token) as c:
        users = c.get("/users")
        assert users.status_code == 200, users.text
        assert error_of(c.post("/applications", json={"displayName": "nope"}))[:2] == (
            403,
            "Authorization_RequestDenied",
        )


def test_sp_credential_reset_replaces_old_secret(graph) -> None:
    with graph.admin() as c:
        app = c.post("/applications", json={"displayName": "resetme"}).json()
        sp = c.post("/servicePrincipals", json={"appId": app["appId"], "accountEnabled": True}).json()
        first = c.post(
            f"/servicePrincipals/{sp['id']}/addPassword", json={"passwordCredential": {"displayName": "one"}}
        ).json()
        # reset without --append: removePassword for each existing one, then addPassword
        for cred in c.get(f"/servicePrincipals/{sp['id']}").json()["passwordCredentials"]:
            assert (
                c.post(f"/servicePrincipals/{sp['id']}/removePassword", json={"keyId": cred["keyId"]}).status_code
                == 204
            )
        second = c.post(
            f"/servicePrincipals/{sp['id']}/addPassword", json={"passwordCredential": {"displayName": "two"}}
        ).json()
        assert [p["keyId"] for p in c.get(f"/servicePrincipals/{sp['id']}").json()["passwordCredentials"]] == [
            second["keyId"]
        ]
    import msal

    old = msal.ConfidentialClientApplication(
        app["appId"],
        client_credential=first["secretText"],
        authority=f"{graph.url}/{graph.tenant_id}",
        instance_discovery=False,
    ).acquire_token_for_client(["https://graph.microsoft.com/.default"])
    assert old.get("error") == "invalid_client"
    assert graph.app_token(app["appId"], second["secretText"])


def test_application_add_password(graph) -> None:
    with graph.admin() as c:
        app = c.post("/applications", json={"displayName": "appcred"}).json()
        added = c.post(f"/applications/{app['id']}/addPassword", json={"passwordCredential": {"displayName": "ci"}})
        assert added.status_code == 200
        body = added.json()
        assert body["displayName"] == "ci" and len(body["secretText"]) == 40
        listed = c.get(f"/applications(appId='{app['appId']}')").json()["passwordCredentials"]
        assert [(p["keyId"], p["hint"], p["secretText"]) for p in listed] == [
            (body["keyId"], body["secretText"][:3], None)
        ]
        gone = c.post(f"/applications/{app['id']}/removePassword", json={"keyId": body["keyId"]})
        assert gone.status_code == 204
        assert c.get(f"/applications/{app['id']}").json()["passwordCredentials"] == []
