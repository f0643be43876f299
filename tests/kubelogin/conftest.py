"""Fixtures for the credential plugin: a scripted fake token service and the plugin as a subprocess;
for the live tests, one akslocal and the seed's legacy cluster per module (see :mod:`tests.kubelogin.live`)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kubelogin.fake_sts import FakeSTS
from tests.kubelogin.live import build_cluster, start_server
from tests.support.cluster_flow import SeedCluster
from tests.support.live import LiveServer

PLUGIN = str(Path(sys.executable).parent / "akslocal-kubelogin")
SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.fixture
def sts(tmp_path: Path) -> Iterator[FakeSTS]:
    fake = FakeSTS.start(tmp_path / "sts")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_server(tmp_path_factory)


@pytest.fixture(scope="module")
def cluster(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> SeedCluster:
    return build_cluster(server, tmp_path_factory)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AAD_", "AZURE_", "AKSLOCAL_", "KUBERNETES_EXEC_INFO", "REQUESTS_CA_BUNDLE"))}
    env.update(extra)
    return env


class Plugin:
    """``akslocal-kubelogin get-token`` against the fake service, with its own cache dir and data dir."""

    def __init__(self, sts: FakeSTS, root: Path) -> None:
        self.sts = sts
        self.cache_dir = root / "cache"
        self.data_dir = root / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def args(self, *extra: str, login: str = "devicecode") -> list[str]:
        return [PLUGIN, "get-token", "--environment", "AzurePublicCloud", "--server-id", SERVER_ID,
                "--client-id", CLIENT_ID, "--tenant-id", TENANT_ID, "--authority-host", self.sts.url + "/",
                "--login", login, "--cache-dir", str(self.cache_dir), *extra]

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(AKSLOCAL_CA_BUNDLE=str(self.sts.ca_path), AKSLOCAL_DATA_DIR=str(self.data_dir), **extra)

    def run(self, *extra: str, login: str = "devicecode", env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.args(*extra, login=login), capture_output=True, text=True,
                              env=env or self.env(), timeout=timeout)

    def advance_clock(self, seconds: float) -> None:
        """What the control plane does: the offset in ``<data dir>/clock.json`` moves forward."""
        path = self.data_dir / "clock.json"
        offset = json.loads(path.read_text())["offset"] if path.exists() else 0.0
        path.write_text(json.dumps({"offset": offset + seconds}))


@pytest.fixture
def plugin(sts: FakeSTS, tmp_path: Path) -> Plugin:
    return Plugin(sts, tmp_path)


def credential(stdout: str) -> dict:
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
