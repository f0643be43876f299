"""Every check of one token, one by one, for ``akslocal explain`` (the seed's troubleshooting list).

Unlike the review, which stops at the first failure, each check here runs on its own so the
report shows all that is wrong; the verdict at the end is the real review's (same code path,
Graph included), and the bindings that name the user or one of their groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from akslocal.webhook import verify
from akslocal.webhook.errors import ReviewError
from akslocal.webhook.review import Authenticator


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not applicable / could not be checked
    detail: str


def _when(epoch: float, now: float) -> str:
    stamp = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    minutes = round(abs(epoch - now) / 60)
    return f"{stamp} ({'in ' + str(minutes) + ' min' if epoch > now else str(minutes) + ' min ago'})"


def _try(name: str, fn: Any) -> Check:
    try:
        return Check(name, True, fn())
    except ReviewError as err:
        return Check(name, False, err.message.removeprefix(verify.PREFIX) + (f" — {err.hint}" if err.hint else ""))


async def diagnose(authenticator: Authenticator, token: str) -> dict[str, Any]:
    config = authenticator.config
    now = authenticator.clock.now()
    checks: list[Check] = []
    try:
        header, claims, signing_input, signature = verify.decode(token)
    except ReviewError as err:
        checks.append(Check("format", False, err.message.removeprefix(verify.PREFIX)))
        return await _verdict(authenticator, token, checks, {})
    checks.append(Check("format", True, f"a JWS with alg {header.get('alg')!r}, kid {header.get('kid')!r}, "
                                        f"token version {claims.get('ver')!r}"))

    def algorithm() -> str:
        verify.check_algorithm(header)
        return "RS256"

    checks.append(_try("algorithm", algorithm))

    def signing_key() -> str:
        kid = verify.check_algorithm(header)
        key = authenticator.keys.get(kid)
        if key is None:
            raise ReviewError("unknown_kid", f"no key with kid {kid!r} in the tenant's JWKS ({config.metadata_url})")
        try:
            key.verify(signature, signing_input, verify._PADDING, verify._SHA256)
        except Exception:
            raise ReviewError("signature", "the signature does not match the tenant's key") from None
        return f"signed by the tenant's key {kid}"

    if header.get("alg") == "RS256":  # an unknown kid: fetch the key set once, as the review would
        kid = header.get("kid") if isinstance(header.get("kid"), str) else ""
        if kid and authenticator.keys.get(kid) is None:
            try:
                await authenticator.keys.refresh(kid)
            except ReviewError:
                pass
    checks.append(_try("signature", signing_key))

    def issuer() -> str:
        if claims.get("iss") != config.issuer:
            verify.check_claims(config, {"iss": claims.get("iss")}, now)
        return str(claims.get("iss"))

    def tenant() -> str:
        tid = claims.get("tid")
        if not isinstance(tid, str) or tid.lower() != config.tenant_id:
            raise ReviewError("tenant", f"the token is for tenant {tid!r}, the cluster trusts {config.tenant_id}")
        return tid

    def audience() -> str:
        auds = verify.audience_list(claims.get("aud"))
        if auds is None or not any(a in config.audiences for a in auds):
            verify.check_claims(config, {"iss": config.issuer, "aud": claims.get("aud")}, now)
        return f"{claims.get('aud')!r} is the cluster's server application ({config.mode})"

    def expiry() -> str:
        exp = claims.get("exp")
        verify.check_claims(config, {"iss": config.issuer, "aud": config.audiences[0], "exp": exp}, now)
        return f"expires {_when(float(exp), now)}"

    def not_before() -> str:
        nbf = claims.get("nbf")
        if nbf is None:
            return "no nbf claim"
        verify.check_claims(config, {"iss": config.issuer, "aud": config.audiences[0], "exp": now, "nbf": nbf},
                            now)
        return f"valid since {_when(float(nbf), now)}"

    def identity() -> str:
        username, _ = verify.user_info(claims)
        if claims.get("upn"):
            return f"username {username} (the upn claim); bind this user by UPN"
        return (f"username {username}: the token has no upn (a guest of another tenant or a service principal), "
                "so the user is their object id; bind the object id, not a UPN")

    def groups() -> str:
        from akslocal.webhook.groups import overage_source, token_groups

        listed = token_groups(claims)
        if listed is not None:
            return f"{len(listed)} group(s) in the token's groups claim"
        if overage_source(claims) is not None:
            return "group overage (more than 200 groups): the webhook asks Microsoft Graph getMemberGroups"
        return "no groups claim (the server app's groupMembershipClaims is not set, or the user is in none)"

    for name, fn in (("issuer", issuer), ("tenant", tenant), ("audience", audience), ("expiry", expiry),
                     ("not-before", not_before), ("identity", identity), ("groups", groups)):
        checks.append(_try(name, fn))
    return await _verdict(authenticator, token, checks, claims)


async def _verdict(authenticator: Authenticator, token: str, checks: list[Check],
                   claims: dict[str, Any]) -> dict[str, Any]:
    decision = await authenticator.decide(token)
    status = decision.status
    if status.get("authenticated"):
        user = status["user"]
        checks.append(Check("verdict", True, f"authenticated as {user['username']} with {len(user['groups'])} "
                                             "group(s)" + (" (from the webhook's cache)" if decision.cached else "")))
    else:
        hint = f" — {decision.error.hint}" if decision.error is not None and decision.error.hint else ""
        checks.append(Check("verdict", False, f"not authenticated: {status.get('error')}{hint}; kubectl prints "
                                              "'error: You must be logged in to the server (Unauthorized)'"))
    return {"cluster": {"mode": authenticator.config.mode, "tenant": authenticator.config.tenant_id,
                        "serverAppId": authenticator.config.server_app_id,
                        "audiences": list(authenticator.config.audiences)},
            "checks": [asdict(c) for c in checks], "status": status}


def matching_bindings(bindings: list[dict[str, Any]], username: str, groups: list[str]) -> list[str]:
    """``<Kind> <ns/name> → <role> (via User X | Group Y)`` for each binding naming the user or one of
    their Entra groups (the ``system:authenticated`` defaults — discovery, self reviews — are left out)."""
    wanted = {("User", username), *(("Group", g) for g in groups)}
    found = []
    for b in bindings:
        for s in b.get("subjects") or []:
            if isinstance(s, dict) and (s.get("kind"), s.get("name")) in wanted:
                meta = b.get("metadata") or {}
                where = f"{meta['namespace']}/" if meta.get("namespace") else ""
                role = b.get("roleRef") or {}
                found.append(f"{b.get('kind', 'Binding')} {where}{meta.get('name')} → {role.get('kind')} "
                             f"{role.get('name')} (via {s.get('kind')} {s.get('name')})")
    return found
