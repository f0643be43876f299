"""Entropy.guids: n version-4 GUIDs, formatted exactly as the uuid module would."""

from __future__ import annotations

import os
import uuid

from akslocal.entropy import Entropy, version4_text


def test_version4_text_matches_the_uuid_module():
    for _ in range(2000):
        raw = bytearray(os.urandom(32))
        expected = str(uuid.UUID(bytes=bytes(raw[16:]), version=4))
        assert version4_text(raw, 16) == expected


def test_guids_are_distinct_version_4_and_seeded_ones_repeat():
    ids = Entropy().guids(500)
    assert len(set(ids)) == 500
    assert all(uuid.UUID(g).version == 4 and uuid.UUID(g).variant == uuid.RFC_4122 for g in ids)
    seeded = Entropy(seed=3).guids(4)
    assert seeded == Entropy(seed=3).guids(4) and seeded[0] == Entropy(seed=3).guid()
