"""`akslocal start --workers 2`: two processes on one port, one store, one set of keys."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import msal

from tests.identity.live import requests_trusts, seeded_server, ssl_context, start_seeded, verify
from tests.identity.seed import API_URI


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_two_workers_issue_tokens_that_verify_and_log_every_sign_in(tmp_path):
    server, s = start_seeded(tmp_path / "data", "--workers", "2")
    try:
        workers = _children(server.process.pid)
        assert len(workers) == 2, workers
        form = {"grant_type": "client_credentials", "client_id": s.api_app_id, "client_secret": s.api_secret,
                "scope": f"{API_URI}/.default"}
        fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection each time: either worker answers
        with httpx.Client(base_url=server.url, verify=ssl_context(server), limits=fresh) as c:
            for i in range(24):
                r = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data=form, headers={"client-request-id": f"w-{i}"})
                assert r.status_code == 200, r.text
                claims = verify(server, r.json()["access_token"], API_URI)  # one key set, whichever worker signed
                assert claims["appid"] == s.api_app_id and claims["tid"] == s.tenant_id
            wanted = {f"w-{i}" for i in range(24)}
            deadline = time.monotonic() + 10
            while True:  # each worker flushes its own sign-in batch within 0.5 s
                log = c.get("/_akslocal/signins?top=1000",
                            headers={"X-Akslocal-Control-Key": server.control_key}).json()["value"]
                if wanted <= {e["correlationId"] for e in log} or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        assert wanted <= {e["correlationId"] for e in log}
        with requests_trusts(server):  # a real client too: MSAL, each call on a new connection
            for _ in range(4):
                app = msal.ConfidentialClientApplication(s.api_app_id, client_credential=s.api_secret,
                                                         authority=f"{server.url}/{s.tenant_id}",
                                                         instance_discovery=False)
                result = app.acquire_token_for_client([f"{API_URI}/.default"])
                assert "access_token" in result, result
                assert verify(server, result["access_token"], API_URI)["appid"] == s.api_app_id
    finally:
        server.stop()
    assert server.process.returncode == 0, server.log()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert not (server.data_dir / "server.json").exists()


def test_a_worker_that_dies_stops_the_server(tmp_path):
    import os
    import signal

    with seeded_server(tmp_path / "one") as (single, _):
        assert _children(single.process.pid) == []  # one worker: no fork
    server, _ = start_seeded(tmp_path / "data", "--workers", "2")
    try:
        first, second = _children(server.process.pid)
        os.kill(first, signal.SIGKILL)
        server.process.wait(15)
    finally:
        server.stop()
    assert server.process.returncode != 0
    assert not Path(f"/proc/{second}").exists() or "zombie" in Path(f"/proc/{second}/status").read_text()


def test_workers_must_be_between_1_and_64():
    for bad in ("0", "65", "two"):
        result = subprocess.run([sys.executable, "-m", "akslocal.server.main", "start", "--workers", bad],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "--workers" in result.stderr, result.stderr


def test_a_clock_move_is_seen_by_every_worker_at_once(tmp_path):
    server, _ = start_seeded(tmp_path / "data", "--workers", "2")
    try:
        headers = {"X-Akslocal-Control-Key": server.control_key}
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=server.url, verify=ssl_context(server), limits=fresh) as c:
            for _ in range(6):  # both workers read (and cache) the offset first
                assert c.get("/_akslocal/clock", headers=headers).json()["offset"] == 0
            assert c.post("/_akslocal/clock", headers=headers, json={"advanceSeconds": 7200}).status_code == 200
            offsets = [c.get("/_akslocal/clock", headers=headers).json()["offset"] for _ in range(12)]
        assert offsets == [7200] * 12
    finally:
        server.stop()
