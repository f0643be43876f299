"""The authentication chain of one cluster: client certificate, static admin token, then
bearer tokens through the webhook authenticator (TokenReview), then impersonation.

Order and outcomes follow kube-apiserver: a request that presents bad credentials gets
401 and is never treated as anonymous; ``system:authenticated`` is added to every
authenticated user (unless already there or the user is anonymous).
"""

from __future__ import annotations

import hmac
import importlib
from typing import Any

from akslocal.kube.errors import KubeStatus, unauthorized
from akslocal.kube.provision import auth_from_dict, cert_fingerprint, token_hash
from akslocal.kube.rbac_types import ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, UserInfo


def _with_authenticated(user: UserInfo) -> UserInfo:
    if user.name == ANONYMOUS_USER or AUTHENTICATED_GROUP in user.groups or UNAUTHENTICATED_GROUP in user.groups:
        return user
    return UserInfo(user.name, user.uid, (*user.groups, AUTHENTICATED_GROUP), user.extra)


def user_from_certificate(der: bytes) -> UserInfo:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    cn = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return UserInfo(name=str(cn[0]) if cn else "", groups=tuple(str(o) for o in orgs))


def _review_module() -> Any:
    try:
        return importlib.import_module("akslocal.webhook.review")
    except ModuleNotFoundError:
        return None


async def authenticate(services: Any, cluster: dict[str, Any], cert_der: bytes | None,
                       authorization: str | None) -> UserInfo:
    """The authenticated user, or :class:`KubeStatus` 401."""
    local = bool(cluster.get("localAccounts", True))
    if cert_der:
        fingerprint = cert_fingerprint(cert_der)
        known = any(hmac.compare_digest(fingerprint, f) for f in cluster.get("certFingerprints") or [])
        # A certificate of another cluster (same client CA) or of a disabled local account is refused.
        if known and local:
            user = user_from_certificate(cert_der)
            if user.name:
                return _with_authenticated(user)
        if not authorization:
            raise unauthorized()
    if not authorization:
        raise unauthorized()
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized()
    if len(token) > 16384:
        raise unauthorized()
    if hmac.compare_digest(token_hash(token), str(cluster.get("adminTokenSha256", ""))):
        if not local:
            raise unauthorized()
        return _with_authenticated(UserInfo("clusterAdmin", "", ("system:masters",)))
    from akslocal.kube.satokens import authenticate_token

    sa_user = authenticate_token(services, str(cluster.get("id")), token)
    if sa_user is not None:
        return sa_user
    auth = auth_from_dict(cluster.get("auth") or {"mode": "none"})
    if auth.mode == "none":
        raise unauthorized()
    review = _review_module()
    if review is None:
        raise unauthorized()
    try:
        status = await review.review_token(services, auth, token)
    except Exception:  # an authenticator error is a 401, as upstream (never a 500)
        raise unauthorized() from None
    if not isinstance(status, dict) or status.get("authenticated") is not True:
        raise unauthorized()
    info = status.get("user") or {}
    name = info.get("username")
    if not isinstance(name, str) or not name:
        raise unauthorized()
    groups = tuple(g for g in info.get("groups") or [] if isinstance(g, str))
    extra = {k: tuple(v) for k, v in (info.get("extra") or {}).items() if isinstance(v, list)}
    return _with_authenticated(UserInfo(name, str(info.get("uid") or ""), groups, extra))


def impersonation_requests(headers: Any) -> tuple[str | None, list[str], str | None, dict[str, list[str]]]:
    user = headers.get("impersonate-user")
    groups = headers.getlist("impersonate-group") if hasattr(headers, "getlist") else []
    uid = headers.get("impersonate-uid")
    extra: dict[str, list[str]] = {}
    for key, value in headers.items():
        if key.lower().startswith("impersonate-extra-"):
            from urllib.parse import unquote

            extra.setdefault(unquote(key[len("impersonate-extra-"):]).lower(), []).append(value)
    return user, groups, uid, extra


def impersonated_user(name: str, groups: list[str], uid: str | None, extra: dict[str, list[str]]) -> UserInfo:
    from akslocal.kube.rbac_types import SERVICE_ACCOUNT_USERNAME_PREFIX, service_account_groups

    all_groups = list(groups)
    if name.startswith(SERVICE_ACCOUNT_USERNAME_PREFIX) and not groups:
        parts = name[len(SERVICE_ACCOUNT_USERNAME_PREFIX):].split(":")
        if len(parts) == 2:
            all_groups = list(service_account_groups(parts[0]))
    user = UserInfo(name, uid or "", tuple(all_groups), {k: tuple(v) for k, v in extra.items()})
    return _with_authenticated(user)


__all__ = ["KubeStatus", "authenticate", "impersonated_user", "impersonation_requests", "user_from_certificate"]
