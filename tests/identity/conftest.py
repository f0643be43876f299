"""Unit-test services for the token service: a fresh SQLite store, a fixed clock, seeded entropy."""

from __future__ import annotations

from pathlib import Path

import pytest

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store


@pytest.fixture
def services(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    svc = Services(store=store, clock=FixedClock(), entropy=Entropy(seed=1), settings=Settings(data_dir=tmp_path))
    try:
        yield svc
    finally:
        store.close()
