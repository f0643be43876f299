"""Fixtures of the cluster tests: one live server per module with one provisioned cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kube.support import Kubectl, kubectl_for, provision
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def kube_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer.start(tmp_path_factory.mktemp("kube") / "data")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cluster(kube_server: LiveServer) -> dict[str, str]:
    return provision(kube_server, "c1")


@pytest.fixture(scope="module")
def admin(cluster: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return kubectl_for(Path(tmp_path_factory.mktemp("kubectl")), cluster)
