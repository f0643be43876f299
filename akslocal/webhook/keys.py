"""The tenant's signing keys: v1 OIDC metadata → ``jwks_uri`` → JWKS, over HTTPS with the given CA.

Cached in the process; an unknown ``kid`` triggers one refresh (single flight), and refreshes
are rate limited so a flood of tokens with made-up kids cannot turn into a flood of fetches
(go-oidc's remote key set behaves the same way).
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
from collections.abc import Callable
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import rsa

from akslocal.webhook.errors import ReviewError

MIN_REFRESH_INTERVAL = 10.0  # seconds between two fetches of the key set
FETCH_TIMEOUT = 5.0


class KeySet(Protocol):
    def get(self, kid: str) -> rsa.RSAPublicKey | None:
        """The cached key, without I/O."""
        ...

    async def refresh(self, kid: str) -> rsa.RSAPublicKey | None:
        """Fetch again (unless fetched very recently) and look ``kid`` up."""
        ...


def _b64_int(value: Any) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url integer")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return int.from_bytes(raw, "big")


def parse_jwks(document: Any) -> dict[str, rsa.RSAPublicKey]:
    """RSA signing keys by kid; other keys (and broken entries) are skipped."""
    keys: dict[str, rsa.RSAPublicKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for jwk in entries if isinstance(entries, list) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            keys[kid] = rsa.RSAPublicNumbers(_b64_int(jwk.get("e")), _b64_int(jwk.get("n"))).public_key()
        except ValueError:
            continue
    return keys


class StaticKeySet:
    """A fixed set of keys (tests, or a JWKS file given out of band)."""

    def __init__(self, keys: dict[str, rsa.RSAPublicKey]) -> None:
        self.keys = dict(keys)
        self.refreshes = 0

    def get(self, kid: str) -> rsa.RSAPublicKey | None:
        return self.keys.get(kid)

    async def refresh(self, kid: str) -> rsa.RSAPublicKey | None:
        self.refreshes += 1
        return self.keys.get(kid)


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else ssl.create_default_context()


class RemoteKeySet:
    """Keys from ``metadata_url``'s ``jwks_uri``."""

    def __init__(self, metadata_url: str, tls: ssl.SSLContext, *, monotonic: Callable[[], float] = time.monotonic,
                 min_interval: float = MIN_REFRESH_INTERVAL, on_fetch: Callable[[str], None] | None = None) -> None:
        self.metadata_url = metadata_url
        self._tls = tls
        self._monotonic = monotonic
        self._min_interval = min_interval
        self._on_fetch = on_fetch
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._jwks_uri: str | None = None
        self._fetched_at = float("-inf")
        self._inflight: asyncio.Future | None = None
        self.last_error: str | None = None

    def get(self, kid: str) -> rsa.RSAPublicKey | None:
        return self._keys.get(kid)

    async def refresh(self, kid: str) -> rsa.RSAPublicKey | None:
        if kid in self._keys:
            return self._keys[kid]
        if self._inflight is not None and not self._inflight.done():
            await asyncio.shield(self._inflight)
            return self._keys.get(kid)
        if self._monotonic() - self._fetched_at < self._min_interval:
            return None
        loop = asyncio.get_running_loop()
        self._inflight = loop.create_future()
        try:
            await self._fetch()
        finally:
            self._fetched_at = self._monotonic()
            self._inflight.set_result(None)
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        import httpx

        try:
            async with httpx.AsyncClient(verify=self._tls, timeout=FETCH_TIMEOUT) as client:
                if self._jwks_uri is None:
                    if self._on_fetch:
                        self._on_fetch("metadata")
                    meta = (await client.get(self.metadata_url)).raise_for_status().json()
                    uri = meta.get("jwks_uri") if isinstance(meta, dict) else None
                    if not isinstance(uri, str) or not uri.startswith("https://"):
                        raise ValueError(f"{self.metadata_url} has no https jwks_uri")
                    self._jwks_uri = uri
                if self._on_fetch:
                    self._on_fetch("jwks")
                keys = parse_jwks((await client.get(self._jwks_uri)).raise_for_status().json())
        except (httpx.HTTPError, ValueError, RecursionError) as exc:
            # Keep the keys we have: a failed refresh must not lock out valid tokens.
            self.last_error = f"fetching keys {exc}"
            raise ReviewError("jwks_unavailable", f"failed to verify signature: fetching keys {exc}") from None
        self.last_error = None
        self._keys = keys
