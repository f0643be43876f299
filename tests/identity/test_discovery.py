"""OpenID metadata, JWKS, instance discovery and user realm documents (entra-protocol.md §1)."""

from __future__ import annotations

from akslocal.identity import discovery

BASE = "https://127.0.0.1:8443"
TID = "11111111-1111-4111-8111-111111111111"


def test_v2_metadata_for_a_tenant():
    doc = discovery.v2_metadata(BASE, "contoso.onmicrosoft.com", TID)
    assert doc["issuer"] == f"{BASE}/{TID}/v2.0"
    assert doc["token_endpoint"] == f"{BASE}/{TID}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{BASE}/{TID}/oauth2/v2.0/authorize"
    assert doc["device_authorization_endpoint"] == f"{BASE}/{TID}/oauth2/v2.0/devicecode"
    assert doc["jwks_uri"] == f"{BASE}/{TID}/discovery/v2.0/keys"
    assert doc["end_session_endpoint"] == f"{BASE}/{TID}/oauth2/v2.0/logout"
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post", "private_key_jwt",
                                                            "client_secret_basic"]
    assert doc["response_types_supported"] == ["code", "id_token", "code id_token", "id_token token"]
    assert doc["scopes_supported"] == ["openid", "profile", "email", "offline_access"]
    assert doc["subject_types_supported"] == ["pairwise"] and doc["request_uri_parameter_supported"] is False
    assert doc["tenant_region_scope"] == "WW" and doc["cloud_instance_name"] == "microsoftonline.com"
    assert doc["msgraph_host"] == "graph.microsoft.com" and doc["rbac_url"] == "https://pas.windows.net"
    assert "preferred_username" in doc["claims_supported"] and "tid" in doc["claims_supported"]


def test_v2_metadata_under_organizations_keeps_the_placeholder_issuer():
    doc = discovery.v2_metadata(BASE, "organizations", None)
    assert doc["issuer"] == f"{BASE}/{{tenantid}}/v2.0"
    # MSAL takes its tenant from the token endpoint path
    assert doc["token_endpoint"] == f"{BASE}/organizations/oauth2/v2.0/token"
    assert doc["tenant_region_scope"] is None


def test_v1_metadata():
    doc = discovery.v1_metadata(BASE, TID, TID)
    assert doc["issuer"] == f"https://sts.windows.net/{TID}/"
    assert doc["jwks_uri"] == f"{BASE}/common/discovery/keys"
    assert doc["token_endpoint"] == f"{BASE}/{TID}/oauth2/token"
    assert doc["device_authorization_endpoint"] == f"{BASE}/{TID}/oauth2/devicecode"
    assert doc["response_types_supported"] == ["code", "id_token", "code id_token", "token id_token", "token"]
    assert doc["scopes_supported"] == ["openid"] and doc["microsoft_multi_refresh_token"] is True
    assert doc["check_session_iframe"] == f"{BASE}/{TID}/oauth2/checksession"
    assert doc["userinfo_endpoint"] == f"{BASE}/{TID}/openid/userinfo"
    assert "request_uri_parameter_supported" not in doc
    assert {"amr", "given_name", "family_name", "nickname"} <= set(doc["claims_supported"])
    assert not {"preferred_username", "tid", "ver"} & set(doc["claims_supported"])
    assert discovery.v1_metadata(BASE, "common", None)["issuer"] == "https://sts.windows.net/{tenantid}/"


def test_jwks_v2_keys_carry_an_issuer():
    keys = [{"kid": "k", "kty": "RSA"}]
    assert discovery.jwks(keys) == {"keys": keys}
    assert discovery.jwks(keys, v2_issuer="X")["keys"][0]["issuer"] == "X"


def test_instance_discovery():
    status, doc = discovery.instance_discovery(BASE, "https://127.0.0.1/contoso.onmicrosoft.com/oauth2/v2.0/authorize")
    assert status == 200 and doc["api-version"] == "1.1"
    assert doc["tenant_discovery_endpoint"] == f"{BASE}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    assert doc["metadata"][0]["aliases"] == ["127.0.0.1"]
    status, doc = discovery.instance_discovery(BASE, "https://login.evil.example/x/oauth2/v2.0/authorize")
    assert status == 400 and doc["error"] == "invalid_instance"


def test_user_realm():
    assert discovery.user_realm("a@contoso.com", True)["account_type"] == "Managed"
    assert discovery.user_realm("a@nowhere.example", False)["account_type"] == "Unknown"
