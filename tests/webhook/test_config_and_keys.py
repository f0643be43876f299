"""Configuration from a cluster's ClusterAuth or from flags/env/file; the JWKS fetched over HTTPS
from the v1 metadata (cached, refreshed on an unknown kid, rate limited); review_token in process."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube.provision import ClusterAuth
from akslocal.pki import CertificateAuthority
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store
from akslocal.webhook import review as review_module
from akslocal.webhook.config import AKS_SERVER_APP_ID, ConfigError, from_cluster_auth, from_sources
from akslocal.webhook.errors import ReviewError
from akslocal.webhook.keys import RemoteKeySet, parse_jwks, ssl_context
from tests.support.live import free_port
from tests.webhook.tokens import AKS_SERVER, NOW, SERVER_APP, TENANT, Minter


def test_config_from_cluster_auth() -> None:
    legacy = from_cluster_auth(ClusterAuth("legacy", TENANT.upper(), SERVER_APP, "sec", "client"),
                               "https://127.0.0.1:8443/", "/ca.pem", ("api://srv",))
    assert legacy.audiences == (f"spn:{SERVER_APP}", SERVER_APP, "api://srv")
    assert legacy.issuer == f"https://sts.windows.net/{TENANT}/"
    assert legacy.metadata_url == f"https://127.0.0.1:8443/{TENANT}/.well-known/openid-configuration"
    assert legacy.token_url == f"https://127.0.0.1:8443/{TENANT}/oauth2/v2.0/token"
    assert legacy.ca_bundle == "/ca.pem" and not legacy.directory_groups
    managed = from_cluster_auth(ClusterAuth("managed", TENANT, AKS_SERVER_APP_ID), "https://h:1", None)
    assert managed.audiences == (AKS_SERVER,) and managed.server_app_secret is None and managed.directory_groups
    with pytest.raises(ConfigError):
        from_cluster_auth(ClusterAuth("none"), "https://h", None)
    assert "sec" not in repr(legacy)  # the secret never shows in logs or tracebacks


def test_config_precedence_flags_over_env_over_file(tmp_path: Path) -> None:
    file = tmp_path / "webhook.yaml"
    file.write_text(f"tenant_id: {TENANT}\nserver_app_id: {SERVER_APP}\nserver_app_secret: from-file\n"
                    "authority: https://file.example/\nidentifier_uris: [api://x]\n")
    env = {"AKSLOCAL_WEBHOOK_SERVER_APP_SECRET": "from-env", "AKSLOCAL_WEBHOOK_AUTHORITY": "https://env.example"}
    config = from_sources({"authority": "https://flag.example/"}, env=env, file=file)
    assert (config.server_app_secret, config.authority, config.graph_url) == (
        "from-env", "https://flag.example", "https://flag.example")
    assert config.identifier_uris == ("api://x",)
    guard_env = from_sources({"tenant_id": TENANT, "server_app_id": SERVER_APP}, env={"AZURE_CLIENT_SECRET": "g"})
    assert guard_env.server_app_secret == "g"
    managed = from_sources({"tenant_id": TENANT, "mode": "managed"}, env={})
    assert managed.server_app_id == AKS_SERVER and managed.audiences == (AKS_SERVER,)
    with pytest.raises(ConfigError, match="secret"):
        from_sources({"tenant_id": TENANT, "server_app_id": SERVER_APP}, env={})
    with pytest.raises(ConfigError, match="tenant"):
        from_sources({"server_app_id": SERVER_APP, "server_app_secret": "s"}, env={})
    with pytest.raises(ConfigError, match="mode"):
        from_sources({"tenant_id": TENANT, "server_app_id": SERVER_APP, "server_app_secret": "s", "mode": "x"},
                     env={})
    (tmp_path / "bad.yaml").write_text("tenant: x\n")
    with pytest.raises(ConfigError, match="unknown settings tenant"):
        from_sources({}, env={}, file=tmp_path / "bad.yaml")


def test_parse_jwks_skips_what_is_not_an_rsa_signing_key() -> None:
    good = Minter(kid="k1").jwks()["keys"][0]
    doc = {"keys": [good, {**good, "kid": "enc", "use": "enc"}, {"kty": "EC", "kid": "ec"}, {**good, "n": 5},
                    {**good, "kid": ""}, "junk"]}
    assert list(parse_jwks(doc)) == ["k1"]
    assert parse_jwks([]) == {} and parse_jwks({"keys": "x"}) == {}


class Jwks:
    def __init__(self, minter: Minter) -> None:
        self.minter = minter
        self.hits: list[str] = []
        self.fail = False


@pytest.fixture
def jwks_server(tmp_path: Path) -> Iterator[tuple[str, Jwks, str]]:
    ca = CertificateAuthority.create("test CA")
    issued = ca.issue_server(["127.0.0.1"])
    (tmp_path / "ca.pem").write_text(ca.cert_pem)
    (tmp_path / "cert.pem").write_text(issued.cert_pem)
    (tmp_path / "key.pem").write_text(issued.key_pem)
    state = Jwks(Minter(kid="k1"))
    port = free_port()
    base = f"https://127.0.0.1:{port}"

    async def metadata(request: Request) -> JSONResponse:
        state.hits.append("metadata")
        return JSONResponse({"issuer": f"https://sts.windows.net/{TENANT}/",
                             "jwks_uri": f"{base}/common/discovery/keys"})

    async def keys(request: Request) -> JSONResponse:
        state.hits.append("keys")
        if state.fail:
            return JSONResponse({"error": "boom"}, status_code=500)
        return JSONResponse(state.minter.jwks())

    app = Starlette(routes=[Route(f"/{TENANT}/.well-known/openid-configuration", metadata),
                            Route("/common/discovery/keys", keys)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ssl_certfile=str(tmp_path / "cert.pem"),
                                           ssl_keyfile=str(tmp_path / "key.pem"), log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield base, state, str(tmp_path / "ca.pem")
    finally:
        server.should_exit = True
        thread.join(10)


def test_remote_key_set_fetches_over_https_refreshes_on_unknown_kid_and_is_rate_limited(jwks_server) -> None:
    base, state, ca = jwks_server
    clock = [1000.0]
    keys = RemoteKeySet(f"{base}/{TENANT}/.well-known/openid-configuration", ssl_context(ca),
                        monotonic=lambda: clock[0])

    async def scenario() -> None:
        assert keys.get("k1") is None
        assert await keys.refresh("k1") is not None
        assert state.hits == ["metadata", "keys"]
        assert keys.get("k1") is not None  # cached: no I/O
        state.minter = Minter(kid="k2")  # the tenant rotated its key
        clock[0] += 1
        assert await keys.refresh("k2") is None  # too soon after the last fetch: no request
        assert state.hits == ["metadata", "keys"]
        clock[0] += 30
        assert await keys.refresh("k2") is not None  # one refresh picks the new key up (metadata not re-read)
        assert state.hits == ["metadata", "keys", "keys"]
        state.fail = True
        clock[0] += 30
        with pytest.raises(ReviewError, match="fetching keys"):
            await keys.refresh("k3")
        assert keys.get("k2") is not None  # a failed refresh keeps the keys we have

    asyncio.run(scenario())


def test_remote_key_set_refuses_an_untrusted_server(jwks_server) -> None:
    base, _, _ = jwks_server
    keys = RemoteKeySet(f"{base}/{TENANT}/.well-known/openid-configuration", ssl_context(None))
    with pytest.raises(ReviewError, match="failed to verify signature: fetching keys"):
        asyncio.run(keys.refresh("k1"))


def test_review_token_in_process_for_a_cluster_auth(tmp_path: Path) -> None:
    services = Services(open_store(f"sqlite:///{tmp_path}/s.db"), FixedClock(NOW), Entropy(seed=1),
                        Settings(data_dir=tmp_path))
    minter = Minter()
    auth = ClusterAuth("legacy", TENANT, SERVER_APP, "secret", "client")
    unreadable = asyncio.run(review_module.review_token(services, auth, minter.token()))
    assert unreadable["authenticated"] is False  # no edge CA yet: refused, never raised
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "ca.pem").write_text(CertificateAuthority.create("edge").cert_pem)
    authenticator = review_module.authenticator_for(services, auth)
    assert review_module.authenticator_for(services, auth) is authenticator  # one per cluster configuration
    authenticator.keys = minter.key_set
    status = asyncio.run(review_module.review_token(services, auth, minter.token()))
    assert status["authenticated"] is True and status["user"]["username"] == "alice@contoso.onmicrosoft.com"
    refused = asyncio.run(review_module.review_token(services, auth, minter.token(aud=AKS_SERVER)))
    assert refused["authenticated"] is False and "oidc: expected audience" in refused["error"]
    assert asyncio.run(review_module.review_token(services, ClusterAuth("none"), "x"))["authenticated"] is False
    answer = asyncio.run(review_module.review(services, {"apiVersion": "authentication.k8s.io/v1beta1",
                                                         "kind": "TokenReview", "spec": {"token": minter.token()}},
                                              auth=auth))
    assert answer["apiVersion"] == "authentication.k8s.io/v1beta1" and answer["status"]["authenticated"] is True
    assert json.dumps(answer)  # plain JSON
