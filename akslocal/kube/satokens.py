"""Service-account tokens (TokenRequest, ``kubectl create token``) and their authentication.

Tokens are JWTs signed with HS256 under the per-machine key that also derives the admin
tokens (``<data dir>/kube-token.key``), so nothing secret is stored.  They carry the
cluster id as audience-bound issuer, the service account's name, namespace and uid, and
expire on the emulator clock; a deleted (or re-created) service account invalidates them.
Upstream signs RS256 with the service-account issuer key; clients treat tokens as opaque.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from akslocal.kube import objects
from akslocal.kube.errors import KubeStatus
from akslocal.kube.provision import _token_key
from akslocal.kube.rbac_types import UserInfo, service_account_user
from akslocal.kube.resources import lookup

SERVICE_ACCOUNTS = lookup("", "v1", "serviceaccounts")
DEFAULT_SECONDS = 3600
MIN_SECONDS, MAX_SECONDS = 600, 2**32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(services: Any, signing_input: bytes) -> bytes:
    return hmac.new(_token_key(services), b"sa-token:" + signing_input, hashlib.sha256).digest()


def issuer(services: Any, cluster_id: str) -> str:
    return f"{services.settings.public_url}/clusters/{cluster_id}"


def token_request(services: Any, cluster_id: str, namespace: str, name: str, body: Any) -> dict[str, Any]:
    """Answer a TokenRequest for ``serviceaccounts/<name>/token``."""
    spec = body.get("spec") if isinstance(body, dict) and isinstance(body.get("spec"), dict) else {}
    seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise KubeStatus(422, "Invalid", f'TokenRequest.authentication.k8s.io "{name}" is invalid: '
                         f"spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than "
                         "10 minutes", {"name": name, "group": "authentication.k8s.io", "kind": "TokenRequest"})
    audiences = [a for a in spec.get("audiences") or [] if isinstance(a, str)] or [issuer(services, cluster_id)]
    with services.store.transaction(write=False) as tx:
        sa = objects.read(tx, cluster_id, SERVICE_ACCOUNTS, namespace, name)
    if sa is None:
        raise KubeStatus(404, "NotFound", f'serviceaccounts "{name}" not found', {"name": name,
                                                                                  "kind": "serviceaccounts"})
    now = int(services.clock.now())
    claims = {"aud": audiences, "exp": now + seconds, "iat": now, "nbf": now, "iss": issuer(services, cluster_id),
              "jti": services.entropy.guid(), "sub": f"system:serviceaccount:{namespace}:{name}",
              "kubernetes.io": {"namespace": namespace,
                                "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]}}}
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    token = f"{header}.{payload}.{_b64(_sign(services, signing_input))}"
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
            "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": None},
            "status": {"token": token, "expirationTimestamp": objects.rfc3339(now + seconds)}}


def authenticate_token(services: Any, cluster_id: str, token: str) -> UserInfo | None:
    """The service account a token of this cluster names, or ``None`` (not ours / invalid)."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 8192:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
        signature = _unb64(parts[2])
    except (ValueError, TypeError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return None
    if not hmac.compare_digest(signature, _sign(services, f"{parts[0]}.{parts[1]}".encode())):
        return None
    try:
        claims = json.loads(_unb64(parts[1]))
        ns = claims["kubernetes.io"]["namespace"]
        name = claims["kubernetes.io"]["serviceaccount"]["name"]
        uid = claims["kubernetes.io"]["serviceaccount"]["uid"]
        exp, iss = float(claims["exp"]), claims["iss"]
    except (ValueError, TypeError, KeyError):
        return None
    if iss != issuer(services, cluster_id) or exp <= services.clock.now():
        return None
    with services.store.transaction(write=False) as tx:
        sa = objects.read(tx, cluster_id, SERVICE_ACCOUNTS, str(ns), str(name))
    if sa is None or sa["metadata"].get("uid") != uid:
        return None
    return service_account_user(str(ns), str(name), str(uid))
