"""Directory tests run on a real SQLite store, and once more on PostgreSQL when `make test` provides it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from akslocal.clock import FixedClock
from akslocal.directory import bootstrap, tenants, users
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

ADMIN_PASSWORD = "Adm1n-Passw0rd!"
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("AKSLOCAL_TEST_POSTGRES_URL") else [])


def make_services(tmp_path: Path, url: str | None = None) -> Services:
    store = open_store(url or f"sqlite:///{tmp_path / 's.db'}")
    return Services(store, FixedClock(), Entropy(seed=1), Settings(data_dir=tmp_path))


@pytest.fixture(params=BACKENDS)
def services(request, tmp_path, monkeypatch):
    monkeypatch.setenv("AKSLOCAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    if request.param == "postgres":
        from tests.support.postgres import fresh_database

        with fresh_database() as url:
            s = make_services(tmp_path, url)
            bootstrap.bootstrap(s)
            yield s
            s.store.close()
        return
    s = make_services(tmp_path)
    bootstrap.bootstrap(s)
    yield s
    s.store.close()


class Dir:
    """Small builders over one services object (like Kubernetes' test builders)."""

    def __init__(self, services: Services) -> None:
        self.s = services
        with services.store.transaction(write=False) as tx:
            self.tenant = tenants.default_tenant(tx)
            self.admin = users.find_by_upn(tx, self.tenant.id, bootstrap.ADMIN_UPN)

    @property
    def tid(self) -> str:
        return self.tenant.id

    def tx(self, write: bool = True):
        return self.s.store.transaction(write=write)

    def user(self, name: str, password: str = "Passw0rd!x", **kw):
        with self.tx() as tx:
            return users.create_user(
                tx,
                self.tid,
                upn=f"{name}@akslocal.onmicrosoft.com",
                display_name=name.title(),
                password=password,
                now=self.s.clock.now(),
                entropy=self.s.entropy,
                **kw,
            )


@pytest.fixture
def d(services) -> Dir:
    return Dir(services)


def snapshot(services: Services) -> int:
    """The store's global revision: unchanged means nothing was written."""
    with services.store.transaction(write=False) as tx:
        return tx.current_rev()
