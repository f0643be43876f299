"""Real clients (MSAL Python, azure-identity) against a live akslocal; every token checked with PyJWT."""

from __future__ import annotations

import os

import msal
import pytest

from tests.identity.live import start_seeded, verify
from tests.identity.seed import API_URI, PASSWORD


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    server, s = start_seeded(tmp_path_factory.mktemp("idlive") / "data")
    old = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(server.ca_path)
    try:
        yield server, s
    finally:
        server.stop()
        if old is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = old


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
