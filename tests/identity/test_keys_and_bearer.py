"""Signing keys, token signing and verify_bearer, checked with PyJWT as the independent library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from akslocal.identity import keys, tokens
from akslocal.identity.bearer import BearerError, verify_bearer
from akslocal.identity.bootstrap import bootstrap

TID = "11111111-1111-4111-8111-111111111111"
OTHER_TID = "22222222-2222-4222-8222-222222222222"
AUD = "https://graph.microsoft.com"


def mint(services, *, version=1, tid=TID, aud=AUD, lifetime=3600, **extra):
    now = int(services.clock.now())
    user = tokens.UserFacts(object_id="oid-1", tenant_id=tid, upn="alice@contoso.com", display_name="Alice")
    facts = tokens.AccessTokenFacts(
        version=version, tenant_id=tid, audience=aud, client_app_id="client-1",
        client_auth=tokens.CLIENT_AUTH_PUBLIC, issued_at=now, lifetime=lifetime, token_id="uti-1",
        public_url=services.settings.public_url, subject_object_id="oid-1", user=user, scopes=["User.Read"], **extra,
    )
    key = keys.keyring(services).active()
    return tokens.sign(tokens.access_token_claims(facts), key, include_x5t=version == 1)


def jwk_set(services):
    return {"keys": [k.jwk() for k in keys.keyring(services).published()]}


def test_bootstrap_creates_one_key_and_is_idempotent(services):
    assert bootstrap(services) == []
    assert bootstrap(services) == []
    with services.store.transaction(write=False) as tx:
        assert len(tx.scan(keys.SIGNING_KEYS)) == 1


def test_kid_is_the_sha1_thumbprint_of_the_x5c_certificate(services):
    bootstrap(services)
    jwk = jwk_set(services)["keys"][0]
    der = base64.b64decode(jwk["x5c"][0])
    x509.load_der_x509_certificate(der)
    thumb = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    assert jwk["kid"] == jwk["x5t"] == thumb
    assert (jwk["kty"], jwk["use"], jwk["e"]) == ("RSA", "sig", "AQAB")


def test_v1_token_verifies_with_pyjwt_and_has_x5t_header(services):
    token = mint(services)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["x5t"] == header["kid"] and header["typ"] == "JWT"
    key = jwt.PyJWKSet.from_dict(jwk_set(services))[header["kid"]]
    no_time = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=AUD, options=no_time)
    assert claims["iss"] == f"https://sts.windows.net/{TID}/"
    assert claims["ver"] == "1.0" and claims["upn"] == "alice@contoso.com" and claims["scp"] == "User.Read"


def test_v2_token_has_no_x5t_and_v2_issuer(services):
    token = mint(services, version=2, aud="00000003-0000-0000-c000-000000000000")
    assert "x5t" not in jwt.get_unverified_header(token)
    claims = verify_bearer(services, f"Bearer {token}", ["00000003-0000-0000-c000-000000000000"])
    assert claims["iss"] == f"{services.settings.public_url}/{TID}/v2.0"
    assert claims["preferred_username"] == "alice@contoso.com" and "upn" not in claims


def test_verify_bearer_accepts_trailing_slash_variants(services):
    token = mint(services, aud="https://graph.microsoft.com/")
    assert verify_bearer(services, f"Bearer {token}", [AUD])["aud"] == "https://graph.microsoft.com/"


def _forge(header: dict, claims: dict, signature: bytes = b"x") -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc(header)}.{enc(claims)}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "make, message",
    [
        pytest.param(lambda s: None, "empty", id="missing-header"),
        pytest.param(lambda s: "Basic abc", "Bearer", id="wrong-scheme"),
        pytest.param(lambda s: "Bearer not-a-jwt", "well formed", id="garbage"),
        pytest.param(lambda s: "Bearer " + mint(s, aud="https://other.example"), "Audience", id="wrong-audience"),
        pytest.param(lambda s: "Bearer " + mint(s)[:-4] + "AAAA", "signature", id="tampered-signature"),
        pytest.param(
            lambda s: "Bearer " + _forge({"alg": "none", "kid": "x"}, {"aud": AUD}), "algorithm", id="alg-none"
        ),
        pytest.param(
            lambda s: "Bearer " + _forge({"alg": "RS256", "kid": "unknown"}, {"aud": AUD}), "no signing key",
            id="unknown-kid",
        ),
    ],
)
def test_verify_bearer_refuses(services, make, message):
    with pytest.raises(BearerError) as err:
        verify_bearer(services, make(services), [AUD])
    assert err.value.status == 401 and message in err.value.message


def test_hmac_with_the_public_key_is_refused(services):
    token = mint(services)
    kid = jwt.get_unverified_header(token)["kid"]
    public_pem = keys.keyring(services).active().public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": kid}).encode()).rstrip(b"=").decode()
    body = token.split(".")[1]
    sig = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{head}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"
    with pytest.raises(BearerError, match="algorithm"):
        verify_bearer(services, f"Bearer {forged}", [AUD])


def test_expired_token_is_refused_by_emulator_time(services):
    token = mint(services, lifetime=60)
    verify_bearer(services, f"Bearer {token}", [AUD])
    services.clock.advance(61)
    with pytest.raises(BearerError) as err:
        verify_bearer(services, f"Bearer {token}", [AUD])
    assert err.value.code == "ExpiredAuthenticationToken"


def test_token_for_one_tenant_is_not_valid_for_another(services):
    token = mint(services)
    verify_bearer(services, f"Bearer {token}", [AUD], tenant_id=TID)
    with pytest.raises(BearerError, match="tenant"):
        verify_bearer(services, f"Bearer {token}", [AUD], tenant_id=OTHER_TID)


def test_rotation_keeps_the_old_key_published_until_its_tokens_expire(services):
    old_token = mint(services)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    with services.store.transaction() as tx:
        result = keys.rotate(tx, services.clock.now())
    keys.keyring(services).invalidate()
    new_token = mint(services)
    assert jwt.get_unverified_header(new_token)["kid"] == result["active"] != old_kid
    assert {k["kid"] for k in jwk_set(services)["keys"]} == {old_kid, result["active"]}
    verify_bearer(services, f"Bearer {old_token}", [AUD])
    services.clock.advance(keys.ROTATION_OVERLAP + 1)
    assert [k["kid"] for k in jwk_set(services)["keys"]] == [result["active"]]
    with pytest.raises(BearerError, match="no signing key"):
        verify_bearer(services, f"Bearer {old_token}", [AUD])


def test_a_second_process_sees_the_same_keys(services):
    token = mint(services)
    other = type(services)(services.store, services.clock, services.entropy, services.settings)
    assert verify_bearer(other, f"Bearer {token}", [AUD])["oid"] == "oid-1"


def test_group_overage_over_200_groups(services):
    few = tokens.group_claims([f"g{i}" for i in range(200)], "oid", TID, "https://x")
    assert len(few["groups"]) == 200
    many = tokens.group_claims([f"g{i}" for i in range(201)], "oid", TID, "https://x")
    assert "groups" not in many
    assert many["_claim_names"] == {"groups": "src1"}
    assert many["_claim_sources"]["src1"]["endpoint"].endswith("/users/oid/getMemberObjects")
