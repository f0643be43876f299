"""Hostile input over HTTP: clear Graph errors, never a 500, and nothing changed."""

from __future__ import annotations

import pytest

from tests.graph.conftest import error_of


def state(c) -> dict:
    """Everything a bad write could have touched, as the admin sees it."""
    return {
        path: c.get(path, params={"$top": "999"}).json()["value"]
        for path in ("/applications", "/servicePrincipals", "/users", "/groups", "/oauth2PermissionGrants")
    }


@pytest.fixture(scope="module")
def target(graph):
    with graph.admin() as c:
        app = c.post("/applications", json={"displayName": "target", "identifierUris": ["https://target"]}).json()
        sp = c.post("/servicePrincipals", json={"appId": app["appId"]}).json()
    return app, sp


@pytest.mark.parametrize(
    "method, path, body, expected",
    [
        ("POST", "/applications", {"displayName": "x", "colour": "red"}, (400, "Request_BadRequest")),
        ("POST", "/applications", {"displayName": 42}, (400, "Request_BadRequest")),
        ("POST", "/applications", {"displayName": "x", "identifierUris": "https://x"}, (400, "Request_BadRequest")),
        ("POST", "/applications", {"displayName": "x", "identifierUris": ["not a uri"]}, (400, "Request_BadRequest")),
        (
            "POST",
            "/applications",
            {"displayName": "x", "identifierUris": ["https://TARGET/"]},
            (400, "Request_BadRequest"),
        ),
        ("POST", "/applications", {"displayName": "x" * 300}, (400, "Request_BadRequest")),
        (
            "POST",
            "/applications",
            {"displayName": "x", "groupMembershipClaims": "Everything"},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/applications",
            {"displayName": "x", "api": {"requestedAccessTokenVersion": 3}},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/applications",
            {"displayName": "x", "requiredResourceAccess": [{"resourceAppId": "nope"}]},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/applications",
            {"displayName": "x", "passwordCredentials": [{"secretText": "mine"}]},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/applications",
            {"displayName": "x", "appRoles": [{"id": "x", "allowedMemberTypes": ["Robot"]}]},
            (400, "Request_BadRequest"),
        ),
        ("POST", "/applications", {"identifierUris": ["https://no-name"]}, (400, "Request_BadRequest")),
        ("POST", "/applications", {"displayName": "'; DROP TABLE records; --"}, None),  # fine: just a name
        (
            "PATCH",
            "/applications/{app}",
            {"appId": "11111111-1111-1111-1111-111111111111"},
            (400, "Request_BadRequest"),
        ),
        ("PATCH", "/applications/{app}", {"api": {"oauth2PermissionScopes": []}}, (400, "Request_BadRequest")),
        ("PATCH", "/applications/not-a-guid", {"displayName": "y"}, (404, "Request_ResourceNotFound")),
        (
            "PATCH",
            "/applications/33333333-3333-3333-3333-333333333333",
            {"displayName": "y"},
            (404, "Request_ResourceNotFound"),
        ),
        ("POST", "/servicePrincipals", {"appId": "{appid}"}, (409, "Request_MultipleObjectsWithSameKeyValue")),
        ("POST", "/servicePrincipals", {"appId": "not-a-guid"}, (400, "Request_BadRequest")),
        (
            "POST",
            "/servicePrincipals/{sp}/addPassword",
            {"passwordCredential": {"endDateTime": "yesterday"}},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/servicePrincipals/{sp}/addPassword",
            {"passwordCredential": {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2029-01-01T00:00:00Z"}},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/servicePrincipals/{sp}/removePassword",
            {"keyId": "44444444-4444-4444-4444-444444444444"},
            (404, "Request_ResourceNotFound"),
        ),
        (
            "POST",
            "/oauth2PermissionGrants",
            {"clientId": "{sp}", "consentType": "Everyone", "resourceId": "{sp}", "scope": "x"},
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/oauth2PermissionGrants",
            {
                "clientId": "55555555-5555-5555-5555-555555555555",
                "consentType": "AllPrincipals",
                "resourceId": "{sp}",
                "scope": "x",
            },
            (404, "Request_ResourceNotFound"),
        ),
        (
            "POST",
            "/users",
            {
                "accountEnabled": "yes",
                "displayName": "x",
                "mailNickname": "x",
                "userPrincipalName": "x@akslocal.onmicrosoft.com",
                "passwordProfile": {"password": "Passw0rd!x"},
            },
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/users",
            {
                "accountEnabled": True,
                "displayName": "x",
                "mailNickname": "x",
                "userPrincipalName": "x@evil.example",
                "passwordProfile": {"password": "Passw0rd!x"},
            },
            (400, "Request_BadRequest"),
        ),
        (
            "POST",
            "/users",
            {
                "accountEnabled": True,
                "displayName": "x",
                "mailNickname": "x",
                "userPrincipalName": "x@akslocal.onmicrosoft.com",
                "passwordProfile": {"password": "short"},
            },
            (400, "Request_BadRequest"),
        ),
        ("POST", "/groups/{app}/members/$ref", {"@odata.id": "javascript:alert(1)"}, (404, "Request_ResourceNotFound")),
        (
            "POST",
            "/users/admin@akslocal.onmicrosoft.com/getMemberGroups",
            {"securityEnabledOnly": "sure"},
            (400, "BadRequest"),
        ),
        ("POST", "/directoryObjects/getByIds", {"ids": "everything"}, (400, "Request_BadRequest")),
        (
            "POST",
            "/invitations",
            {"invitedUserEmailAddress": "not-an-email", "inviteRedirectUrl": "https://x"},
            (400, "Request_BadRequest"),
        ),
    ],
)
def test_bad_writes_change_nothing(graph, target, method, path, body, expected) -> None:
    app, sp = target
    fill = {"{app}": app["id"], "{sp}": sp["id"], "{appid}": app["appId"]}

    def subst(value):
        if isinstance(value, str):
            for k, v in fill.items():
                value = value.replace(k, v)
            return value
        if isinstance(value, dict):
            return {k: subst(v) for k, v in value.items()}
        if isinstance(value, list):
            return [subst(v) for v in value]
        return value

    with graph.admin() as c:
        before = state(c)
        response = c.request(method, subst(path), json=subst(body))
        if expected is None:
            assert response.status_code == 201
            assert c.delete(f"/applications/{response.json()['id']}").status_code == 204
        else:
            assert error_of(response)[:2] == expected, response.text
        assert state(c) == before


@pytest.mark.parametrize(
    "raw, content_type",
    [
        (b"{not json", "application/json"),
        (b"[1,2,3]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"", "application/json"),
        (b'{"displayName": "' + b"x" * (1024 * 1024 + 10) + b'"}', "application/json"),
    ],
)
def test_bad_bodies(graph, raw, content_type) -> None:
    with graph.admin() as c:
        before = state(c)
        response = c.post("/applications", content=raw, headers={"Content-Type": content_type})
        assert response.status_code in (400, 413) and "error" in response.json()
        assert state(c) == before


@pytest.mark.parametrize(
    "params",
    [
        {"$filter": "displayName eq"},
        {"$filter": "startswith(displayName"},
        {"$filter": "nosuchproperty eq 'x'"},
        {"$filter": "displayName eq 'x' or 1 eq 1; DROP TABLE records"},
        {"$top": "100000000000000000000"},
        {"$top": "0"},
        {"$select": "secretText"},
        {"$skiptoken": "%%%"},
        {"$expand": "owners"},
    ],
)
def test_bad_queries_are_400(graph, params) -> None:
    with graph.admin() as c:
        for path in ("/applications", "/users", "/servicePrincipals", "/groups"):
            status, _, _ = error_of(c.get(path, params=params))
            assert status == 400


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/nonsense"),
        ("GET", "/users/admin@akslocal.onmicrosoft.com/nonsense"),
        ("PUT", "/applications"),
        ("GET", "/users/" + "a" * 5000),
        ("GET", "/applications(appId='not-a-guid')"),
    ],
)
def test_unknown_paths_and_methods(graph, method, path) -> None:
    with graph.admin() as c:
        response = c.request(method, path)
    assert 400 <= response.status_code < 500 and "error" in response.json()
