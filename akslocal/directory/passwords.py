"""Password and client-secret hashing.

User passwords are low-entropy, so they get scrypt (a memory-hard KDF) with a random
salt.  Client secrets are 40 random characters, so one SHA-256 is enough to make a
stolen store useless, and it keeps client-credential sign-ins cheap.  Every comparison
is constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1
_DUMMY = None  # a hash to compare against when the user does not exist (same cost either way)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """True when ``password`` matches ``encoded``; False for a missing or malformed hash."""
    global _DUMMY
    if not isinstance(password, str):
        return False
    if not encoded:
        if _DUMMY is None:
            _DUMMY = hash_password("not a password", b"0" * 16)
        encoded, password = _DUMMY, password + "\x00"
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def hash_secret(secret: str) -> str:
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(secret: str, encoded: str) -> bool:
    if not isinstance(secret, str) or not encoded.startswith("sha256$"):
        return False
    return hmac.compare_digest(hash_secret(secret).encode(), encoded.encode())
