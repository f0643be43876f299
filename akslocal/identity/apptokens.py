"""The client-credentials hot path: a short-lived per-process cache of *decisions*, not of tokens.

A client-credentials request is answered from what the directory said about the same
(tenant, client, secret, resource) at most ``TTL`` seconds ago: the authenticated client,
its service principal, the resolved resource (version, audience) and its app roles.
Every token is still freshly minted and signed.  Only successful secret checks are
cached (keyed by the secret's SHA-256, compared in constant time by dict lookup on a
digest), so a wrong secret always reaches the directory.  Directory changes (a removed
secret, a revoked app role) take effect within ``TTL`` seconds, like Entra's own
replication delay, only much shorter.

Sign-ins answered here are logged through :class:`SignInBuffer`, which writes them to the
store in batches: one transaction per ``FLUSH_EVERY`` entries, and never later than
``FLUSH_SECONDS`` after the first entry of a batch (a timer on the event loop), and on shutdown.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

TTL = 2.0
MAX_ENTRIES = 4096
FLUSH_EVERY = 256
FLUSH_SECONDS = 0.5
_CACHE_KEY = "identity.apptoken_cache"
_BUFFER_KEY = "identity.signin_buffer"


@dataclass(frozen=True)
class AppTokenPlan:
    """Everything an app-only token needs besides time and randomness."""

    tenant_id: str
    client_app_id: str
    client_name: str
    client_auth: str
    client_sp_id: str
    version: int
    audience: str
    resource: str | None  # as asked (v1 response field)
    resource_app_id: str
    resource_name: str
    roles: tuple[str, ...]


def cache_key(request) -> tuple | None:
    if request.grant_type != "client_credentials" or not request.client_secret or not request.client_id:
        return None
    scope = request.form.get("scope") if request.version == 2 else request.form.get("resource")
    if not scope:
        return None
    return (
        request.version, request.tenant_ref.lower(), request.client_id.lower(), request.api_version,
        hashlib.sha256(request.client_secret.encode()).digest(), scope,
    )


class PlanCache:
    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[float, AppTokenPlan]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> AppTokenPlan | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() >= entry[0]:
            return None
        return entry[1]

    def put(self, key: tuple, plan: AppTokenPlan) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + TTL, plan)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def plan_cache(services) -> PlanCache:
    cache = services.extras.get(_CACHE_KEY)
    if cache is None:
        cache = services.extras.setdefault(_CACHE_KEY, PlanCache())
    return cache


class SignInBuffer:
    """Sign-in log entries of cached decisions, written to the store in batches."""

    def __init__(self, services) -> None:
        self._services = services
        self._pending: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = threading.Lock()
        services.closers.append(self.flush)

    def add(self, **entry: Any) -> None:
        with self._lock:
            first = not self._pending
            if first:
                self._oldest = time.monotonic()
            self._pending.append(entry)
            due = len(self._pending) >= FLUSH_EVERY or time.monotonic() - self._oldest >= FLUSH_SECONDS
        if due:
            self.flush()
        elif first:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            except RuntimeError:  # no event loop (a direct caller): the next add or close flushes
                pass

    def flush(self) -> None:
        from akslocal.identity import signins

        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        services = self._services
        ids = services.entropy.guids(len(pending))
        entries = [signins.entry(entry_id, **fields) for entry_id, fields in zip(ids, pending, strict=True)]
        with services.store.transaction() as tx:
            signins.write(tx, entries)


def signin_buffer(services) -> SignInBuffer:
    buffer = services.extras.get(_BUFFER_KEY)
    if buffer is None:
        buffer = services.extras.setdefault(_BUFFER_KEY, SignInBuffer(services))
    return buffer
