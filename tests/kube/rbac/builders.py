"""Tiny builders for RBAC fixtures, in the spirit of upstream rbac_test.go.

``rule("get,list", "", "pods")``, ``cluster_role("admin", rule("*", "*", "*"))``,
``binding("ns1", "admin", "User:alice")`` (a RoleBinding in ns1 to ClusterRole admin;
``"Role:admin"`` refers to a Role), ``cluster_binding("admin", "Group:admins")``.
Subjects are written ``User:<n>``, ``Group:<n>``, ``ServiceAccount:<ns>:<n>`` (empty
``<ns>`` means no namespace field).
"""

from __future__ import annotations

import itertools
from typing import Any

from akslocal.kube.rbac_types import Attributes, UserInfo

_counter = itertools.count()


def _split(csv: str) -> list[str]:
    return [] if csv == "-" else csv.split(",")


def rule(verbs: str, groups: str, resources: str, names: str = "") -> dict[str, Any]:
    """A resource rule; each argument is comma-separated (``""`` is the core group)."""
    doc: dict[str, Any] = {"verbs": _split(verbs), "apiGroups": _split(groups), "resources": _split(resources)}
    if names:
        doc["resourceNames"] = _split(names)
    return doc


def url_rule(verbs: str, urls: str) -> dict[str, Any]:
    return {"verbs": _split(verbs), "nonResourceURLs": _split(urls)}


def cluster_role(
    name: str,
    *rules: dict[str, Any],
    labels: dict[str, str] | None = None,
    selectors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name, **({"labels": labels} if labels else {})},
        "rules": list(rules),
    }
    if selectors is not None:
        doc["aggregationRule"] = {"clusterRoleSelectors": selectors}
    return doc


def role(namespace: str, name: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": name, "namespace": namespace},
        "rules": list(rules),
    }


def subject(text: str) -> dict[str, Any]:
    kind, _, rest = text.partition(":")
    if kind == "ServiceAccount":
        ns, _, name = rest.partition(":")
        doc = {"kind": kind, "name": name}
        if ns:
            doc["namespace"] = ns
        return doc
    return {"kind": kind, "apiGroup": "rbac.authorization.k8s.io", "name": rest}


def _ref(text: str) -> dict[str, str]:
    kind, _, name = text.rpartition(":")
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": kind or "ClusterRole", "name": name}


def binding(namespace: str, ref: str, *subjects: str, name: str | None = None) -> dict[str, Any]:
    """A RoleBinding in ``namespace`` to ``ref`` (``"x"`` = ClusterRole x, ``"Role:x"``)."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": name or f"rb-{next(_counter)}", "namespace": namespace},
        "roleRef": _ref(ref),
        "subjects": [subject(s) for s in subjects],
    }


def cluster_binding(ref: str, *subjects: str, name: str | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name or f"crb-{next(_counter)}"},
        "roleRef": _ref(ref),
        "subjects": [subject(s) for s in subjects],
    }


def user(name: str, *groups: str) -> UserInfo:
    return UserInfo(name=name, groups=tuple(groups))


def req(
    who: UserInfo, verb: str, namespace: str, resource: str, *, group: str = "", sub: str = "", name: str = ""
) -> Attributes:
    """A resource request; ``resource`` may be written ``pods/status``."""
    if "/" in resource and not sub:
        resource, sub = resource.split("/", 1)
    return Attributes(
        user=who, verb=verb, namespace=namespace, api_group=group, resource=resource, subresource=sub, name=name
    )


def path_req(who: UserInfo, verb: str, path: str) -> Attributes:
    return Attributes(user=who, verb=verb, path=path, is_resource_request=False)


def reader(*objects: dict[str, Any], indexed: bool = True):
    """A StaticRoles holding the objects, sorted into the four lists by ``kind``."""
    from akslocal.kube.rbac import StaticRoles

    by_kind: dict[str, list[dict[str, Any]]] = {
        "Role": [],
        "ClusterRole": [],
        "RoleBinding": [],
        "ClusterRoleBinding": [],
    }
    for obj in objects:
        by_kind[obj["kind"]].append(obj)
    return StaticRoles(
        roles=by_kind["Role"],
        cluster_roles=by_kind["ClusterRole"],
        role_bindings=by_kind["RoleBinding"],
        cluster_role_bindings=by_kind["ClusterRoleBinding"],
        indexed=indexed,
    )
