"""Claim sets of v1 and v2 access tokens, id tokens and client_info (entra-protocol.md §4)."""

from __future__ import annotations

import base64
import json

import pytest

from akslocal.identity import resources, tokens

TID, HOME = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
URL = "https://127.0.0.1:8443"


def facts(version=1, user=True, **kw):
    u = tokens.UserFacts("oid", TID, "alice@contoso.com", "Alice", given_name="Alice", family_name="Smith")
    base = dict(version=version, tenant_id=TID, audience="api://x", client_app_id="cid", client_auth="0",
                issued_at=1000, lifetime=3600, token_id="uti", public_url=URL, subject_object_id="oid",
                user=user if isinstance(user, tokens.UserFacts) else (u if user else None),
                scopes=["user_impersonation"])
    base.update(kw)
    return tokens.AccessTokenFacts(**base)


def test_v1_user_token_claims():
    c = tokens.access_token_claims(facts(wids=["62e90394-69f5-4237-9190-012177145e10"], groups=["g1"]))
    assert c["iss"] == f"https://sts.windows.net/{TID}/" and c["ver"] == "1.0"
    assert (c["iat"], c["nbf"], c["exp"]) == (1000, 1000, 4600)
    assert c["appid"] == "cid" and c["appidacr"] == "0" and "azp" not in c
    assert c["upn"] == c["unique_name"] == "alice@contoso.com" and "preferred_username" not in c
    assert c["given_name"] == "Alice" and c["family_name"] == "Smith" and c["acr"] == "1"
    assert c["scp"] == "user_impersonation" and c["groups"] == ["g1"] and c["wids"]
    assert c["amr"] == ["pwd"] and c["uti"] == "uti" and c["sub"] != "oid"


def test_v2_user_token_claims():
    c = tokens.access_token_claims(facts(version=2, audience="guid"))
    assert c["iss"] == f"{URL}/{TID}/v2.0" and c["ver"] == "2.0" and c["aud"] == "guid"
    assert c["azp"] == "cid" and c["azpacr"] == "0" and "appid" not in c
    assert c["preferred_username"] == "alice@contoso.com" and "upn" not in c and "unique_name" not in c
    assert "amr" not in c and "acr" not in c


def test_app_only_token_has_roles_no_scp():
    c = tokens.access_token_claims(facts(user=False, roles=["Data.Read"], client_auth="1", subject_object_id="sp"))
    assert c["roles"] == ["Data.Read"] and "scp" not in c and c["oid"] == c["sub"] == "sp"
    assert c["idp"] == f"https://sts.windows.net/{TID}/" and c["appidacr"] == "1"


def test_guest_has_idp_and_no_upn():
    guest = tokens.UserFacts("gid", TID, "carol_contoso.com#EXT#@x.onmicrosoft.com", "Carol", user_type="Guest",
                             home_tenant_id=HOME, mail="carol@contoso.com")
    c = tokens.access_token_claims(facts(user=guest, subject_object_id="gid"))
    assert c["idp"] == f"https://sts.windows.net/{HOME}/" and "upn" not in c
    assert c["unique_name"] == "carol@contoso.com"


def test_capabilities_become_xms_cc():
    assert tokens.access_token_claims(facts(client_capabilities=["cp1"]))["xms_cc"] == ["cp1"]


def test_client_info_and_id_token():
    info = json.loads(base64.urlsafe_b64decode(tokens.client_info("oid", TID) + "=="))
    assert info == {"uid": "oid", "utid": TID}
    u = tokens.UserFacts("oid", TID, "alice@contoso.com", "Alice")
    idt = tokens.id_token_claims(user=u, client_app_id="cid", public_url=URL, issued_at=1, lifetime=10,
                                 token_id="t", nonce="n")
    assert idt["aud"] == "cid" and idt["tid"] == TID and idt["preferred_username"] == "alice@contoso.com"
    assert idt["iss"] == f"{URL}/{TID}/v2.0" and idt["nonce"] == "n" and idt["ver"] == "2.0"


@pytest.mark.parametrize(
    "scope, resource, names",
    [
        pytest.param("https://127.0.0.1:8445//.default offline_access openid profile", "https://127.0.0.1:8445/",
                     (".default",), id="az-arm-double-slash"),
        pytest.param("6dae42f8-4368-4678-94ff-3960e28e3630/.default openid offline_access profile",
                     "6dae42f8-4368-4678-94ff-3960e28e3630", (".default",), id="guid-default"),
        pytest.param("api://x/user_impersonation", "api://x", ("user_impersonation",), id="named-scope"),
        pytest.param("User.Read openid", "https://graph.microsoft.com", ("User.Read",), id="bare-graph"),
    ],
)
def test_scope_parsing(scope, resource, names):
    ask = resources.parse_scope(scope)
    assert ask.resource == resource and ask.scopes == names


def test_two_resources_in_one_scope_are_refused():
    with pytest.raises(Exception, match="more than one resource"):
        resources.parse_scope("api://a/.default api://b/.default")


def test_v1_api_version_guid_gives_spn_audience():
    assert resources.parse_resource("6dae42f8-4368-4678-94ff-3960e28e3630", api_version="1.0").spn_audience
    assert not resources.parse_resource("6dae42f8-4368-4678-94ff-3960e28e3630", api_version=None).spn_audience
    assert not resources.parse_resource("api://x", api_version="1.0").spn_audience
