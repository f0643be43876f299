"""The emulator's clock: wall time plus an offset that the control plane can move forward.

The offset lives in the store so that every server process follows it, and in
``<data dir>/clock.json`` so that the credential plugin (which never talks to
the store) judges cached tokens by the same time.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Protocol

from akslocal.atomicfile import write_atomic
from akslocal.store import Kind, Store

CONTROL = Kind("control")
_CLOCK_KEY = "clock"
_REFRESH_SECONDS = 1.0


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, in emulator time."""
        ...


class FixedClock:
    """A clock for tests: it moves only when told."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


class StoreClock:
    """Wall time plus the store's offset: re-read at most once a second, and at once when
    ``<data dir>/clock.json`` changes (another process sharing the data dir moved the clock;
    it writes the file after its store transaction, so the store already has the offset)."""

    def __init__(self, store: Store, data_dir: Path | None = None, wall=time.time) -> None:
        self._store = store
        self._data_dir = data_dir
        self._clock_file = data_dir / "clock.json" if data_dir is not None else None
        self._wall = wall
        self._offset = 0.0
        self._read_at = float("-inf")
        self._file_stamp: int | None = None

    def _stamp(self) -> int | None:
        if self._clock_file is None:
            return None
        try:
            return os.stat(self._clock_file).st_mtime_ns
        except OSError:
            return None

    @property
    def offset(self) -> float:
        mono = time.monotonic()
        stamp = self._stamp()
        if mono - self._read_at > _REFRESH_SECONDS or stamp != self._file_stamp:
            with self._store.transaction(write=False) as tx:
                doc = tx.get(CONTROL, _CLOCK_KEY)
            self._offset = float(doc["offset"]) if doc else 0.0
            self._read_at, self._file_stamp = mono, stamp
        return self._offset

    def now(self) -> float:
        return self._wall() + self.offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the emulator's clock only moves forward")
        with self._store.transaction() as tx:
            doc = tx.get(CONTROL, _CLOCK_KEY) or {"offset": 0.0}
            offset = float(doc["offset"]) + seconds
            tx.put(CONTROL, _CLOCK_KEY, {"offset": offset})
        self._offset, self._read_at = offset, time.monotonic()
        if self._data_dir is not None:
            from filelock import FileLock

            # The file follows the store: under a lock, the latest committed offset is written
            # (processes moving the clock at once may commit in one order and get here in another).
            with FileLock(str(self._data_dir / ".clock.lock"), timeout=60):
                with self._store.transaction(write=False) as tx:
                    doc = tx.get(CONTROL, _CLOCK_KEY)
                write_clock_file(self._data_dir, float(doc["offset"]) if doc else offset)
        return offset


def write_clock_file(data_dir: Path, offset: float) -> None:
    write_atomic(data_dir / "clock.json", json.dumps({"offset": offset}), fsync=False)


def read_clock_offset(data_dir: Path) -> float:
    """The offset for processes outside the server (the credential plugin); 0 when unknown."""
    try:
        return float(json.loads((data_dir / "clock.json").read_text())["offset"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0
