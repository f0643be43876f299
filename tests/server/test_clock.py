"""StoreClock across processes that share a data dir: a moved clock is seen at once, and
clock.json always ends with the store's offset."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from akslocal.clock import StoreClock, read_clock_offset
from akslocal.store import open_store


def test_another_clock_on_the_data_dir_sees_a_move_at_once(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        mover, watcher = StoreClock(store, tmp_path), StoreClock(store, tmp_path)
        assert watcher.offset == 0.0  # read and cached: without the file check it would be kept for a second
        mover.advance(3600)
        assert watcher.offset == 3600.0
        mover.advance(60)
        assert watcher.offset == 3660.0 and read_clock_offset(tmp_path) == 3660.0
    finally:
        store.close()


def _advance(data_dir: str, times: int) -> None:
    store = open_store(f"sqlite:///{Path(data_dir) / 's.db'}")
    try:
        clock = StoreClock(store, Path(data_dir))
        for _ in range(times):
            clock.advance(1)
    finally:
        store.close()


def test_processes_moving_the_clock_at_once_leave_the_file_equal_to_the_store(tmp_path):
    open_store(f"sqlite:///{tmp_path / 's.db'}").close()  # migrated before the race
    context = multiprocessing.get_context("fork")
    procs = [context.Process(target=_advance, args=(str(tmp_path), 15)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        assert StoreClock(store).offset == 60.0
    finally:
        store.close()
    assert read_clock_offset(tmp_path) == 60.0
    assert not list(tmp_path.glob(".clock.*.tmp"))
