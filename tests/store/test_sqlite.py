"""The store contract on SQLite (WAL), plus what only a file database can show: crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from akslocal.store import Kind, StoreError, open_store
from tests.store.conformance import test_concurrency, test_contract  # noqa: F401  (collected here, with this store)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def test_memory_database_is_refused() -> None:
    with pytest.raises(StoreError, match="use a file"):
        open_store("sqlite:///:memory:")


def test_reopen_keeps_data_and_migrations_are_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    kind = Kind("test.persist")
    first = open_store(url)
    with first.transaction() as tx:
        tx.create(kind, "k", {"v": 1})
    first.close()
    second = open_store(url)
    with second.transaction(write=False) as tx:
        assert tx.get(kind, "k") == {"v": 1}
    second.close()


def test_two_processes_share_one_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    script = textwrap.dedent(f"""
        from akslocal.store import Kind, open_store
        s = open_store({url!r}); k = Kind("test.shared")
        with s.transaction() as tx:
            if tx.get(k, "n") is None: tx.put(k, "n", {{"n": 0}})
        for _ in range(50):
            with s.transaction() as tx: tx.update(k, "n", lambda d: {{"n": d["n"] + 1}})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    s = open_store(url)
    with s.transaction(write=False) as tx:
        assert tx.get(Kind("test.shared"), "n") == {"n": 150}


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """A writer killed mid-stream: every write it acknowledged (printed after commit) is there."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    script = textwrap.dedent(f"""
        import sys
        from akslocal.store import Kind, open_store
        s = open_store({url!r}); k = Kind("test.crash")
        i = 0
        while True:
            with s.transaction() as tx:
                tx.create(k, f"{{i:08d}}", {{"i": i, "pad": "x" * 2000}})
            print(i, flush=True)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acknowledged = -1
    deadline = time.monotonic() + 30
    while acknowledged < 300 and time.monotonic() < deadline:
        acknowledged = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert acknowledged >= 300
    s = open_store(url)
    with s.transaction(write=False) as tx:
        keys = [r.key for r in tx.scan(Kind("test.crash"))]
    assert len(keys) >= acknowledged + 1
    assert keys[: acknowledged + 1] == [f"{i:08d}" for i in range(acknowledged + 1)]


def test_processes_opening_a_new_database_at_once_all_migrate(tmp_path: Path) -> None:
    """Several servers started together on a fresh data dir: none fails with 'database is locked'."""
    for attempt in range(5):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        script = f"from akslocal.store import open_store\nopen_store({url!r}).close()"
        procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(4)]
        results = [(p.wait(60), p.stderr.read()) for p in procs]
        assert all(code == 0 for code, _ in results), [err for code, err in results if code]
