"""RS256 signing keys: stored once (kind ``identity.signing_key``), parsed once per process.

Every server process signs with the same active key and verifies against the same set,
because the keys live in the store.  Parsing a PEM key costs more than signing with it,
so each process keeps the parsed ``cryptography`` objects in a :class:`KeyRing` cached in
``services.extras``; only the question "which key is active now?" goes back to the store,
at most once a second.

Rotation keeps the old key published (and accepted) until every token it signed has
expired: ``publish_until = rotated_at + MAX_TOKEN_LIFETIME + skew``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from akslocal.store import Kind, Tx

SIGNING_KEYS = Kind("identity.signing_key")
_ACTIVE_POINTER = Kind("identity.signing_key_active")
_ACTIVE_KEY = "active"

# Tokens live at most 90 minutes (Entra: 60-90 min); keep old keys a little longer.
MAX_TOKEN_LIFETIME = 90 * 60
ROTATION_OVERLAP = MAX_TOKEN_LIFETIME + 10 * 60
_REFRESH_SECONDS = 1.0
_FORCED_REFRESH_SECONDS = 0.25
_EXTRAS_KEY = "identity.keyring"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """One parsed key: what signing and verification need, ready to use."""

    kid: str
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey
    cert_der: bytes
    created_at: float
    publish_until: float | None

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, signature: bytes, data: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self.public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    def published_at(self, now: float) -> bool:
        return self.publish_until is None or now < self.publish_until

    def jwk(self) -> dict[str, Any]:
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _int_b64(numbers.n),
            "e": _int_b64(numbers.e),
            "x5c": [base64.b64encode(self.cert_der).decode()],
        }


def new_key_document(now: float) -> dict[str, Any]:
    """A fresh RSA-2048 key with a self-signed certificate; ``kid`` = ``x5t`` = SHA-1 thumbprint."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.akslocal.local")])
    start = dt.datetime.fromtimestamp(now, dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(days=1))
        .not_valid_after(start + dt.timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "kid": b64url(hashlib.sha1(der, usedforsecurity=False).digest()),  # x5t: the SHA-1 thumbprint
        "private_pem": pem.decode(),
        "cert_der": base64.b64encode(der).decode(),
        "created_at": now,
        "publish_until": None,
    }


def _parse(doc: dict[str, Any]) -> SigningKey:
    private = serialization.load_pem_private_key(doc["private_pem"].encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("signing key is not RSA")
    return SigningKey(
        kid=doc["kid"],
        private_key=private,
        public_key=private.public_key(),
        cert_der=base64.b64decode(doc["cert_der"]),
        created_at=float(doc["created_at"]),
        publish_until=None if doc.get("publish_until") is None else float(doc["publish_until"]),
    )


def ensure_key(tx: Tx, now: float) -> str:
    """The active key id, creating the first key when there is none."""
    pointer = tx.get(_ACTIVE_POINTER, _ACTIVE_KEY)
    if pointer is not None and tx.get(SIGNING_KEYS, pointer["kid"]) is not None:
        return pointer["kid"]
    doc = new_key_document(now)
    tx.create(SIGNING_KEYS, doc["kid"], doc)
    tx.put(_ACTIVE_POINTER, _ACTIVE_KEY, {"kid": doc["kid"]})
    return doc["kid"]


def rotate(tx: Tx, now: float) -> dict[str, Any]:
    """Make a new key active; the old one stays published until its tokens have expired.

    Keys whose publication window has passed are deleted.
    """
    pointer = tx.get(_ACTIVE_POINTER, _ACTIVE_KEY)
    old_kid = pointer["kid"] if pointer else None
    doc = new_key_document(now)
    tx.create(SIGNING_KEYS, doc["kid"], doc)
    tx.put(_ACTIVE_POINTER, _ACTIVE_KEY, {"kid": doc["kid"]})
    if old_kid and tx.get(SIGNING_KEYS, old_kid) is not None:
        tx.update(SIGNING_KEYS, old_kid, lambda d: {**d, "publish_until": now + ROTATION_OVERLAP})
    for record in tx.scan(SIGNING_KEYS):
        until = record.doc.get("publish_until")
        if until is not None and float(until) <= now:
            tx.delete(SIGNING_KEYS, record.key)
    return {"active": doc["kid"], "retired": old_kid, "retiredPublishedUntil": now + ROTATION_OVERLAP}


class KeyRing:
    """The process's parsed keys.  Thread-safe; refreshes from the store at most once a second."""

    def __init__(self, store: Any, clock: Any) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {}
        self._active: str | None = None
        self._read_at = float("-inf")
        self._forced_at = float("-inf")

    def _refresh(self, force: bool = False) -> None:
        mono = time.monotonic()
        if not force and mono - self._read_at < _REFRESH_SECONDS and self._active is not None:
            return
        with self._lock:
            if not force and mono - self._read_at < _REFRESH_SECONDS and self._active is not None:
                return
            with self._store.transaction(write=False) as tx:
                pointer = tx.get(_ACTIVE_POINTER, _ACTIVE_KEY)
                records = tx.scan(SIGNING_KEYS)
            if pointer is None:
                with self._store.transaction() as tx:
                    ensure_key(tx, self._clock.now())
                    pointer = tx.get(_ACTIVE_POINTER, _ACTIVE_KEY)
                    records = tx.scan(SIGNING_KEYS)
            keys: dict[str, SigningKey] = {}
            for record in records:
                cached = self._keys.get(record.key)
                until = record.doc.get("publish_until")
                if cached is not None:
                    # Only the publication window can change after creation: reuse the parsed key.
                    if cached.publish_until != (None if until is None else float(until)):
                        cached = SigningKey(
                            cached.kid, cached.private_key, cached.public_key, cached.cert_der,
                            cached.created_at, None if until is None else float(until),
                        )
                    keys[record.key] = cached
                else:
                    keys[record.key] = _parse(record.doc)
            self._keys = keys
            self._active = pointer["kid"] if pointer else None
            self._read_at = time.monotonic()

    def active(self) -> SigningKey:
        self._refresh()
        assert self._active is not None
        key = self._keys.get(self._active)
        if key is None:
            self._refresh(force=True)
            key = self._keys[self._active]
        return key

    def find(self, kid: str) -> SigningKey | None:
        """A published key by id.

        An unknown id re-reads the store (another process may just have rotated), at most every
        ``_FORCED_REFRESH_SECONDS``, so tokens with made-up ids cannot turn into a read per request.
        """
        self._refresh()
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._forced_at >= _FORCED_REFRESH_SECONDS:
            self._forced_at = time.monotonic()
            self._refresh(force=True)
            key = self._keys.get(kid)
        if key is None or not key.published_at(self._clock.now()):
            return None
        return key

    def published(self) -> list[SigningKey]:
        self._refresh()
        now = self._clock.now()
        return sorted(
            (k for k in self._keys.values() if k.published_at(now)),
            key=lambda k: (k.kid != self._active, -k.created_at),
        )

    def invalidate(self) -> None:
        self._read_at = float("-inf")


def keyring(services: Any) -> KeyRing:
    ring = services.extras.get(_EXTRAS_KEY)
    if ring is None:
        ring = services.extras.setdefault(_EXTRAS_KEY, KeyRing(services.store, services.clock))
    return ring
