"""az's long-running-operation indicator: ``- Running ..`` on stderr, only on a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

_SPINNER = "-\\|/"


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, message: str = "Running") -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.message = message
        self._step = 0
        self._width = 0

    def tick(self) -> None:
        if not self.enabled:
            return
        dots = "." * (2 + self._step % 3)
        line = f"{_SPINNER[self._step % len(_SPINNER)]} {self.message} {dots}"
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._step += 1

    def clear(self) -> None:
        if self.enabled and self._step:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()

