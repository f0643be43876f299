"""Token minting: pure claim building for Entra's v1 and v2 tokens, and RS256 signing.

No HTTP and no store here: grants gather who the token is for, these functions say what
Entra would put in it (entra-protocol.md §4), and :func:`sign` produces the compact JWT
with a key that was parsed once (``keys.SigningKey``), using ``cryptography`` directly.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from akslocal.identity.keys import SigningKey, b64url

GROUP_OVERAGE_LIMIT = 200  # JWT limit; over it Entra drops `groups` for _claim_names/_claim_sources

# Client authentication method as Entra reports it in appidacr / azpacr.
CLIENT_AUTH_PUBLIC = "0"
CLIENT_AUTH_SECRET = "1"
CLIENT_AUTH_CERTIFICATE = "2"


def v1_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


def v2_issuer(public_url: str, tenant_id: str) -> str:
    return f"{public_url}/{tenant_id}/v2.0"


@dataclass(frozen=True)
class UserFacts:
    """The signed-in user, as tokens describe them."""

    object_id: str
    tenant_id: str  # the tenant the token is issued in (resource tenant for guests)
    upn: str
    display_name: str
    user_type: str = "Member"
    home_tenant_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    mail: str | None = None

    @property
    def is_guest(self) -> bool:
        return self.user_type == "Guest" or (
            self.home_tenant_id is not None and self.home_tenant_id != self.tenant_id
        )


@dataclass(frozen=True)
class AccessTokenFacts:
    """Everything that decides an access token's claims."""

    version: int  # 1 or 2, from the resource app's accessTokenAcceptedVersion
    tenant_id: str
    audience: str  # as the client asked (v1) or the resource app id (v2)
    client_app_id: str
    client_auth: str  # CLIENT_AUTH_*
    issued_at: int
    lifetime: int
    token_id: str  # uti
    public_url: str
    subject_object_id: str  # user oid, or the client's service principal oid for app-only tokens
    user: UserFacts | None = None
    scopes: Sequence[str] = ()
    roles: Sequence[str] = ()
    groups: Sequence[str] | None = None  # None: the resource does not ask for groups
    wids: Sequence[str] | None = None
    amr: Sequence[str] = ("pwd",)
    client_capabilities: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def pairwise_sub(object_id: str, client_app_id: str, tenant_id: str) -> str:
    """``sub`` is unique per (user, app): a stable 43-character opaque value."""
    digest = hashlib.sha256(f"{tenant_id}|{client_app_id}|{object_id}".encode()).digest()
    return b64url(digest)


def _opaque(seed: str, n: int = 24) -> str:
    return b64url(hashlib.sha256(seed.encode()).digest()[:n])


def group_claims(groups: Sequence[str] | None, user_object_id: str, tenant_id: str, public_url: str) -> dict:
    """``groups``, or Entra's overage indirection when there are more than 200."""
    if groups is None:
        return {}
    if len(groups) > GROUP_OVERAGE_LIMIT:
        return {
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {
                "src1": {"endpoint": f"{public_url}/v1.0/users/{user_object_id}/getMemberObjects"}
            },
        }
    if not groups:
        return {}
    return {"groups": list(groups)}


def access_token_claims(f: AccessTokenFacts) -> dict[str, Any]:
    """The payload of an access token, claim for claim as Entra issues it (v1 or v2)."""
    exp = f.issued_at + f.lifetime
    claims: dict[str, Any] = {
        "aud": f.audience,
        "iss": v1_issuer(f.tenant_id) if f.version == 1 else v2_issuer(f.public_url, f.tenant_id),
        "iat": f.issued_at,
        "nbf": f.issued_at,
        "exp": exp,
    }
    if f.version == 1:
        if f.user is not None:
            claims["acr"] = "1"
        claims["aio"] = _opaque("aio|" + f.token_id)
        if f.user is not None:
            claims["amr"] = list(f.amr)
        claims["appid"] = f.client_app_id
        claims["appidacr"] = f.client_auth
    else:
        claims["aio"] = _opaque("aio|" + f.token_id)
        claims["azp"] = f.client_app_id
        claims["azpacr"] = f.client_auth
    user = f.user
    if user is not None:
        if f.version == 1:
            if user.family_name:
                claims["family_name"] = user.family_name
            if user.given_name:
                claims["given_name"] = user.given_name
        if user.is_guest:
            claims["idp"] = v1_issuer(user.home_tenant_id or user.tenant_id)
        claims["name"] = user.display_name
    elif f.version == 1:
        claims["idp"] = v1_issuer(f.tenant_id)
    claims["oid"] = f.subject_object_id
    if user is not None and f.version == 2:
        claims["preferred_username"] = user.mail if user.is_guest and user.mail else user.upn
    claims["rh"] = _opaque("rh|" + f.token_id, 16) + "."
    if f.roles:
        claims["roles"] = list(f.roles)
    if user is not None:
        claims["scp"] = " ".join(f.scopes)
    claims["sub"] = (
        pairwise_sub(f.subject_object_id, f.client_app_id, f.tenant_id) if user is not None else f.subject_object_id
    )
    claims["tid"] = f.tenant_id
    if user is not None and f.version == 1:
        if user.is_guest:
            claims["unique_name"] = user.mail or user.upn  # guests: their home address, never a upn
        else:
            claims["unique_name"] = user.upn
            claims["upn"] = user.upn
    claims["uti"] = f.token_id
    claims["ver"] = "1.0" if f.version == 1 else "2.0"
    if user is not None:
        claims.update(group_claims(f.groups, f.subject_object_id, f.tenant_id, f.public_url))
        if f.wids:
            claims["wids"] = list(f.wids)
    if f.client_capabilities:
        claims["xms_cc"] = list(f.client_capabilities)
    claims.update(f.extra)
    return claims


def id_token_claims(
    *,
    user: UserFacts,
    client_app_id: str,
    public_url: str,
    issued_at: int,
    lifetime: int,
    token_id: str,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A v2 id_token (MSAL needs aud == client id, tid, preferred_username; azure-identity iss/sub)."""
    claims: dict[str, Any] = {
        "aud": client_app_id,
        "iss": v2_issuer(public_url, user.tenant_id),
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime,
    }
    if user.is_guest:
        claims["idp"] = v1_issuer(user.home_tenant_id or user.tenant_id)
    claims["name"] = user.display_name
    if nonce:
        claims["nonce"] = nonce
    claims["oid"] = user.object_id
    claims["preferred_username"] = user.mail if user.is_guest and user.mail else user.upn
    claims["rh"] = _opaque("rh|" + token_id, 16) + "."
    claims["sub"] = pairwise_sub(user.object_id, client_app_id, user.tenant_id)
    claims["tid"] = user.tenant_id
    claims["uti"] = token_id
    claims["ver"] = "2.0"
    return claims


def client_info(object_id: str, tenant_id: str) -> str:
    """MSAL's ``client_info``: base64url JSON ``{"uid": oid, "utid": tid}`` (home_account_id = uid.utid)."""
    raw = json.dumps({"uid": object_id, "utid": tenant_id}, separators=(",", ":")).encode()
    return b64url(raw)


@functools.lru_cache(maxsize=32)
def _encoded_header(kid: str, include_x5t: bool) -> str:
    header: dict[str, str] = {"typ": "JWT", "alg": "RS256"}
    if include_x5t:
        header["x5t"] = kid
    header["kid"] = kid
    return b64url(json.dumps(header, separators=(",", ":")).encode())


def signing_input(claims: dict[str, Any], key: SigningKey, *, include_x5t: bool) -> str:
    """``header.payload`` of a compact RS256 JWS.  ``x5t`` is in the header of v1 tokens only (it equals ``kid``).

    The payload is compact UTF-8 JSON (orjson: the claims are built per token, on the hot path).
    """
    return _encoded_header(key.kid, include_x5t) + "." + b64url(orjson.dumps(claims))


def sign(claims: dict[str, Any], key: SigningKey, *, include_x5t: bool) -> str:
    """The compact RS256 JWS of ``claims``."""
    data = signing_input(claims, key, include_x5t=include_x5t)
    return data + "." + b64url(key.sign(data.encode("ascii")))


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
