"""The review kinds: answered, never stored (authentication.k8s.io, authorization.k8s.io)."""

from __future__ import annotations

from typing import Any

from akslocal.kube import authz
from akslocal.kube.errors import KubeStatus, bad_request, invalid
from akslocal.kube.rbac_types import Attributes, UserInfo


def _user_info_doc(user: UserInfo) -> dict[str, Any]:
    doc: dict[str, Any] = {"username": user.name, "groups": list(user.groups)}
    if user.uid:
        doc["uid"] = user.uid
    if user.extra:
        doc["extra"] = {k: list(v) for k, v in user.extra.items()}
    return doc


def self_subject_review(user: UserInfo) -> dict[str, Any]:
    return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "status": {"userInfo": _user_info_doc(user)}}


def _attributes(user: UserInfo, spec: dict[str, Any], namespace_override: str | None = None) -> Attributes:
    ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if isinstance(ra, dict):
        ns = ra.get("namespace") or "" if namespace_override is None else namespace_override
        return Attributes(user=user, verb=str(ra.get("verb") or ""), namespace=str(ns),
                          api_group=str(ra.get("group") or ""), resource=str(ra.get("resource") or ""),
                          subresource=str(ra.get("subresource") or ""), name=str(ra.get("name") or ""))
    if isinstance(nra, dict):
        return Attributes(user=user, verb=str(nra.get("verb") or ""), path=str(nra.get("path") or ""),
                          is_resource_request=False)
    raise invalid(_KIND, "authorization.k8s.io", "", [
        ("FieldValueRequired", "Required value: exactly one of nonResourceAttributes or resourceAttributes must "
         "be specified", "spec.resourceAttributes")])


_KIND = "SelfSubjectAccessReview"


def access_review(services: Any, cluster: str, kind: str, body: dict[str, Any], requester: UserInfo,
                  namespace: str = "") -> dict[str, Any]:
    """SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview."""
    spec = body.get("spec")
    if not isinstance(spec, dict):
        raise bad_request(f"{kind} spec is required")
    if kind == "SelfSubjectAccessReview":
        user = requester
    else:
        if not spec.get("user") and not spec.get("groups"):
            raise invalid(kind, "authorization.k8s.io", "", [
                ("FieldValueRequired", "Required value: at least one of user or group must be specified",
                 "spec.user")])
        extra = {k: tuple(v) for k, v in (spec.get("extra") or {}).items() if isinstance(v, list)}
        user = UserInfo(str(spec.get("user") or ""), str(spec.get("uid") or ""),
                        tuple(str(g) for g in spec.get("groups") or []), extra)
    if kind == "LocalSubjectAccessReview":
        ra = spec.get("resourceAttributes")
        if not isinstance(ra, dict):
            raise invalid(kind, "authorization.k8s.io", "", [
                ("FieldValueRequired", "Required value: resourceAttributes must be specified",
                 "spec.resourceAttributes")])
        if ra.get("namespace") and ra.get("namespace") != namespace:
            raise invalid(kind, "authorization.k8s.io", "", [
                ("FieldValueInvalid", f'Invalid value: "{ra.get("namespace")}": spec.resourceAttributes.namespace '
                 "must match metadata.namespace", "spec.resourceAttributes.namespace")])
        attrs = _attributes(user, spec, namespace)
    else:
        attrs = _attributes(user, spec)
    decision = authz.authorize_in(services, cluster, attrs)
    status: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    if kind == "LocalSubjectAccessReview":
        meta["namespace"] = namespace
    return {"kind": kind, "apiVersion": "authorization.k8s.io/v1", "metadata": meta, "spec": spec, "status": status}


def rules_review(services: Any, cluster: str, body: dict[str, Any], user: UserInfo) -> dict[str, Any]:
    from akslocal.kube import rbac

    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    ns = str(spec.get("namespace") or "")
    with services.store.transaction(write=False) as tx:
        rules, errors = rbac.rules_for(authz.StoreRbacReader(tx, cluster), user, ns)
    # Only RBAC resolves rules: system:masters sees what the cluster-admin binding gives it.
    status = rbac.rules_review_status(rules, errors)
    return {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "spec": {"namespace": ns}, "status": status}


async def token_review(services: Any, cluster: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    from akslocal.kube.authn import authenticate

    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    token = spec.get("token")
    if not isinstance(token, str) or not token:
        raise invalid("TokenReview", "authentication.k8s.io", "", [
            ("FieldValueRequired", "Required value: token must be specified", "spec.token")])
    status: dict[str, Any]
    try:
        user = await authenticate(services, cluster, None, f"Bearer {token}")
        status = {"authenticated": True, "user": _user_info_doc(user)}
        if spec.get("audiences"):
            status["audiences"] = spec["audiences"]
    except KubeStatus:
        status = {"user": {}, "error": "[invalid bearer token, unknown]"}
    return {"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}
