"""What every HTTP piece is handed: the store, the clock, randomness and the settings."""

from __future__ import annotations

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
    # never the only copy of any state.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        return self.settings.public_url
