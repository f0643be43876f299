"""Wire shapes and security rules of the token service over HTTPS (raw HTTP, as v1 clients send it)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

from akslocal.identity.devicelogin import complete
from tests.identity.live import http, seeded_server, verify
from tests.identity.seed import API_URI, PASSWORD

DC_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("idproto") / "data") as env:
        yield env


def sign_in_device(server, user_code: str, username: str, password: str = PASSWORD, **kw) -> str:
    return complete(server.url, user_code, username, password, verify=str(server.ca_path), **kw)


def test_v1_device_code_uses_strings_and_verification_url(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/devicecode?api-version=1.0",
                   data={"client_id": s.client_app_id, "resource": s.api_app_id})
        assert r.status_code == 200 and r.headers["cache-control"].startswith("no-store")
        body = r.json()
        assert set(body) == {"user_code", "device_code", "verification_url", "expires_in", "interval", "message"}
        assert body["expires_in"] == "900" and body["interval"] == "5"
        assert re.fullmatch(r"[A-Z0-9]{9}", body["user_code"])
        assert body["message"] == (f"To sign in, use a web browser to open the page {server.url}/devicelogin "
                                   f"and enter the code {body['user_code']} to authenticate.")
        pending = c.post(f"/{s.tenant_id}/oauth2/token?api-version=1.0", data={
            "grant_type": "device_code", "client_id": s.client_app_id, "code": body["device_code"],
            "resource": s.api_app_id})
        assert pending.status_code == 400
        err = pending.json()
        assert err["error"] == "authorization_pending" and err["error_codes"] == [70016]
        assert err["error_description"].startswith("AADSTS70016: OAuth 2.0 device flow error.")
        assert {"timestamp", "trace_id", "correlation_id"} <= set(err)
        fast = c.post(f"/{s.tenant_id}/oauth2/token?api-version=1.0", data={
            "grant_type": "device_code", "client_id": s.client_app_id, "code": body["device_code"]})
        assert fast.json()["error"] == "slow_down"
        sign_in_device(server, body["user_code"], f"alice@{s.domain}")
        server.advance_clock(15)
        token = c.post(f"/{s.tenant_id}/oauth2/token?api-version=1.0", data={
            "grant_type": "device_code", "client_id": s.client_app_id, "code": body["device_code"],
            "resource": s.api_app_id})
        assert token.status_code == 200, token.text
        t = token.json()
        for name in ("expires_in", "ext_expires_in", "expires_on", "not_before"):
            assert isinstance(t[name], str) and t[name].isdigit()
        assert t["resource"] == s.api_app_id and t["scope"] == "user_impersonation" and t["refresh_token"]
        claims = verify(server, t["access_token"], f"spn:{s.api_app_id}")
        assert claims["aud"] == f"spn:{s.api_app_id}" and claims["ver"] == "1.0"
        assert claims["upn"] == claims["unique_name"] == f"alice@{s.domain}"
        assert claims["iss"] == f"https://sts.windows.net/{s.tenant_id}/" and claims["amr"] == ["pwd"]


def test_v1_guid_resource_without_api_version_has_plain_guid_audience(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": s.api_app_id, "client_secret": s.api_secret,
            "resource": s.api_app_id})
        assert r.status_code == 200, r.text
        assert "scope" not in r.json()
        assert verify(server, r.json()["access_token"], s.api_app_id)["aud"] == s.api_app_id


def test_client_secret_in_http_basic(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", auth=(s.api_app_id, s.api_secret),
                   data={"grant_type": "client_credentials", "scope": f"{API_URI}/.default"})
        assert r.status_code == 200, r.text
        assert isinstance(r.json()["expires_in"], int)


@pytest.mark.parametrize(
    "form, status, error, code",
    [
        pytest.param({"grant_type": "client_credentials", "scope": f"{API_URI}/.default"}, 401, "invalid_client",
                     7000218, id="no-secret"),
        pytest.param({"grant_type": "client_credentials", "scope": f"{API_URI}/.default", "client_secret": "x"},
                     401, "invalid_client", 7000215, id="wrong-secret"),
        pytest.param({"grant_type": "client_credentials", "scope": f"{API_URI}/user_impersonation",
                      "client_secret": "SECRET"}, 400, "invalid_scope", 1002012, id="cc-needs-default"),
        pytest.param({"grant_type": "magic", "client_secret": "SECRET"}, 400, "unsupported_grant_type", 70003,
                     id="grant-type"),
        pytest.param({"grant_type": "client_credentials", "scope": "api://nope/.default", "client_secret": "SECRET"},
                     400, "invalid_resource", 500011, id="unknown-resource"),
    ],
)
def test_client_credentials_errors(env, form, status, error, code):
    server, s = env
    form = {k: (s.api_secret if v == "SECRET" else v) for k, v in form.items()}
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={"client_id": s.api_app_id, **form})
    assert r.status_code == status and r.json()["error"] == error and r.json()["error_codes"] == [code], r.text


def test_unknown_tenant_is_aadsts90002(env):
    server, _ = env
    with http(server) as c:
        r = c.get("/nosuch.example/v2.0/.well-known/openid-configuration")
        assert r.status_code == 400 and r.json()["error_codes"] == [90002]


def test_public_client_may_not_send_a_secret(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "client_secret": "x",
            "username": f"alice@{s.domain}", "password": PASSWORD, "scope": f"{API_URI}/.default"})
    assert r.status_code == 401 and r.json()["error_codes"] == [700025]


def test_device_code_declined_expired_and_unknown(env):
    server, s = env
    with http(server) as c:
        def start():
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/devicecode",
                          data={"client_id": s.client_app_id, "scope": f"{API_URI}/.default"}).json()

        def poll(device_code):
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": DC_GRANT, "client_id": s.client_app_id, "device_code": device_code}).json()

        declined = start()
        assert isinstance(declined["expires_in"], int) and declined["verification_uri"] == f"{server.url}/devicelogin"
        with pytest.raises(RuntimeError, match="declined"):
            sign_in_device(server, declined["user_code"], f"bob@{s.domain}", cancel=True)
        assert poll(declined["device_code"])["error"] == "authorization_declined"

        expired = start()
        server.advance_clock(901)
        assert poll(expired["device_code"])["error"] == "expired_token"
        with pytest.raises(RuntimeError, match=r"expired|didn't work"):
            sign_in_device(server, expired["user_code"], f"alice@{s.domain}")

        unknown = poll("not-a-device-code")
        assert unknown["error"] == "bad_verification_code" and unknown["error_codes"] == [70018]


def test_consent_is_required_and_given_on_the_page(env):
    server, s = env
    # test-web has the API in its required permissions but no grant: ROPC fails with AADSTS65001
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.web_app_id, "client_secret": s.web_secret,
            "username": f"bob@{s.domain}", "password": PASSWORD, "scope": f"{API_URI}/.default"})
        assert r.status_code == 400 and r.json()["error_codes"] == [65001], r.text


def test_guest_token_has_idp_and_no_upn(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "username": "carol@contoso.onmicrosoft.com",
            "password": PASSWORD, "scope": f"{API_URI}/.default openid"})
        assert r.status_code == 200, r.text
        claims = verify(server, r.json()["access_token"], API_URI)
    assert claims["oid"] == s.guest_id and claims["tid"] == s.tenant_id
    assert claims["idp"] == f"https://sts.windows.net/{s.other_tenant_id}/" and "upn" not in claims
    assert claims["unique_name"] == "carol@contoso.onmicrosoft.com"


def test_control_rotate_keys_and_sign_in_log(env):
    server, s = env
    headers = {"X-Akslocal-Control-Key": server.control_key}
    with http(server) as c:
        assert c.post("/_akslocal/keys/rotate").status_code == 401
        old = c.post(f"/{s.tenant_id}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": s.api_app_id, "client_secret": s.api_secret,
            "resource": API_URI}).json()["access_token"]
        c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "username": f"alice@{s.domain}",
            "password": "wrong", "scope": f"{API_URI}/.default"})
        rotated = c.post("/_akslocal/keys/rotate", headers=headers).json()
        keys = c.get("/common/discovery/keys").json()["keys"]
        assert {k["kid"] for k in keys} >= {rotated["active"], rotated["retired"]}
        verify(server, old, API_URI)  # still verifiable during the overlap
        log = c.get("/_akslocal/signins", headers=headers).json()["value"]
        assert log[0]["status"]["errorCode"] == 50126  # newest first
        assert log[1]["appId"] == s.api_app_id and log[1]["status"]["errorCode"] == 0
        assert any(e["status"]["errorCode"] == 50126 for e in log)
        assert c.get("/_akslocal/signins").status_code == 401


def test_more_than_200_groups_become_an_overage_claim(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "username": f"dana@{s.domain}",
            "password": PASSWORD, "scope": f"{API_URI}/.default"})
        claims = verify(server, r.json()["access_token"], API_URI)
    assert "groups" not in claims
    assert claims["_claim_names"] == {"groups": "src1"}
    assert claims["_claim_sources"]["src1"]["endpoint"] == (
        f"{server.url}/v1.0/users/{s.many_groups_id}/getMemberObjects")


def _device_code(c, s, client_id, scope):
    return c.post(f"/{s.tenant_id}/oauth2/v2.0/devicecode", data={"client_id": client_id, "scope": scope}).json()


def test_user_consents_on_the_device_page(env):
    server, s = env
    with http(server) as c:
        form = {"grant_type": "password", "client_id": s.consent_client_id, "username": f"bob@{s.domain}",
                "password": PASSWORD, "scope": f"{API_URI}/.default"}
        before = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=form).json()
        assert before["error"] == "invalid_grant" and before["error_codes"] == [65001]
        assert "has not consented to use the application" in before["error_description"]
        dc = _device_code(c, s, s.consent_client_id, f"{API_URI}/.default")
        text = sign_in_device(server, dc["user_code"], f"bob@{s.domain}")
        assert "You have signed in to the consent-client application" in text
        token = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": DC_GRANT, "client_id": s.consent_client_id, "device_code": dc["device_code"]})
        assert token.status_code == 200, token.text
        assert verify(server, token.json()["access_token"], API_URI)["scp"] == "user_impersonation"
        # the consent is remembered: ROPC works now for bob (and only bob)
        assert "access_token" in c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=form).json()


def test_admin_only_permission_shows_need_admin_approval(env):
    server, s = env
    with http(server) as c:
        dc = _device_code(c, s, s.admin_client_id, "https://graph.microsoft.com/.default")
        with pytest.raises(RuntimeError, match="needs permission to access resources in your organization"):
            sign_in_device(server, dc["user_code"], f"alice@{s.domain}")


def test_discovery_endpoints_over_https(env):
    server, s = env
    with http(server) as c:
        v2 = c.get(f"/{s.domain}/v2.0/.well-known/openid-configuration")
        assert v2.status_code == 200 and v2.headers["cache-control"] == "max-age=86400, private"
        assert v2.headers["access-control-allow-origin"] == "*"
        assert v2.json()["issuer"] == f"{server.url}/{s.tenant_id}/v2.0"
        v1 = c.get("/common/.well-known/openid-configuration").json()
        assert v1["issuer"] == "https://sts.windows.net/{tenantid}/"
        keys = c.get(f"/{s.tenant_id}/discovery/v2.0/keys").json()["keys"]
        assert keys and keys[0]["issuer"] == f"{server.url}/{s.tenant_id}/v2.0"
        assert "issuer" not in c.get("/common/discovery/keys").json()["keys"][0]
        inst = c.get("/common/discovery/instance", params={
            "api-version": "1.1", "authorization_endpoint": f"https://127.0.0.1/{s.tenant_id}/oauth2/v2.0/authorize"})
        assert inst.json()["tenant_discovery_endpoint"] == (
            f"{server.url}/{s.tenant_id}/v2.0/.well-known/openid-configuration")
        realm = c.get(f"/common/userrealm/alice@{s.domain}", params={"api-version": "1.0"}).json()
        assert realm["account_type"] == "Managed" and realm["domain_name"] == s.domain


def test_v1_authorize_with_form_post_and_logout(env):
    server, s = env
    from akslocal.identity.devicelogin import _csrf

    with http(server) as c:
        page = c.get(f"/{s.tenant_id}/oauth2/authorize", params={
            "client_id": s.web_app_id, "response_type": "code", "redirect_uri": s.redirect_uri,
            "resource": API_URI, "response_mode": "form_post", "state": "abc"})
        assert page.status_code == 200 and "set-cookie" in page.headers
        assert "HttpOnly" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        page = c.post("/common/login", data={"csrf_token": _csrf(page.text), "login": f"alice@{s.domain}",
                                             "passwd": PASSWORD})
        if 'id="consentform"' in page.text:
            page = c.post("/common/consent", data={"csrf_token": _csrf(page.text), "decision": "accept"})
        assert f'action="{s.redirect_uri}"' in page.text and 'name="state" value="abc"' in page.text
        code = re.search(r'name="code" value="([^"]+)"', page.text).group(1)
        token = c.post(f"/{s.tenant_id}/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": s.web_app_id, "client_secret": s.web_secret,
            "code": code, "redirect_uri": s.redirect_uri, "resource": API_URI})
        assert token.status_code == 200, token.text
        assert token.json()["expires_on"].isdigit() and token.json()["resource"] == API_URI
        out = c.get(f"/{s.tenant_id}/oauth2/logout", params={"post_logout_redirect_uri": "https://evil.example/"})
        assert out.status_code == 200 and "You signed out" in out.text
        back = c.get(f"/{s.tenant_id}/oauth2/v2.0/logout", params={
            "post_logout_redirect_uri": s.redirect_uri, "client_id": s.web_app_id})
        assert back.status_code == 302 and back.headers["location"] == s.redirect_uri


@pytest.mark.parametrize("path", ["oauth2/authorize", "oauth2/v2.0/authorize"])
def test_prompt_none_redirects_login_required_with_the_state(env, path):
    server, s = env
    with http(server) as c:
        r = c.get(f"/{s.tenant_id}/{path}", params={
            "client_id": s.web_app_id, "response_type": "code", "redirect_uri": s.redirect_uri,
            "scope": f"{API_URI}/.default", "resource": API_URI, "prompt": "none", "state": "s1"})
    assert r.status_code == 302 and "set-cookie" not in r.headers
    location = r.headers["location"]
    assert location.startswith(s.redirect_uri + "?")
    query = dict(parse_qsl(location.split("?", 1)[1]))
    assert query == {"error": "login_required", "state": "s1",
                     "error_description": "AADSTS50058: A silent sign-in request was sent but no user is signed in."}
