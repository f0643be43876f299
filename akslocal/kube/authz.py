"""Authorization: the superuser authorizer (``system:masters``) first, then RBAC over a
store-backed reader whose binding lookups use the by-subject index."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from akslocal.kube import objects
from akslocal.kube.errors import KubeStatus, forbidden
from akslocal.kube.rbac_types import MASTERS_GROUP, Attributes, Decision, UserInfo
from akslocal.kube.resources import lookup
from akslocal.store import Tx

ROLES = lookup("rbac.authorization.k8s.io", "v1", "roles")
CLUSTER_ROLES = lookup("rbac.authorization.k8s.io", "v1", "clusterroles")


class StoreRbacReader:
    """:class:`akslocal.kube.rbac.RbacReader` over one cluster's objects in one read transaction."""

    def __init__(self, tx: Tx, cluster: str) -> None:
        self.tx = tx
        self.cluster = cluster

    def get_role(self, namespace: str, name: str) -> dict[str, Any] | None:
        return objects.read(self.tx, self.cluster, ROLES, namespace, name)

    def get_cluster_role(self, name: str) -> dict[str, Any] | None:
        return objects.read(self.tx, self.cluster, CLUSTER_ROLES, "", name)

    def _bindings(self, namespace: str, kind: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        values = [f"{self.cluster}|{namespace}|{k}" for k in subject_keys]
        found = self.tx.find_many(objects.OBJECTS, "subject", values)
        return [objects.from_record(r) for r in found if r.doc["o"].get("kind") == kind]

    def list_cluster_role_bindings_for(self, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        return self._bindings("", "ClusterRoleBinding", subject_keys)

    def list_role_bindings_for(self, namespace: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        if not namespace:
            return []
        return self._bindings(namespace, "RoleBinding", subject_keys)


def authorize(tx: Tx, cluster: str, attrs: Attributes) -> Decision:
    if MASTERS_GROUP in attrs.user.groups:
        return Decision(True, "")
    from akslocal.kube import rbac

    return rbac.authorize(StoreRbacReader(tx, cluster), attrs)


def authorize_in(services: Any, cluster: str, attrs: Attributes) -> Decision:
    if MASTERS_GROUP in attrs.user.groups:
        return Decision(True, "")
    with services.store.transaction(write=False) as tx:
        return authorize(tx, cluster, attrs)


def forbidden_status(attrs: Attributes, reason: str) -> KubeStatus:
    """The 403 of upstream's authorization filter (``responsewriters.Forbidden``)."""
    if attrs.is_resource_request:
        resource = attrs.resource + (f"/{attrs.subresource}" if attrs.subresource else "")
        scope = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
        core = (f'User "{attrs.user.name}" cannot {attrs.verb} resource "{resource}" in API group '
                f'"{attrs.api_group}" {scope}')
        group, res, name = attrs.api_group, attrs.resource, attrs.name
    else:
        core = f'User "{attrs.user.name}" cannot {attrs.verb} path "{attrs.path}"'
        group, res, name = "", "", ""
    core = html.escape(core, quote=False)
    if reason:
        core += f": {reason}"
    return forbidden(res, group, name, core)


def require(services: Any, cluster: str, attrs: Attributes) -> None:
    decision = authorize_in(services, cluster, attrs)
    if not decision.allowed:
        raise forbidden_status(attrs, decision.reason)


def attributes_for(user: UserInfo, verb: str, **kw: Any) -> Attributes:
    return Attributes(user=user, verb=verb, **kw)
