"""On start: make sure a signing key exists (so the first token does not pay for key generation)."""

from __future__ import annotations

from akslocal.identity import keys


def bootstrap(services) -> list[str]:
    with services.store.transaction() as tx:
        keys.ensure_key(tx, services.clock.now())
    return []
