"""`akslocal start/status/reset/ca-path` as a user runs them."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from akslocal.pki import CertificateAuthority
from tests.support.live import LiveServer


def akslocal(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "akslocal.server.main", *args], capture_output=True, text=True,
                          timeout=60, **kwargs)


def test_health_banner_and_clean_stop(tmp_path: Path) -> None:
    server = LiveServer.start(tmp_path / "data")
    try:
        with server.client() as client:
            assert client.get("/health").json() == {"status": "ok"}
        text = "\n".join(server.banner)
        assert f"akslocal is serving on {server.url}" in text
        assert str(server.ca_path) in text
        assert akslocal("status", "--data-dir", str(server.data_dir)).returncode == 0
    finally:
        server.stop()
    assert server.process.returncode == 0, server.log()
    assert not (server.data_dir / "server.json").exists()
    result = akslocal("status", "--data-dir", str(server.data_dir))
    assert result.returncode == 1 and "not running" in result.stdout


def test_restart_keeps_ca_and_state(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = LiveServer.start(data)
    ca = first.ca_path.read_text()
    banner1 = [line for line in first.banner if "Tenant:" in line or "Subscription:" in line]
    first.stop()
    second = LiveServer.start(data)
    try:
        assert second.ca_path.read_text() == ca
        assert [line for line in second.banner if "Tenant:" in line or "Subscription:" in line] == banner1
    finally:
        second.stop()


def test_only_our_ca_is_trusted_for_the_edge(live_server: LiveServer) -> None:
    other = CertificateAuthority.create("someone else")
    bundle = live_server.data_dir.parent / "other-ca.pem"
    bundle.write_text(other.cert_pem)
    with pytest.raises(httpx.ConnectError), httpx.Client(verify=ssl.create_default_context(cafile=str(bundle))) as c:
        c.get(live_server.url + "/health")


def test_ca_path_and_reset(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = akslocal("ca-path", "--data-dir", str(data))
    assert missing.returncode == 1 and "akslocal start" in missing.stdout
    server = LiveServer.start(data)
    try:
        assert akslocal("ca-path", "--data-dir", str(data)).stdout.strip() == str(server.ca_path)
        refused = akslocal("reset", "--yes", "--data-dir", str(data))
        assert refused.returncode == 1 and "stop it first" in refused.stdout
    finally:
        server.stop()
    asks = akslocal("reset", "--data-dir", str(data))
    assert asks.returncode == 2 and data.exists()
    done = akslocal("reset", "--yes", "--data-dir", str(data))
    assert done.returncode == 0 and not data.exists()


def test_control_plane_needs_the_control_key_and_moves_the_clock(live_server: LiveServer) -> None:
    with live_server.client() as client:
        assert client.get("/_akslocal/clock").status_code == 401
        assert client.get("/_akslocal/clock", headers={"X-Akslocal-Control-Key": "wrong"}).status_code == 401
        headers = {"X-Akslocal-Control-Key": live_server.control_key}
        before = client.get("/_akslocal/clock", headers=headers).json()
        bad = client.post("/_akslocal/clock", headers=headers, json={"advanceSeconds": -5})
        assert bad.status_code == 400
        after = client.post("/_akslocal/clock", headers=headers, json={"advanceSeconds": 3600}).json()
        assert after["offset"] >= before["offset"] + 3600
    assert float(__import__("json").loads((live_server.data_dir / "clock.json").read_text())["offset"]) >= 3600


def test_help_lists_the_commands() -> None:
    result = akslocal("--help")
    assert result.returncode == 0
    for command in ("start", "status", "reset", "ca-path"):
        assert command in result.stdout
