"""Security rules of the token service over HTTPS: guessing limits, CSRF, refresh-token reuse, PKCE,
exact redirect URIs, tenant isolation, lock-out, hostile input."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.identity.live import http, seeded_server, verify
from tests.identity.seed import API_URI, PASSWORD


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("idsec") / "data") as env:
        yield env


def test_user_code_guessing_is_rate_limited(env):
    server = env[0]
    from akslocal.identity.devicelogin import _csrf

    with http(server) as c:
        page = c.get("/devicelogin")
        statuses = []
        for _ in range(6):
            page = c.post("/devicelogin", data={"csrf_token": _csrf(page.text), "otc": "ZZZZZZZZZ"})
            statuses.append(page.status_code)
        assert statuses[:5] == [400] * 5 and statuses[5] == 429
        assert "Too many attempts" in page.text


def test_pages_refuse_posts_without_the_csrf_token(env):
    server = env[0]
    with http(server) as c:
        c.get("/devicelogin")
        r = c.post("/devicelogin", data={"otc": "ABCDEFGHI"})
        assert r.status_code == 400 and "session has expired" in r.text
        r = c.post("/common/login", data={"login": "a@b.c", "passwd": "x", "csrf_token": "forged"})
        assert r.status_code == 400


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(env):
    server, s = env
    with http(server) as c:
        first = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "username": f"alice@{s.domain}",
            "password": PASSWORD, "scope": f"{API_URI}/.default offline_access openid profile"}).json()
        rt1 = first["refresh_token"]

        def refresh(rt):
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "refresh_token", "client_id": s.client_app_id, "refresh_token": rt,
                "scope": f"{API_URI}/.default offline_access"})

        second = refresh(rt1)
        assert second.status_code == 200
        rt2 = second.json()["refresh_token"]
        assert rt2 != rt1
        reuse = refresh(rt1)
        assert reuse.status_code == 400 and reuse.json()["error_codes"] == [50173]
        # the whole family is revoked, including the newest token
        assert refresh(rt2).json()["error_codes"] == [50173]


def _pkce(method: str) -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(hashlib.sha256(method.encode()).digest() * 2).rstrip(b"=").decode()
    if method == "plain":
        return verifier, verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(server, s, c, *, challenge: str, method: str, redirect: str | None = None):
    from akslocal.identity.devicelogin import _csrf

    page = c.get(f"/{s.tenant_id}/oauth2/v2.0/authorize", params={
        "client_id": s.web_app_id, "response_type": "code", "redirect_uri": redirect or s.redirect_uri,
        "scope": f"{API_URI}/user_impersonation openid offline_access", "state": "st<>1",
        "code_challenge": challenge, "code_challenge_method": method, "login_hint": "<script>alert(1)</script>"})
    if page.status_code != 200 or 'id="signinform"' not in page.text:
        return page
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    page = c.post("/common/login", data={"csrf_token": _csrf(page.text), "login": f"alice@{s.domain}",
                                         "passwd": PASSWORD})
    if 'id="consentform"' in page.text:
        assert "user_impersonation" in page.text
        page = c.post("/common/consent", data={"csrf_token": _csrf(page.text), "decision": "accept"})
    return page


@pytest.mark.parametrize("method", ["S256", "plain"])
def test_authorization_code_with_pkce_is_single_use(env, method):
    server, s = env
    verifier, challenge = _pkce(method)
    with http(server) as c:
        page = authorize(server, s, c, challenge=challenge, method=method)
        assert page.status_code == 302, page.text
        location = page.headers["location"]
        assert location.startswith(s.redirect_uri + "?") and "state=st%3C%3E1" in location
        code = re.search(r"code=([^&]+)", location).group(1)
        form = {"grant_type": "authorization_code", "client_id": s.web_app_id, "client_secret": s.web_secret,
                "code": code, "redirect_uri": s.redirect_uri, "code_verifier": verifier}
        bad = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={**form, "code_verifier": "x" * 43})
        assert bad.json()["error_codes"] == [501481]
        ok = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=form)
        assert ok.status_code == 200, ok.text
        claims = verify(server, ok.json()["access_token"], API_URI)
        assert claims["scp"] == "user_impersonation" and claims["appidacr"] == "1"
        assert ok.json()["id_token"] and ok.json()["refresh_token"]
        again = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=form)
        assert again.json()["error_codes"] == [54005]


@pytest.mark.parametrize("redirect", [
    "https://webapp.example/callback/", "https://WEBAPP.example/callback", "https://webapp.example/callback?x=1",
    "https://evil.example/callback", "https://webapp.example/callbackx",
])
def test_redirect_uri_must_match_exactly_and_is_never_followed(env, redirect):
    server, s = env
    with http(server) as c:
        page = authorize(server, s, c, challenge="a" * 43, method="plain", redirect=redirect)
    assert page.status_code == 400 and "location" not in page.headers
    assert "AADSTS50011" in page.text


def test_a_token_for_one_tenant_is_not_valid_in_another(env):
    server, s = env
    with http(server) as c:
        token = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": s.api_app_id, "client_secret": s.api_secret,
            "scope": f"{API_URI}/.default"}).json()["access_token"]
        # the same app's secret is refused in the other tenant, and so is the token as an OBO assertion
        other = c.post(f"/{s.other_tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": s.api_app_id,
            "client_secret": s.api_secret, "assertion": token, "requested_token_use": "on_behalf_of",
            "scope": "https://graph.microsoft.com/.default"})
        assert other.status_code in (400, 401) and other.json()["error"] in ("invalid_client", "invalid_grant")


def test_password_lockout_after_repeated_failures(env):
    server, s = env
    with http(server) as c:
        def attempt(pw):
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "password", "client_id": s.client_app_id, "username": f"bob@{s.domain}",
                "password": pw, "scope": f"{API_URI}/.default"}).json()

        codes = [attempt("wrong")["error_codes"][0] for _ in range(10)]
        assert codes == [50126] * 10
        assert attempt(PASSWORD)["error_codes"] == [50053]  # locked even with the right password
        server.advance_clock(61)
        assert "access_token" in attempt(PASSWORD)


def test_hostile_input_never_gives_a_500(env):
    server, s = env
    with http(server) as c:
        for path in ("/%00/oauth2/v2.0/token", f"/{'a' * 5000}/oauth2/token", f"/{s.tenant_id}/oauth2/v2.0/token"):
            for body in (b"\xff\xfe", b"grant_type=password&grant_type=x", b"a" * 70000, b"scope=" + b"x/" * 3000,
                         b"grant_type=refresh_token&client_id=" + s.client_app_id.encode() + b"&refresh_token=%00",
                         b"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&requested_token_use=on_behalf_of"
                         b"&assertion=a.b.c&client_id=" + s.api_app_id.encode() + b"&client_secret=" +
                         s.api_secret.encode() + b"&scope=x"):
                r = c.post(path, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
                assert 400 <= r.status_code < 500, (path[:40], body[:40], r.status_code, r.text[:200])
        for path in ("/devicelogin", "/common/login", "/common/consent"):
            r = c.post(path, content=b"\xff" * 100)
            assert r.status_code == 400
        r = c.get(f"/{s.tenant_id}/oauth2/v2.0/authorize",
                  params={"client_id": "<b>x</b>", "redirect_uri": "javascript:x"})
        assert r.status_code == 400 and "<b>x</b>" not in r.text


def test_concurrent_redemptions_of_one_refresh_token_give_one_token(env):
    from concurrent.futures import ThreadPoolExecutor

    server, s = env
    with http(server) as c:
        rt = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": s.client_app_id, "username": f"alice@{s.domain}",
            "password": PASSWORD, "scope": f"{API_URI}/.default offline_access"}).json()["refresh_token"]

    def redeem(_):
        with http(server) as c:
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "refresh_token", "client_id": s.client_app_id, "refresh_token": rt,
                "scope": f"{API_URI}/.default"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(redeem, range(8)))
    assert sorted(statuses) == [200] + [400] * 7
