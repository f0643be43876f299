"""Randomness, injected: ids, secrets and user codes come from one object so tests can seed it."""

from __future__ import annotations

import random
import secrets
import string
import uuid

# Entra's device user codes: 9 upper-case letters and digits, e.g. BYMK7UXVD.
USER_CODE_ALPHABET = string.ascii_uppercase + string.digits


def version4_text(raw: bytearray, at: int) -> str:
    """``str(uuid.UUID(bytes=raw[at:at + 16], version=4))``, at a fraction of its cost (sets the
    version and variant bits in ``raw``)."""
    raw[at + 6] = (raw[at + 6] & 0x0F) | 0x40
    raw[at + 8] = (raw[at + 8] & 0x3F) | 0x80
    h = raw[at:at + 16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Entropy:
    """Cryptographically strong by default; ``Entropy(seed=…)`` is repeatable (tests, the control plane)."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng: random.Random | None = random.Random(seed) if seed is not None else None

    def guid(self) -> str:
        if self._rng is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def guids(self, n: int) -> list[str]:
        """``n`` fresh GUIDs at once (one system call instead of ``n``); seeded, exactly ``n`` calls of :meth:`guid`."""
        if self._rng is not None:
            return [self.guid() for _ in range(n)]
        raw = bytearray(secrets.token_bytes(16 * n))
        return [version4_text(raw, i) for i in range(0, 16 * n, 16)]

    def token_bytes(self, n: int) -> bytes:
        if self._rng is None:
            return secrets.token_bytes(n)
        return self._rng.randbytes(n)

    def token(self, n: int = 32) -> str:
        """URL-safe text carrying ``n`` random bytes."""
        import base64

        return base64.urlsafe_b64encode(self.token_bytes(n)).rstrip(b"=").decode()

    def choice_string(self, alphabet: str, length: int) -> str:
        if self._rng is None:
            return "".join(secrets.choice(alphabet) for _ in range(length))
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def user_code(self) -> str:
        return self.choice_string(USER_CODE_ALPHABET, 9)
