"""ARM unit-test services (fresh SQLite store, fixed clock, seeded entropy) and a fake cluster provisioner."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube.provision import ClusterCredentials
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store
from tests.arm.seed import seed_directory


@dataclass
class FakeProvisioner:
    """Stands in for akslocal.kube.provision: remembers what ARM asked for."""

    clusters: dict[str, Any] = field(default_factory=dict)
    updates: list[tuple[str, dict]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    fail_with: Exception | None = None

    def provision_cluster(self, services, spec):
        if self.fail_with is not None:
            raise self.fail_with
        self.clusters[spec.cluster_id] = spec
        return self.cluster_credentials(services, spec.cluster_id)

    def update_cluster(self, services, cluster_id, **changes):
        if self.fail_with is not None:
            raise self.fail_with
        self.updates.append((cluster_id, changes))

    def delete_cluster(self, services, cluster_id):
        self.deleted.append(cluster_id)
        self.clusters.pop(cluster_id, None)

    def cluster_credentials(self, services, cluster_id):
        return ClusterCredentials(server_url=f"https://127.0.0.1:8443/clusters/{cluster_id}", ca_pem="CA-PEM",
                                  admin_cert_pem="CERT-PEM", admin_key_pem="KEY-PEM", admin_token="0" * 64)


BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("AKSLOCAL_TEST_POSTGRES_URL") else [])


def make_services(path: Path, delay: float = 0.0, url: str | None = None) -> Services:
    store = open_store(url or f"sqlite:///{path / 's.db'}")
    return Services(store=store, clock=FixedClock(), entropy=Entropy(seed=1),
                    settings=Settings(data_dir=path, operation_delay=delay))


@pytest.fixture
def services(tmp_path: Path):
    svc = make_services(tmp_path)
    try:
        yield svc
    finally:
        svc.store.close()


@pytest.fixture(params=BACKENDS)
def any_backend(request, tmp_path: Path):
    """Services on SQLite, and on PostgreSQL too under `make test` (for the flows in test_backends.py)."""
    if request.param == "postgres":
        from tests.support.postgres import fresh_database

        with fresh_database() as url:
            svc = make_services(tmp_path, url=url)
            try:
                yield svc
            finally:
                svc.store.close()
        return
    svc = make_services(tmp_path)
    try:
        yield svc
    finally:
        svc.store.close()


@pytest.fixture
def seeded(services):
    return services, seed_directory(services)


@pytest.fixture
def fake() -> FakeProvisioner:
    return FakeProvisioner()
