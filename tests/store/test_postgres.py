"""The store contract on a real PostgreSQL server (started by `make test`)."""

from __future__ import annotations

import pytest

from akslocal.store import Kind, open_store
from tests.store.conformance import test_concurrency, test_contract  # noqa: F401  (collected here, with this store)
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def store():
    with fresh_database() as url:
        s = open_store(url)
        yield s
        s.close()


def test_two_stores_on_one_database_behave_as_one() -> None:
    with fresh_database() as url:
        a, b = open_store(url), open_store(url)
        kind = Kind("test.shared")
        with a.transaction() as tx:
            tx.create(kind, "k", {"v": 1})
        with b.transaction() as tx:
            tx.update(kind, "k", lambda d: {"v": d["v"] + 1})
        with a.transaction(write=False) as tx:
            assert tx.get(kind, "k") == {"v": 2}
        a.close()
        b.close()
