"""Validation in go-oidc's order, each forged or wrong token refused with its reason and guard's text."""

from __future__ import annotations

import asyncio

import pytest

from akslocal.clock import FixedClock
from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.review import Authenticator, Decision
from tests.webhook.tokens import (
    AKS_SERVER,
    ALICE_OID,
    NOW,
    OTHER_TENANT,
    SERVER_APP,
    TENANT,
    Minter,
    alg_none,
    b64,
    hs256_with_public_key,
    seg,
    tampered,
)

MINTER = Minter()
LEGACY = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="s3cret",
                       identifier_uris=("api://contoso-aks-server",))
MANAGED = WebhookConfig(tenant_id=TENANT, mode="managed", server_app_id=AKS_SERVER)
PREFIX = "failed to verify token for azure: "


def decide(token: str, config: WebhookConfig = LEGACY, minter: Minter = MINTER, now: float = NOW) -> Decision:
    return asyncio.run(Authenticator(config, minter.key_set, FixedClock(now)).decide(token))


@pytest.mark.parametrize("aud", [f"spn:{SERVER_APP}", SERVER_APP, "api://contoso-aks-server",
                                 [f"spn:{SERVER_APP}", "other"]], ids=["spn", "bare-id", "identifier-uri", "list"])
def test_legacy_token_accepted(aud) -> None:
    d = decide(MINTER.token(aud=aud))
    assert d.status == {"authenticated": True, "user": {
        "username": "alice@contoso.onmicrosoft.com", "uid": ALICE_OID, "groups": ["g1", "g2"],
        "extra": {"oid": [ALICE_OID]}}}


def test_managed_token_accepted_only_with_the_aks_server_app_audience() -> None:
    assert decide(MINTER.token(aud=AKS_SERVER), MANAGED).status["authenticated"] is True
    refused = decide(MINTER.token(aud=f"spn:{AKS_SERVER}"), MANAGED)
    assert refused.status == {"authenticated": False, "error": (
        f'{PREFIX}oidc: expected audience "{AKS_SERVER}" got ["spn:{AKS_SERVER}"]')}


def test_guest_is_their_object_id() -> None:
    guest = "cccccccc-0000-0000-0000-000000000003"
    d = decide(MINTER.token(upn=None, oid=guest, idp=f"https://sts.windows.net/{OTHER_TENANT}/"))
    assert d.status["user"]["username"] == guest and d.status["user"]["extra"] == {"oid": [guest]}


def test_nbf_has_one_minute_of_leeway_and_exp_none() -> None:
    assert decide(MINTER.token(nbf=NOW + 60)).status["authenticated"] is True
    assert decide(MINTER.token(exp=NOW)).status["authenticated"] is True


OTHER_KEY = Minter(kid="test-kid-1")
REFUSED = [
    pytest.param(lambda: alg_none(MINTER), "algorithm",
                 'oidc: id token signed with unsupported algorithm, expected ["RS256"] got "none"', id="alg-none"),
    pytest.param(lambda: hs256_with_public_key(MINTER), "algorithm",
                 'oidc: id token signed with unsupported algorithm, expected ["RS256"] got "HS256"',
                 id="hs256-public-key"),
    pytest.param(lambda: Minter(kid="unknown-kid").token(), "unknown_kid",
                 'failed to verify signature: failed to verify id token signature (no key with kid "unknown-kid" '
                 "in the tenant's JWKS)", id="unknown-kid"),
    pytest.param(lambda: OTHER_KEY.token(), "signature",
                 "failed to verify signature: failed to verify id token signature (the signature does not match)",
                 id="other-key-same-kid"),
    pytest.param(lambda: tampered(MINTER), "signature",
                 "failed to verify signature: failed to verify id token signature (the signature does not match)",
                 id="tampered-payload"),
    pytest.param(lambda: MINTER.token(exp=NOW - 1), "expired",
                 "oidc: token is expired (Token Expiry: 2027-01-15 07:59:59 +0000 UTC)", id="expired"),
    pytest.param(lambda: MINTER.token(nbf=NOW + 61), "not_yet_valid",
                 "oidc: current time 2027-01-15 08:00:00 +0000 UTC before the nbf (not before) time: "
                 "2027-01-15 08:01:01 +0000 UTC", id="future-nbf"),
    pytest.param(lambda: MINTER.token(iss=f"https://login.microsoftonline.com/{TENANT}/v2.0"), "issuer",
                 f'oidc: id token issued by a different provider, expected "https://sts.windows.net/{TENANT}/" got '
                 f'"https://login.microsoftonline.com/{TENANT}/v2.0"', id="wrong-issuer-v2"),
    pytest.param(lambda: MINTER.token(iss=f"https://sts.windows.net/{OTHER_TENANT}/", tid=OTHER_TENANT), "issuer",
                 f'oidc: id token issued by a different provider, expected "https://sts.windows.net/{TENANT}/" got '
                 f'"https://sts.windows.net/{OTHER_TENANT}/"', id="other-tenant"),
    pytest.param(lambda: MINTER.token(tid=OTHER_TENANT), "tenant",
                 f'tid claim "{OTHER_TENANT}" does not match the cluster\'s tenant "{TENANT}"', id="other-tid"),
    pytest.param(lambda: MINTER.token(aud="https://graph.microsoft.com"), "audience",
                 f'oidc: expected audience "spn:{SERVER_APP}" or "{SERVER_APP}" or "api://contoso-aks-server" got '
                 '["https://graph.microsoft.com"]', id="wrong-audience"),
    pytest.param(lambda: MINTER.token(aud=f"spn:{SERVER_APP}/"), "audience", None, id="audience-not-normalised"),
    pytest.param(lambda: "garbage", "malformed",
                 "oidc: malformed jwt: square/go-jose: compact JWS format must have three parts", id="garbage"),
    pytest.param(lambda: "a.b.c", "malformed", None, id="garbage-three-parts"),
    pytest.param(lambda: f"{seg({'alg': 'RS256'})}.{seg([1, 2])}.AAAA", "malformed",
                 "oidc: failed to unmarshal claims: the payload is not a JSON object", id="claims-not-object"),
    pytest.param(lambda: MINTER.token(upn="x" * (1024 * 1024)), "malformed", None, id="1MB-token"),
    pytest.param(lambda: "", "malformed", None, id="empty"),
    pytest.param(lambda: f"{seg({'alg': 'RS256'})}.{b64(b'[' * 20000 + b']' * 20000)}.AAAA", "malformed",
                 "oidc: failed to unmarshal claims: nested too deeply", id="deeply-nested-claims"),
    pytest.param(lambda: f"{b64(b'[' * 20000)}.{seg({})}.AAAA", "malformed", None, id="deeply-nested-header"),
    pytest.param(lambda: MINTER.token()[:-2] + "é", "malformed", None, id="non-ascii"),
    pytest.param(lambda: MINTER.token(exp="tomorrow"), "expired", None, id="exp-not-a-number"),
    pytest.param(lambda: MINTER.token(_claim_names={"groups": "src9"}, _claim_sources={}), "claim_sources",
                 "oidc: source does not exist", id="claim-source-missing"),
]


@pytest.mark.parametrize(("make", "reason", "message"), REFUSED)
def test_refused_with_its_reason(make, reason: str, message: str | None) -> None:
    d = decide(make())
    assert d.status["authenticated"] is False and d.reason == reason, d.status
    assert set(d.status) == {"authenticated", "error"}
    if message is not None:
        assert d.status["error"] == PREFIX + message


def test_no_upn_no_oid() -> None:
    d = decide(MINTER.token(upn=None, oid=None))
    assert d.status == {"authenticated": False, "error": "username: upn and objectID: oid claims not found"}
    assert decide(MINTER.token(upn=7)).status["error"] == "claim upn is not a string, found int"


def test_unknown_kid_refreshes_the_key_set_once() -> None:
    keys = MINTER.key_set
    auth = Authenticator(LEGACY, keys, FixedClock(NOW))
    asyncio.run(auth.decide(Minter(kid="rotated").token()))
    assert keys.refreshes == 1
    asyncio.run(auth.decide(MINTER.token()))
    assert keys.refreshes == 1  # known kid: no refresh
