"""The sign-in log (every sign-in and every token issued, success or failure) and sign-in lock-out.

Entries are shaped like Graph's ``signIn`` resource (a subset): ``id``, ``createdDateTime``,
``userPrincipalName``, ``userId``, ``appId``, ``appDisplayName``, ``resourceId``,
``resourceDisplayName``, ``ipAddress``, ``clientCredentialType``, ``status``
(``errorCode``, ``failureReason``), plus ``grantType`` and ``tokenIssuerType``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any

from akslocal.store import Kind, Tx

SIGNINS = Kind("identity.signin")
FAILURES = Kind("identity.signin_failure")

LOCKOUT_THRESHOLD = 10  # Entra smart lockout: 10 failed attempts
LOCKOUT_SECONDS = 60
FAILURE_WINDOW = 15 * 60


def iso(epoch: float) -> str:
    return _iso_second(int(epoch))


@functools.lru_cache(maxsize=64)
def _iso_second(second: int) -> str:
    return dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


ENTRY_FIELDS = (
    "id", "createdDateTime", "tenantId", "userPrincipalName", "userId", "appId", "appDisplayName", "resourceId",
    "resourceDisplayName", "ipAddress", "clientCredentialType", "correlationId", "grantType", "tokenIssuerType",
    "status",
)


def entry(entry_id: str, *, now: float, tenant_id: str | None, app_id: str | None, app_name: str | None = None,
          user_id: str | None = None, upn: str | None = None, resource_id: str | None = None,
          resource_name: str | None = None, grant_type: str, error_code: int | None = None,
          failure_reason: str | None = None, ip: str | None = None, credential_type: str | None = None,
          correlation_id: str | None = None) -> dict[str, Any]:
    """One sign-in log entry."""
    return {
        "id": entry_id,
        "createdDateTime": iso(now),
        "tenantId": tenant_id,
        "userPrincipalName": upn,
        "userId": user_id,
        "appId": app_id,
        "appDisplayName": app_name,
        "resourceId": resource_id,
        "resourceDisplayName": resource_name,
        "ipAddress": ip,
        "clientCredentialType": credential_type,
        "correlationId": correlation_id,
        "grantType": grant_type,
        "tokenIssuerType": "AzureAD",
        "status": {"errorCode": error_code or 0, "failureReason": failure_reason or ""},
    }


# A record holds a batch as runs of entries that differ only in these fields (a burst of
# cached client-credentials issues is one run): each run stores what its entries share once.
_ROW_FIELDS = ("id", "createdDateTime", "ipAddress", "correlationId")


def write(tx: Tx, entries: list[dict[str, Any]]) -> None:
    """Append entries, in order, as one record (a batch: the hot path logs many per transaction)."""
    if not entries:
        return
    runs: list[dict[str, Any]] = []
    for item in entries:
        shared = dict(item)
        row = [shared.pop(name) for name in _ROW_FIELDS]
        if runs and runs[-1]["shared"] == shared:
            runs[-1]["rows"].append(row)
        else:
            runs.append({"shared": shared, "rows": [row]})
    seq = tx.next_sequence("identity.signin")
    tx.create(SIGNINS, f"{seq:015d}", {"runs": runs})


def record(tx: Tx, entropy, **fields: Any) -> None:
    write(tx, [entry(entropy.guid(), **fields)])


def _entries(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from doc.get("entries", ())  # records written before runs: whole entries
    for run in doc.get("runs", ()):
        shared = run["shared"]
        for row in run["rows"]:
            full = {**shared, **dict(zip(_ROW_FIELDS, row, strict=True))}
            yield {name: full[name] for name in ENTRY_FIELDS}


def list_entries(tx: Tx, *, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` entries, oldest first."""
    docs: list[dict[str, Any]] = []
    for rec in tx.scan(SIGNINS):
        docs.extend(_entries(rec.doc))
    return docs[-limit:]


def _failure_key(tenant_id: str, username: str) -> str:
    return f"{tenant_id}/{username.strip().lower()[:320]}"


def is_locked(tx: Tx, tenant_id: str, username: str, now: float) -> bool:
    doc = tx.get(FAILURES, _failure_key(tenant_id, username))
    return bool(doc and doc.get("locked_until") and now < doc["locked_until"])


def note_failure(tx: Tx, tenant_id: str, username: str, now: float) -> None:
    key = _failure_key(tenant_id, username)
    doc = tx.get(FAILURES, key) or {"count": 0, "since": now, "locked_until": None}
    if now - doc["since"] > FAILURE_WINDOW:
        doc = {"count": 0, "since": now, "locked_until": None}
    count = doc["count"] + 1
    locked = None
    if count >= LOCKOUT_THRESHOLD:  # smart lock-out: the lock grows with every further batch of failures
        locked = now + LOCKOUT_SECONDS * (2 ** min(count // LOCKOUT_THRESHOLD - 1, 6))
    tx.put(FAILURES, key, {**doc, "count": count, "locked_until": locked})


def clear_failures(tx: Tx, tenant_id: str, username: str) -> None:
    key = _failure_key(tenant_id, username)
    if tx.get(FAILURES, key) is not None:
        tx.delete(FAILURES, key)
