"""Refresh tokens: opaque, stored as hashes, rotated on every use, revocable per family.

Each sign-in starts a family.  Redeeming a refresh token marks it used and issues the next
one of the family; presenting a used token again means it was copied, so the whole family
is revoked (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP §4.14).
"""

from __future__ import annotations

from typing import Any

from akslocal.identity import errors
from akslocal.identity.flows import code_key
from akslocal.store import Kind, Tx

REFRESH_TOKENS = Kind("identity.refresh_token", index=lambda d: {"family": d["family"], "user": d["user_key"]})
FAMILIES = Kind("identity.refresh_family")
REFRESH_LIFETIME = 90 * 86400  # Entra: 90 days of inactivity


def issue(tx: Tx, entropy, *, now: float, family: str | None, client_id: str, tenant_id: str, user_id: str,
          amr: list[str], oidc: list[str]) -> str:
    """A new refresh token (in a new family unless one is given)."""
    if family is None:
        family = entropy.guid()
        tx.put(FAMILIES, family, {"revoked": False, "created": now, "client_id": client_id, "user_id": user_id})
    token = "1.AKS" + entropy.token(64)
    tx.create(REFRESH_TOKENS, code_key(token), {
        "family": family, "client_id": client_id, "tenant_id": tenant_id, "user_id": user_id,
        "user_key": f"{tenant_id}/{user_id}", "amr": amr, "oidc": oidc, "created": now,
        "expires": now + REFRESH_LIFETIME, "used": False,
    })
    return token


def redeem(tx: Tx, token: str, *, client_id: str, now: float) -> dict[str, Any]:
    """Mark a refresh token used and return its record; raise OAuthError when it is not usable.

    The caller must commit even when this raises: a detected reuse revokes the family.
    """
    key = code_key(token)
    record = tx.get_record(REFRESH_TOKENS, key)
    if record is None:
        raise errors.invalid_grant("Provided grant is invalid or malformed.")
    doc = record.doc
    family = tx.get(FAMILIES, doc["family"])
    if family is None or family.get("revoked"):
        raise errors.revoked_grant()
    if doc["client_id"].lower() != client_id.lower():
        raise errors.invalid_grant("The refresh token was issued to a different client.")
    if doc["used"]:
        tx.put(FAMILIES, doc["family"], {**family, "revoked": True, "revoked_at": now, "reason": "reuse"})
        raise errors.revoked_grant()
    if now >= doc["expires"]:
        raise errors.expired_grant()
    tx.put(REFRESH_TOKENS, key, {**doc, "used": True, "used_at": now}, expect_rev=record.rev)
    return doc


def revoke_user(tx: Tx, tenant_id: str, user_id: str, now: float) -> int:
    """Revoke every refresh-token family of a user (revokeSignInSessions)."""
    families = {r.doc["family"] for r in tx.find(REFRESH_TOKENS, "user", f"{tenant_id}/{user_id}")}
    for fam in families:
        doc = tx.get(FAMILIES, fam)
        if doc is not None and not doc.get("revoked"):
            tx.put(FAMILIES, fam, {**doc, "revoked": True, "revoked_at": now, "reason": "revoked"})
    return len(families)
