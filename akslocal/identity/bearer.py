"""``verify_bearer``: is this ``Authorization`` header one of OUR valid access tokens for these audiences?

Graph and ARM call it on every request and render :class:`BearerError` in their own error
shape.  Checks, in order: the Bearer scheme, a three-part compact JWS, ``alg`` exactly RS256
(so ``none`` and HMAC-with-the-public-key are refused), a known and still-published ``kid``,
the signature, the issuer (v1 ``https://sts.windows.net/<tid>/`` or v2 ``<public_url>/<tid>/v2.0``
matching ``ver`` and ``tid``), the audience, and ``exp``/``nbf`` by the emulator's clock.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Iterable
from typing import Any

from akslocal.identity.keys import keyring
from akslocal.identity.tokens import b64url_decode, v1_issuer, v2_issuer

NBF_LEEWAY = 300  # seconds of clock skew tolerated on not-before (as Microsoft's validators do)


class BearerError(Exception):
    """Why a bearer token was refused: HTTP status, an error code, a clear message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _invalid(message: str, code: str = "InvalidAuthenticationToken") -> BearerError:
    return BearerError(401, code, message)


def _normalise(audience: str) -> str:
    return audience.strip().rstrip("/").lower()


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS into (header, claims, signing input, signature); raises BearerError."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise _invalid("IDX14100: JWT is not well formed, there are no dots (.).")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid("IDX14102: Unable to decode the token: it is not base64url-encoded JSON.") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _invalid("IDX14102: Unable to decode the token header or payload.")
    return header, claims, (parts[0] + "." + parts[1]).encode("ascii", "replace"), signature


def verify_token(
    services: Any, token: str, audiences: Iterable[str], *, tenant_id: str | None = None
) -> dict[str, Any]:
    """The validated claims of ``token`` (no ``Bearer`` prefix)."""
    header, claims, signing_input, signature = decode_unverified(token)
    if header.get("alg") != "RS256":
        raise _invalid(f"IDX10511: Signature validation failed: algorithm {header.get('alg')!r} is not accepted.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _invalid("IDX10503: Signature validation failed: the token has no kid.")
    key = keyring(services).find(kid)
    if key is None:
        raise _invalid(f"IDX10503: Signature validation failed: no signing key with kid '{kid[:64]}' is published.")
    if not key.verify(signature, signing_input):
        raise _invalid("IDX10511: Signature validation failed: the signature does not match.")

    tid, ver, iss = claims.get("tid"), claims.get("ver"), claims.get("iss")
    if not isinstance(tid, str):
        raise _invalid("The token has no tenant (tid).")
    expected_iss = v1_issuer(tid) if ver == "1.0" else v2_issuer(services.settings.public_url, tid)
    if ver not in ("1.0", "2.0") or iss != expected_iss:
        raise _invalid(f"IDX10205: Issuer validation failed. Issuer: '{str(iss)[:200]}'.")
    if tenant_id is not None and tid.lower() != tenant_id.lower():
        raise _invalid(f"The token was issued for tenant '{tid}', not '{tenant_id}'.")

    aud = claims.get("aud")
    wanted = {_normalise(a) for a in audiences}
    if not isinstance(aud, str) or _normalise(aud) not in wanted:
        raise _invalid(
            f"IDX10214: Audience validation failed. Audience: '{str(aud)[:200]}'.",
            "InvalidAuthenticationTokenAudience",
        )

    now = services.clock.now()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise _invalid("The token has no expiry (exp).")
    if now >= exp:
        raise _invalid("Lifetime validation failed, the token is expired.", "ExpiredAuthenticationToken")
    if isinstance(nbf, int | float) and not isinstance(nbf, bool) and now + NBF_LEEWAY < nbf:
        raise _invalid("Lifetime validation failed, the token is not yet valid (nbf).")
    return claims


def verify_bearer(
    services: Any, authorization: str | None, audiences: Iterable[str], *, tenant_id: str | None = None
) -> dict[str, Any]:
    """Validated claims of the bearer token in an ``Authorization`` header, or :class:`BearerError`.

    ``tenant_id`` (optional) additionally requires the token's ``tid``.
    """
    if not authorization or not authorization.strip():
        raise _invalid("Access token is empty.")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("Authentication failed: the Authorization header must be 'Bearer <access token>'.")
    return verify_token(services, token.strip(), audiences, tenant_id=tenant_id)
