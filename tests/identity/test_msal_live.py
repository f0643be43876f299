"""Real clients (MSAL Python, azure-identity) against a live akslocal; every token checked with PyJWT."""

from __future__ import annotations

import msal
import pytest

from tests.identity.live import requests_trusts, seeded_server, verify
from tests.identity.seed import API_URI, PASSWORD


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("idlive") / "data") as (server, s), requests_trusts(server):
        yield server, s


def test_confidential_client_credentials(env):
    server, s = env
    app = msal.ConfidentialClientApplication(
        s.api_app_id, client_credential=s.api_secret, authority=f"{server.url}/{s.tenant_id}", instance_discovery=False
    )
    result = app.acquire_token_for_client([f"{API_URI}/.default"])
    assert "access_token" in result, result
    claims = verify(server, result["access_token"], API_URI, issuer=f"https://sts.windows.net/{s.tenant_id}/")
    assert claims["appid"] == s.api_app_id and claims["appidacr"] == "1"
    assert claims["roles"] == ["Data.Read"] and "scp" not in claims
    assert claims["ver"] == "1.0" and claims["tid"] == s.tenant_id


def test_wrong_secret_is_invalid_client(env):
    server, s = env
    app = msal.ConfidentialClientApplication(
        s.api_app_id, client_credential="wrong", authority=f"{server.url}/{s.tenant_id}", instance_discovery=False
    )
    result = app.acquire_token_for_client([f"{API_URI}/.default"])
    assert result["error"] == "invalid_client" and 7000215 in result["error_codes"]


def skip_user_realm_on_443() -> None:
    """MSAL asks https://<host>:443/common/userrealm for ROPC whatever the authority's port (documented in
    docs/identity.md); with the server on a random port, tell MSAL that host has no user realm endpoint."""
    msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ropc_and_silent_refresh(env):
    server, s = env
    skip_user_realm_on_443()
    app = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/{s.tenant_id}",
                                       instance_discovery=False)
    result = app.acquire_token_by_username_password(f"alice@{s.domain}", PASSWORD, [f"{API_URI}/user_impersonation"])
    assert "access_token" in result, result
    claims = verify(server, result["access_token"], API_URI)
    assert claims["upn"] == f"alice@{s.domain}" and claims["scp"] == "user_impersonation"
    assert sorted(claims["groups"]) == sorted(s.group_ids)
    assert result["id_token_claims"]["aud"] == s.client_app_id
    accounts = app.get_accounts()
    assert accounts[0]["home_account_id"] == f"{s.alice_id}.{s.tenant_id}"
    again = app.acquire_token_silent([f"{s.v2_api_app_id}/.default"], account=accounts[0])
    assert again and "access_token" in again, again
    v2 = verify(server, again["access_token"], s.v2_api_app_id, issuer=f"{server.url}/{s.tenant_id}/v2.0")
    assert v2["ver"] == "2.0" and v2["azp"] == s.client_app_id and v2["preferred_username"] == f"alice@{s.domain}"


def run_devicelogin(server, code: str, username: str, password: str = PASSWORD, *extra: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code", code, "--username", username,
         "--password", password, *extra],
        env=server.env(), capture_output=True, text=True, timeout=60,
    )


def test_device_flow_completed_by_akslocal_devicelogin(env):
    server, s = env
    app = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/organizations",
                                       instance_discovery=False)
    flow = app.initiate_device_flow([f"{API_URI}/.default"])
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page {server.url}/devicelogin and enter the code "
        f"{flow['user_code']} to authenticate."
    )
    assert len(flow["user_code"]) == 9 and flow["expires_in"] == 900 and flow["interval"] == 5
    done = run_devicelogin(server, flow["user_code"], f"alice@{s.domain}")
    assert done.returncode == 0, done.stderr
    assert "You have signed in to the test-client application on your device" in done.stdout
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    claims = verify(server, result["access_token"], API_URI)
    assert claims["oid"] == s.alice_id and claims["scp"] == "user_impersonation" and claims["tid"] == s.tenant_id
    # single use: the same device code cannot be redeemed again
    with server.client() as client:
        again = client.post("/organizations/oauth2/v2.0/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": s.client_app_id,
            "device_code": flow["device_code"]})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant" and again.json()["error_codes"] == [54005]


def test_devicelogin_reports_a_wrong_code_and_password(env):
    server, s = env
    bad = run_devicelogin(server, "AAAAAAAAA", f"alice@{s.domain}")
    assert bad.returncode == 1 and "That code didn't work" in bad.stderr
    app = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/{s.tenant_id}",
                                       instance_discovery=False)
    flow = app.initiate_device_flow([f"{API_URI}/.default"])
    wrong = run_devicelogin(server, flow["user_code"], f"alice@{s.domain}", "not-the-password")
    assert wrong.returncode == 1 and "Your account or password is incorrect" in wrong.stderr


def test_on_behalf_of(env):
    server, s = env
    skip_user_realm_on_443()
    public = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/{s.tenant_id}",
                                          instance_discovery=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        user = public.acquire_token_by_username_password(f"alice@{s.domain}", PASSWORD, [f"{API_URI}/.default"])
    middle = msal.ConfidentialClientApplication(
        s.api_app_id, client_credential=s.api_secret, authority=f"{server.url}/{s.tenant_id}",
        instance_discovery=False,
    )
    result = middle.acquire_token_on_behalf_of(user["access_token"], ["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    claims = verify(server, result["access_token"], "https://graph.microsoft.com")
    assert claims["oid"] == s.alice_id and claims["appid"] == s.api_app_id and claims["scp"] == "User.Read"
    assert claims["appidacr"] == "1"


def test_azure_identity_client_secret_credential(env):
    from azure.identity import ClientSecretCredential

    server, s = env
    cred = ClientSecretCredential(s.tenant_id, s.api_app_id, s.api_secret, authority=server.url,
                                  disable_instance_discovery=True)
    token = cred.get_token(f"{API_URI}/.default")
    claims = verify(server, token.token, API_URI)
    assert claims["appid"] == s.api_app_id and claims["exp"] == token.expires_on


def test_azure_identity_device_code_credential(env):
    from azure.identity import DeviceCodeCredential

    server, s = env
    prompts = []

    def prompt(verification_uri, user_code, expires_on):
        prompts.append((verification_uri, user_code))
        done = run_devicelogin(server, user_code, f"alice@{s.domain}")
        assert done.returncode == 0, done.stderr

    cred = DeviceCodeCredential(client_id=s.client_app_id, tenant_id=s.tenant_id, authority=server.url,
                                disable_instance_discovery=True, prompt_callback=prompt)
    token = cred.get_token(f"{API_URI}/.default")
    assert prompts[0][0] == f"{server.url}/devicelogin"
    claims = verify(server, token.token, API_URI)
    assert claims["upn"] == f"alice@{s.domain}"
    # a second resource comes from the refresh token, without a prompt
    second = cred.get_token(f"{s.v2_api_app_id}/.default")
    assert len(prompts) == 1
    assert verify(server, second.token, s.v2_api_app_id)["ver"] == "2.0"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_azure_identity_username_password_credential(env):
    from azure.identity import UsernamePasswordCredential

    server, s = env
    skip_user_realm_on_443()
    cred = UsernamePasswordCredential(s.client_app_id, f"alice@{s.domain}", PASSWORD, tenant_id=s.tenant_id,
                                      authority=server.url, disable_instance_discovery=True)
    token = cred.get_token(f"{API_URI}/.default")
    assert verify(server, token.token, API_URI)["oid"] == s.alice_id


def test_auth_code_flow_with_pkce(env):
    import html
    import re

    from akslocal.identity.devicelogin import _csrf
    from tests.identity.live import http

    server, s = env
    app = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/{s.tenant_id}",
                                       instance_discovery=False)
    flow = app.initiate_auth_code_flow([f"{API_URI}/user_impersonation"], redirect_uri="http://localhost",
                                       response_mode="form_post")
    assert "code_challenge_method=S256" in flow["auth_uri"]
    with http(server) as c:
        page = c.get(flow["auth_uri"].removeprefix(server.url))
        assert page.status_code == 200, page.text
        page = c.post("/common/login", data={"csrf_token": _csrf(page.text), "login": f"alice@{s.domain}",
                                             "passwd": PASSWORD})
        assert page.status_code == 200 and 'action="http://localhost"' in page.text, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    # MSAL checks state, and the id_token's nonce against the flow's
    result = app.acquire_token_by_auth_code_flow(flow, {k: html.unescape(v) for k, v in fields.items()})
    assert "access_token" in result, result
    assert verify(server, result["access_token"], API_URI)["scp"] == "user_impersonation"
    import hashlib

    assert result["id_token_claims"]["nonce"] == hashlib.sha256(flow["nonce"].encode()).hexdigest()  # as MSAL sent it
