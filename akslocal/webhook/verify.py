"""Token validation as guard ran it (vendored go-oidc v2.2.1 ``Verify``), on ``cryptography``.

Order, each failure with go-oidc's text (guard prefixes ``failed to verify token for azure:``):

1. a compact JWS: three base64url parts, JSON header and claims (``oidc: malformed jwt: …``);
2. distributed claims: every ``_claim_names`` entry names a ``_claim_sources`` key;
3. issuer ``https://sts.windows.net/<tenant>/`` exactly (guard reads only the v1 metadata);
4. audience: exactly one of the configured values (``oidc: expected audience …``);
5. ``exp``, no leeway; 6. ``nbf``, one minute of leeway;
7. ``alg`` RS256 only (so ``none`` and HMAC with the public key fail here);
8. the signature, with the key of the header's ``kid`` (one refresh of the JWKS when unknown);
9. and, beyond go-oidc, ``tid`` equal to the cluster's tenant.

The hot path is split/decode/verify plus a few dict look-ups: no PyJWT, no datetime objects
unless a message needs them.
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.errors import ReviewError
from akslocal.webhook.keys import KeySet

MAX_TOKEN_BYTES = 64 * 1024  # a JWT with 200 group ids is ~9 KB; anything near this is hostile
NBF_LEEWAY = 60
PREFIX = "failed to verify token for azure: "
_PADDING = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_PAD = (b"", b"===", b"==", b"=")  # a length of 1 mod 4 is invalid base64 whatever the padding


@dataclass(frozen=True)
class VerifiedToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    expires_at: float


def go_time(epoch: float) -> str:
    """A time as Go's ``%v`` prints a UTC ``time.Time``: ``2026-12-06 19:25:47 +0000 UTC``."""
    try:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
    except (OverflowError, OSError, ValueError):
        return "0001-01-01 00:00:00 +0000 UTC"


def go_quote(value: Any) -> str:
    """Go's ``%q``: a string quoted, a []string as ``["a" "b"]``."""
    if isinstance(value, list):
        return "[" + " ".join(json.dumps(str(v)) for v in value) + "]"
    return json.dumps(str(value))


def _fail(reason: str, message: str, hint: str = "") -> ReviewError:
    return ReviewError(reason, PREFIX + message, hint=hint)


def b64url(part: str) -> bytes:
    """Strict base64url (no padding, no stray characters), as Go's RawURLEncoding."""
    raw = part.encode("ascii")
    return binascii.a2b_base64(raw.translate(_URLSAFE) + _PAD[len(raw) % 4], strict_mode=True)


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, claims, signing input, signature) of a compact JWS, or ``oidc: malformed jwt``."""
    if len(token) > MAX_TOKEN_BYTES:
        raise _fail("malformed", f"oidc: malformed jwt: token is {len(token)} bytes, more than {MAX_TOKEN_BYTES}")
    parts = token.split(".")
    if len(parts) != 3:
        raise _fail("malformed", "oidc: malformed jwt: square/go-jose: compact JWS format must have three parts")
    try:
        header = orjson.loads(b64url(parts[0]))
        signature = b64url(parts[2])
    except (ValueError, binascii.Error, UnicodeError):
        raise _fail("malformed", "oidc: malformed jwt: the header or signature is not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        raise _fail("malformed", "oidc: malformed jwt: square/go-jose: missing or invalid 'alg' in the header")
    try:
        payload = b64url(parts[1])
    except (ValueError, binascii.Error, UnicodeError):
        raise _fail("malformed", "oidc: malformed jwt payload: illegal base64 data") from None
    try:
        claims = orjson.loads(payload)  # UTF-8 checked; numbers beyond 64 bits read as floats, as Go's do
    except ValueError as exc:
        reason = "nested too deeply" if str(exc).startswith("depth limit exceeded") else str(exc)
        raise _fail("malformed", f"oidc: failed to unmarshal claims: {reason}") from None
    if not isinstance(claims, dict):
        raise _fail("malformed", "oidc: failed to unmarshal claims: the payload is not a JSON object")
    return header, claims, (parts[0] + "." + parts[1]).encode("ascii"), signature


def audience_list(aud: Any) -> list[str] | None:
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    return None


def check_distributed_claims(claims: dict[str, Any]) -> None:
    names = claims.get("_claim_names")
    if names is None:
        return
    sources = claims.get("_claim_sources")
    if not isinstance(names, dict):
        raise _fail("malformed", "oidc: failed to unmarshal claims: _claim_names is not an object")
    for source in names.values():
        if not isinstance(source, str):
            raise _fail("claim_sources", "oidc: failed to obtain source from claim name")
        if not isinstance(sources, dict) or source not in sources:
            raise _fail("claim_sources", "oidc: source does not exist")


def check_claims(config: WebhookConfig, claims: dict[str, Any], now: float) -> float:
    """Steps 2–6; returns ``exp``."""
    check_distributed_claims(claims)
    iss = claims.get("iss")
    if iss != config.issuer:
        hint = ""
        if isinstance(iss, str) and iss.endswith("/v2.0"):
            hint = "a v2 token: guard only accepts v1 tokens (the server app's accessTokenAcceptedVersion is 2?)"
        elif isinstance(iss, str) and iss.startswith("https://sts.windows.net/"):
            hint = "a token of another tenant"
        raise _fail("issuer", f"oidc: id token issued by a different provider, expected {go_quote(config.issuer)} "
                              f"got {go_quote(iss if isinstance(iss, str) else '')}", hint)
    auds = audience_list(claims.get("aud"))
    if auds is None:
        raise _fail("malformed", "oidc: failed to unmarshal claims: aud is not a string or a list of strings")
    accepted = config.audiences
    if not any(a in accepted for a in auds):
        also = "".join(f" or {go_quote(a)}" for a in accepted[1:])
        raise _fail("audience", f"oidc: expected audience {go_quote(accepted[0])}{also} got {go_quote(auds)}",
                    "the token was issued for another resource: the kubeconfig's --server-id must be the "
                    "cluster's server application")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise _fail("expired", "oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)")
    if exp < now:
        raise _fail("expired", f"oidc: token is expired (Token Expiry: {go_time(exp)})",
                    "sign in again (kubelogin refreshes or prompts when its cached token has expired)")
    nbf = claims.get("nbf")
    if nbf is not None:
        if not isinstance(nbf, int | float) or isinstance(nbf, bool):
            raise _fail("malformed", "oidc: failed to unmarshal claims: nbf is not a number")
        if now + NBF_LEEWAY < nbf:
            raise _fail("not_yet_valid", f"oidc: current time {go_time(now)} before the nbf (not before) time: "
                                         f"{go_time(nbf)}")
    return float(exp)


def check_algorithm(header: dict[str, Any]) -> str:
    alg = header.get("alg")
    if alg != "RS256":
        raise _fail("algorithm", f'oidc: id token signed with unsupported algorithm, expected ["RS256"] got '
                                 f"{go_quote(alg)}")
    kid = header.get("kid")
    return kid if isinstance(kid, str) else ""


async def verify_token(config: WebhookConfig, keys: KeySet, token: str, now: float) -> VerifiedToken:
    """Every check of the module docstring; raises :class:`ReviewError`."""
    header, claims, signing_input, signature = decode(token)
    exp = check_claims(config, claims, now)
    kid = check_algorithm(header)
    key = keys.get(kid) if kid else None
    if key is None and kid:
        key = await keys.refresh(kid)
    if key is None:
        detail = f"no key with kid {go_quote(kid)} in the tenant's JWKS" if kid else "the header has no kid"
        raise _fail("unknown_kid", f"failed to verify signature: failed to verify id token signature ({detail})")
    try:
        key.verify(signature, signing_input, _PADDING, _SHA256)
    except InvalidSignature:
        raise _fail("signature", "failed to verify signature: failed to verify id token signature "
                                 "(the signature does not match)") from None
    tid = claims.get("tid")
    if not isinstance(tid, str) or tid.lower() != config.tenant_id:
        raise _fail("tenant", f"tid claim {go_quote(tid if isinstance(tid, str) else '')} does not match the "
                              f"cluster's tenant {go_quote(config.tenant_id)}")
    return VerifiedToken(header, claims, exp)


def user_info(claims: dict[str, Any]) -> tuple[str, str | None]:
    """(username, oid): ``upn``, else ``oid`` (so a guest is their object id), as guard."""
    for name in ("upn", "oid"):
        value = claims.get(name)
        if value is not None and not isinstance(value, str):
            raise ReviewError("username", f"claim {name} is not a string, found {type(value).__name__}")
    upn, oid = claims.get("upn"), claims.get("oid")
    username = upn or oid
    if not username:
        raise ReviewError("username", "username: upn and objectID: oid claims not found",
                          hint="an app-only token or one without profile claims cannot sign in to the cluster")
    return username, oid or None
