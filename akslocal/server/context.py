"""What every HTTP piece is handed: the store, the clock, randomness and the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from akslocal.clock import Clock
from akslocal.entropy import Entropy
from akslocal.server.settings import Settings
from akslocal.store import Store


@dataclass
class Services:
    store: Store
    clock: Clock
    entropy: Entropy
    settings: Settings
    # Per-process caches and collaborators a piece registers for itself (keyed by piece name);
    # never the only copy of any state, except write buffers that flush within a stated
    # window and on close (identity's sign-in buffer: 0.5 s).
    extras: dict[str, Any] = field(default_factory=dict)
    # Run by close(), before the store closes: pieces that buffer writes flush them here.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            try:
                closer()
            except Exception:  # one piece failing to flush must not keep the others from it
                logging.getLogger("akslocal.server").exception("closing %r failed", closer)
        self.store.close()

    @property
    def public_url(self) -> str:
        return self.settings.public_url
