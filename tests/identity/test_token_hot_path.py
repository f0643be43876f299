"""The token endpoints as hot routes (ahead of Starlette): the same wire behaviour, and the
sign-in log of cached client-credentials answers written on time and on shutdown."""

from __future__ import annotations

import time

import pytest

from akslocal.identity import apptokens, signins
from akslocal.store import open_store
from tests.identity.live import http, seeded_server, start_seeded, verify
from tests.identity.seed import API_URI


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("idhot") / "data") as env:
        yield env


def client_credentials(s) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": s.api_app_id, "client_secret": s.api_secret,
            "scope": f"{API_URI}/.default"}


def stored_signins(data_dir) -> list[dict]:
    """The sign-in log as the store holds it (no flush: what a crash would leave)."""
    store = open_store(f"sqlite:///{data_dir / 'akslocal.db'}")
    try:
        with store.transaction(write=False) as tx:
            return signins.list_entries(tx, limit=10**6)
    finally:
        store.close()


@pytest.mark.parametrize("path", ["oauth2/token", "oauth2/v2.0/token"])
def test_other_methods_get_405_with_allow(env, path):
    server, s = env
    with http(server) as c:
        for method in ("GET", "PUT", "DELETE"):
            r = c.request(method, f"/{s.tenant_id}/{path}")
            assert r.status_code == 405, (method, r.text)
            assert r.headers["allow"] == "POST" and r.text == "Method Not Allowed"


def test_a_body_over_64_kib_or_a_repeated_parameter_is_an_oauth_error(env):
    server, s = env
    with http(server) as c:
        big = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", content=b"a=" + b"x" * (64 * 1024),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "client-request-id": "corr-1"})
        assert big.status_code == 400 and big.headers["cache-control"].startswith("no-store")
        body = big.json()
        assert body["error"] == "invalid_request" and body["error_codes"] == [900144]
        assert "request body too large" in body["error_description"] and body["correlation_id"] == "corr-1"
        twice = c.post(f"/{s.tenant_id}/oauth2/v2.0/token",
                       content=b"grant_type=client_credentials&grant_type=password",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert twice.status_code == 400 and "parameter 'grant_type' is repeated" in twice.json()["error_description"]


def test_basic_auth_api_version_and_the_v1_shape_pass_through(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/token?api-version=1.0", auth=(s.api_app_id, s.api_secret),
                   data={"grant_type": "client_credentials", "resource": s.api_app_id})
        assert r.status_code == 200, r.text
        body = r.json()
        assert isinstance(body["expires_on"], str) and body["resource"] == s.api_app_id
        assert verify(server, body["access_token"], f"spn:{s.api_app_id}")["appid"] == s.api_app_id


def test_x_forwarded_for_does_not_rename_the_caller_in_the_sign_in_log(env):
    server, s = env
    with http(server) as c:
        r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={**client_credentials(s), "client_secret": "wrong"},
                   headers={"X-Forwarded-For": "203.0.113.9", "client-request-id": "spoof-check"})
        assert r.status_code == 401
        log = c.get("/_akslocal/signins", headers={"X-Akslocal-Control-Key": server.control_key}).json()["value"]
    entry = next(e for e in log if e["correlationId"] == "spoof-check")
    assert entry["ipAddress"] == "127.0.0.1"


def test_cached_answers_reach_the_store_within_the_flush_interval(env):
    server, s = env
    with http(server) as c:
        for i in range(3):  # the first goes to the directory, the next two are answered from the plan cache
            r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=client_credentials(s),
                       headers={"client-request-id": f"timer-{i}"})
            assert r.status_code == 200, r.text
    deadline = time.monotonic() + apptokens.FLUSH_SECONDS + 5
    while True:
        seen = {e["correlationId"] for e in stored_signins(server.data_dir)}
        if {"timer-0", "timer-1", "timer-2"} <= seen or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert {"timer-0", "timer-1", "timer-2"} <= seen


def test_cached_answers_are_written_when_the_server_stops(tmp_path):
    server, s = start_seeded(tmp_path / "data")
    try:
        with http(server) as c:
            for i in range(4):
                assert c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=client_credentials(s),
                              headers={"client-request-id": f"stop-{i}"}).status_code == 200
    finally:
        server.stop()  # at once: well inside FLUSH_SECONDS
    assert server.process.returncode == 0
    seen = [e["correlationId"] for e in stored_signins(server.data_dir)]
    assert [f"stop-{i}" for i in range(4)] == [c for c in seen if c and c.startswith("stop-")]
