"""Groups through overage (Graph getMemberGroups with the server app's own token), and the caches.

Graph and the token endpoint are a recorded fake transport here; the same behaviour against a
live akslocal is in test_live.py.
"""

from __future__ import annotations

import asyncio
import json
import ssl

import httpx
import pytest

from akslocal.clock import FixedClock
from akslocal.webhook import review as review_module
from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.groups import GraphGroups
from akslocal.webhook.review import Authenticator
from tests.webhook.tokens import ALICE_OID, NOW, SERVER_APP, TENANT, Minter, overage

MINTER = Minter()
CONFIG = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="right-secret",
                       authority="https://login.test", graph_url="https://graph.test")
GROUPS = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(250)]


class FakeEntra:
    """The v2 token endpoint and Graph getMemberGroups, recording each call."""

    def __init__(self, *, secret: str = "right-secret", graph_status: int = 200) -> None:
        self.secret = secret
        self.graph_status = graph_status
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url}")
        if request.url.path == f"/{TENANT}/oauth2/v2.0/token":
            form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
            assert form["grant_type"] == "client_credentials" and form["client_id"] == SERVER_APP
            assert form["scope"] == "https%3A%2F%2Fgraph.microsoft.com%2F.default"
            if form["client_secret"] != self.secret:
                return httpx.Response(401, json={"error": "invalid_client", "error_description":
                                                 "AADSTS7000215: Invalid client secret provided."})
            return httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3599, "access_token": "graph-tok"})
        assert request.url.path == f"/v1.0/users/{ALICE_OID}/getMemberGroups"
        assert request.headers["authorization"] == "Bearer graph-tok"
        assert json.loads(request.content) == {"securityEnabledOnly": False}
        if self.graph_status == 403:
            denied = {"code": "Authorization_RequestDenied",
                      "message": "Insufficient privileges to complete the operation."}
            return httpx.Response(403, json={"error": denied})
        return httpx.Response(200, json={"value": GROUPS})


def authenticator(fake: FakeEntra, clock: FixedClock, config: WebhookConfig = CONFIG) -> Authenticator:
    groups = GraphGroups(config, ssl.create_default_context(), clock, transport=httpx.MockTransport(fake))
    return Authenticator(config, MINTER.key_set, clock, groups)


def test_250_groups_through_overage() -> None:
    fake, clock = FakeEntra(), FixedClock(NOW)
    status = asyncio.run(authenticator(fake, clock).review(MINTER.token(**overage())))
    assert status["authenticated"] is True and status["user"]["groups"] == GROUPS
    assert fake.calls == [f"POST https://login.test/{TENANT}/oauth2/v2.0/token",
                          f"POST https://graph.test/v1.0/users/{ALICE_OID}/getMemberGroups"]


def test_groups_claim_is_taken_as_is_without_graph() -> None:
    fake = FakeEntra()
    status = asyncio.run(authenticator(fake, FixedClock(NOW)).review(MINTER.token(groups=["g1"])))
    assert status["user"]["groups"] == ["g1"] and fake.calls == []


def test_wrong_server_secret_is_not_authenticated() -> None:
    fake = FakeEntra(secret="the-new-secret")
    d = asyncio.run(authenticator(fake, FixedClock(NOW)).decide(MINTER.token(**overage())))
    assert d.status["authenticated"] is False and d.reason == "graph_token"
    assert d.status["error"].startswith("failed to get groups: ClientCredentialTokenProvider: failed to get token: "
                                        "request failed with status code: 401 and response: ")
    assert "AADSTS7000215" in d.status["error"] and "--aad-server-app-secret" in d.error.hint


def test_missing_admin_consent_is_not_authenticated_with_the_reason_logged(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeEntra(graph_status=403)
    with caplog.at_level("INFO", logger="akslocal.webhook"):
        d = asyncio.run(authenticator(fake, FixedClock(NOW)).decide(MINTER.token(**overage())))
    assert d.status["authenticated"] is False and d.reason == "graph_denied"
    assert d.status["error"].startswith(f"failed to get groups: request /users/{ALICE_OID}/getMemberGroups failed "
                                        "with status code: 403 and response: ")
    assert caplog.records[-1].levelname == "WARNING"  # an operator problem: shown at the default log level
    line = json.loads(caplog.records[-1].getMessage())
    assert line["result"] == "refused" and line["reason"] == "graph_denied"
    assert "Directory.Read.All" in line["hint"] and "admin-consent" in line["hint"]


def test_second_review_of_the_same_token_makes_no_graph_call() -> None:
    fake, clock = FakeEntra(), FixedClock(NOW)
    auth = authenticator(fake, clock)
    token = MINTER.token(**overage())
    first = asyncio.run(auth.decide(token))
    calls = len(fake.calls)
    second = asyncio.run(auth.decide(token))
    assert second.cached and second.status == first.status and len(fake.calls) == calls


def test_expired_token_is_never_served_from_cache() -> None:
    fake, clock = FakeEntra(), FixedClock(NOW)
    auth = authenticator(fake, clock)
    token = MINTER.token(**overage(), exp=NOW + 100)
    assert asyncio.run(auth.decide(token)).status["authenticated"] is True
    clock.advance(101)
    d = asyncio.run(auth.decide(token))
    assert not d.cached and d.reason == "expired" and d.status["authenticated"] is False


def test_member_groups_reused_per_user_for_a_short_time_but_the_secret_is_checked_each_time() -> None:
    fake, clock = FakeEntra(), FixedClock(NOW)
    auth = authenticator(fake, clock)
    asyncio.run(auth.decide(MINTER.token(**overage(), uti="one")))
    asyncio.run(auth.decide(MINTER.token(**overage(), uti="two")))  # a new token of the same user
    assert [c.split("/")[-1] for c in fake.calls] == ["token", "getMemberGroups", "token"]
    fake.secret = "reset"
    d = asyncio.run(auth.decide(MINTER.token(**overage(), uti="three")))
    assert d.reason == "graph_token"


def test_failures_are_not_cached() -> None:
    fake, clock = FakeEntra(graph_status=403), FixedClock(NOW)
    auth = authenticator(fake, clock)
    token = MINTER.token(**overage())
    asyncio.run(auth.decide(token))
    fake.graph_status = 200  # the admin consents
    assert asyncio.run(auth.decide(token)).status["authenticated"] is True


def test_app_token_with_overage_is_refused_as_guard_does() -> None:
    d = asyncio.run(authenticator(FakeEntra(), FixedClock(NOW)).decide(MINTER.token(**overage(), idtyp="app")))
    assert d.reason == "spn_overage" and d.error.http_status == 200
    assert d.status["error"].startswith("service principal with group membership exceeding 200 is not supported")


def test_review_answers_v1_and_v1beta1_objects_in_their_own_version() -> None:
    auth = authenticator(FakeEntra(), FixedClock(NOW))
    for version in ("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"):
        answer = asyncio.run(review_module.review(auth, {"apiVersion": version, "kind": "TokenReview",
                                                         "spec": {"token": MINTER.token()}}))
        assert answer["apiVersion"] == version and answer["kind"] == "TokenReview"
        assert answer["status"]["user"]["username"] == "alice@contoso.onmicrosoft.com"
    for bad in ({}, [], {"apiVersion": "v1", "kind": "TokenReview", "spec": {"token": "x"}},
                {"apiVersion": "authentication.k8s.io/v1", "kind": "Pod", "spec": {"token": "x"}},
                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": 5}}):
        with pytest.raises(review_module.BadTokenReview):
            asyncio.run(review_module.review(auth, bad))


def test_concurrent_reviews_of_one_new_token_share_one_graph_look_up() -> None:
    fake, clock = FakeEntra(), FixedClock(NOW)
    auth = authenticator(fake, clock)
    token = MINTER.token(**overage())

    async def burst() -> list:
        return await asyncio.gather(*(auth.decide(token) for _ in range(8)))

    decisions = asyncio.run(burst())
    assert all(d.status["authenticated"] for d in decisions)
    assert len(fake.calls) == 2  # one app token, one getMemberGroups for all eight


def test_overage_with_an_oid_that_is_not_an_object_id_is_refused() -> None:
    d = asyncio.run(authenticator(FakeEntra(), FixedClock(NOW)).decide(MINTER.token(**overage(), oid="../../me")))
    assert d.status["authenticated"] is False and d.reason == "groups"


def test_an_unexpected_error_is_a_refusal_not_an_exception() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom")

    groups = GraphGroups(CONFIG, ssl.create_default_context(), FixedClock(NOW), transport=httpx.MockTransport(broken))
    auth = Authenticator(CONFIG, MINTER.key_set, FixedClock(NOW), groups)
    d = asyncio.run(auth.decide(MINTER.token(**overage())))
    assert d.status == {"authenticated": False, "error": "internal error: RuntimeError"} and d.reason == "internal"
