"""Password credentials (client secrets) of applications and service principals.

The secret text exists once, in the :class:`NewSecret` returned by :func:`add_password`;
the store keeps a SHA-256 hash and the hint (its first 3 characters), like Entra.
"""

from __future__ import annotations

import dataclasses
import string

from akslocal.directory import errors, passwords, validate
from akslocal.directory.kinds import APPLICATIONS, SERVICE_PRINCIPALS, key
from akslocal.directory.models import NewSecret, PasswordCredential, from_doc, to_doc
from akslocal.store import Tx

APPLICATION, SERVICE_PRINCIPAL = "application", "servicePrincipal"
_KINDS = {APPLICATION: APPLICATIONS, SERVICE_PRINCIPAL: SERVICE_PRINCIPALS}
TWO_YEARS = 2 * 365 * 86400
_MAX_CREDENTIALS = 100
_ALPHABET = string.ascii_letters + string.digits + "~._-"


def new_secret_text(entropy) -> str:
    """40 characters in Entra's shape: 3 characters, a digit, ``Q~``, 34 more (e.g. ``abc8Q~…``)."""
    head = entropy.choice_string(string.ascii_letters + string.digits, 3)
    return head + entropy.choice_string(string.digits, 1) + "Q~" + entropy.choice_string(_ALPHABET, 34)


def _load(tx: Tx, tenant_id: str, owner: str, object_id: str) -> dict:
    if owner not in _KINDS:
        raise ValueError(owner)
    doc = tx.get(_KINDS[owner], key(tenant_id, object_id)) if validate.is_guid(object_id) else None
    if doc is None:
        raise errors.not_found(object_id)
    return doc


def list_passwords(tx: Tx, tenant_id: str, owner: str, object_id: str) -> list[PasswordCredential]:
    doc = _load(tx, tenant_id, owner, object_id)
    return [from_doc(PasswordCredential, c) for c in doc.get("password_credentials", [])]


def add_password(
    tx: Tx,
    tenant_id: str,
    owner: str,
    object_id: str,
    *,
    now: float,
    entropy,
    display_name: str | None = None,
    start: float | None = None,
    end: float | None = None,
    append: bool = True,
) -> NewSecret:
    """Add a secret (``append=False`` replaces the existing ones, as ``credential reset`` does)."""
    doc = _load(tx, tenant_id, owner, object_id)
    validate.text(display_name, "displayName", required=False)
    start = now if start is None else start
    end = start + TWO_YEARS if end is None else end
    if not isinstance(start, (int, float)) or not isinstance(end, (int, float)) or end <= start:
        raise errors.bad_request("Invalid value specified for property 'endDateTime': it must be after startDateTime.")
    existing = doc.get("password_credentials", []) if append else []
    if len(existing) >= _MAX_CREDENTIALS:
        raise errors.bad_request("Too many password credentials on this object.")
    text = new_secret_text(entropy)
    credential = PasswordCredential(
        key_id=entropy.guid(),
        display_name=display_name,
        hint=text[:3],
        start=float(start),
        end=float(end),
        secret_hash=passwords.hash_secret(text),
    )
    tx.put(_KINDS[owner], key(tenant_id, doc["id"]), {**doc, "password_credentials": [*existing, to_doc(credential)]})
    return NewSecret(credential, text)


def remove_password(tx: Tx, tenant_id: str, owner: str, object_id: str, key_id: str) -> None:
    doc = _load(tx, tenant_id, owner, object_id)
    key_id = validate.guid(key_id, "keyId")
    kept = [c for c in doc.get("password_credentials", []) if c["key_id"].lower() != key_id]
    if len(kept) == len(doc.get("password_credentials", [])):
        raise errors.DirectoryError(errors.NOT_FOUND, f"No password credential found with keyId {key_id}.")
    tx.put(_KINDS[owner], key(tenant_id, doc["id"]), {**doc, "password_credentials": kept})


def _matches(credentials: list[dict], secret: str, now: float) -> bool:
    ok = False
    for raw in credentials:
        credential = from_doc(PasswordCredential, raw)
        # Check every credential (no early exit) so timing says nothing about which one matched.
        match = passwords.verify_secret(secret, credential.secret_hash)
        ok |= match and credential.start <= now < credential.end
    return ok


def verify_client_secret(tx: Tx, tenant_id: str, app_id: str, secret: str, now: float) -> bool:
    """True when ``secret`` is a current password of the app (any tenant) or of its SP in ``tenant_id``."""
    if not validate.is_guid(app_id) or not isinstance(secret, str) or not secret or len(secret) > 1024:
        return False
    credentials: list[dict] = []
    record = tx.find_one(APPLICATIONS, "app_id", app_id.lower())
    if record is not None:
        credentials += record.doc.get("password_credentials", [])
    sp = tx.find_one(SERVICE_PRINCIPALS, "app_id", f"{tenant_id}/{app_id.lower()}")
    if sp is not None:
        credentials += sp.doc.get("password_credentials", [])
    return _matches(credentials, secret, now)


def without_secret(credential: PasswordCredential) -> PasswordCredential:
    return dataclasses.replace(credential, secret_hash="")
