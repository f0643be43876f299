"""Device codes and authorization codes: records in the store, keyed by the code's SHA-256.

Only hashes of codes are stored (a leaked store yields no usable code).  Every state
change goes through ``tx.update`` so two polls, or two redemptions, cannot both win.

Device code (RFC 8628)::

    client --devicecode--> [pending] --user signs in + consents--> [approved] --poll--> [redeemed]
                                  \\--user declines--> [declined]      (expired after 15 min)
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from akslocal.store import AlreadyExists, Kind, Tx

DEVICE_CODES = Kind(
    "identity.device_code",
    unique=lambda d: {"user_code": d["user_code"]},
)
AUTH_CODES = Kind("identity.auth_code")

DEVICE_CODE_LIFETIME = 900  # Entra's default: 15 minutes
DEVICE_POLL_INTERVAL = 5
AUTH_CODE_LIFETIME = 600  # about 10 minutes (entra-protocol.md §3.1)


def code_key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def normalise_user_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())[:16]


# ---- device codes -------------------------------------------------------------------------------


def create_device_code(tx: Tx, entropy, *, now: float, client_id: str, tenant_ref: str, tenant_id: str | None,
                       version: int, ask: dict[str, Any], client_name: str) -> tuple[str, dict[str, Any]]:
    """A new device code (returned once, in clear) and its record."""
    device_code = entropy.token(48)
    for _ in range(20):
        doc = {
            "user_code": entropy.user_code(),
            "client_id": client_id,
            "client_name": client_name,
            "tenant_ref": tenant_ref,
            "tenant_id": tenant_id,
            "version": version,
            "ask": ask,
            "status": "pending",
            "created": now,
            "expires": now + DEVICE_CODE_LIFETIME,
            "interval": DEVICE_POLL_INTERVAL,
            "last_poll": None,
            "user_id": None,
            "user_tenant_id": None,
            "amr": None,
        }
        try:
            tx.create(DEVICE_CODES, code_key(device_code), doc)
            return device_code, doc
        except AlreadyExists:
            continue  # user code clash among live codes: draw another
    raise RuntimeError("could not draw a unique user code")


def find_by_user_code(tx: Tx, user_code: str):
    """The record of a live user code (a Record, or None)."""
    code = normalise_user_code(user_code)
    if len(code) != 9:
        return None
    return tx.find_one(DEVICE_CODES, "user_code", code)


def decide_device_code(tx: Tx, key: str, *, approve: bool, user_id: str | None, user_tenant_id: str | None,
                       now: float) -> bool:
    """Approve or decline a pending code (False when it is no longer pending or has expired)."""
    changed = False

    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        nonlocal changed
        if doc["status"] != "pending" or now >= doc["expires"]:
            return doc
        changed = True
        return {**doc, "status": "approved" if approve else "declined", "user_id": user_id,
                "user_tenant_id": user_tenant_id, "amr": ["pwd"], "decided": now}

    tx.update(DEVICE_CODES, key, apply)
    return changed


def release_user_code(tx: Tx, key: str) -> None:
    """Free a finished code's user code (keys stay unique only among live codes)."""
    def apply(doc):
        return {**doc, "user_code": f"done:{key}"}
    tx.update(DEVICE_CODES, key, apply)


def purge_expired_device_codes(tx: Tx, now: float, limit: int = 50) -> None:
    for record in tx.scan(DEVICE_CODES, limit=limit):
        if record.doc["expires"] + 3600 < now:
            tx.delete(DEVICE_CODES, record.key)


# ---- authorization codes -----------------------------------------------------------------------


def create_auth_code(tx: Tx, entropy, *, now: float, doc: dict[str, Any]) -> str:
    code = entropy.token(48)
    tx.create(AUTH_CODES, code_key(code), {**doc, "created": now, "expires": now + AUTH_CODE_LIFETIME,
                                           "redeemed": False})
    return code


def verify_pkce(verifier: str, challenge: str, method: str) -> bool:
    import base64

    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    elif method == "plain":
        computed = verifier
    else:
        return False
    return hmac.compare_digest(computed.encode(), challenge.encode())
