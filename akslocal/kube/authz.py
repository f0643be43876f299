"""Authorization: the superuser authorizer (``system:masters``) first, then RBAC over a
store-backed reader whose binding lookups use the by-subject index."""

from __future__ import annotations

import copy
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
    """:class:`akslocal.kube.rbac.RbacReader` over one cluster's objects in one read transaction.

    With a ``cache`` (a dict the caller keeps per process), answers are memoised under the
    cluster's RBAC generation (the revision of its last role or binding write, read in the
    same transaction), so repeated decisions for the same user cost one small read and no
    stale policy is ever served.  Readers inside write transactions pass no cache.
    """

    def __init__(self, tx: Tx, cluster: str, cache: dict[Any, Any] | None = None) -> None:
        self.tx = tx
        self.cluster = cluster
        self._memo: dict[Any, Any] | None = None
        if cache is not None:
            generation = objects.rbac_generation(tx, cluster)
            slot = (cluster, generation)
            if slot not in cache:
                for old in [k for k in cache if k[0] == cluster]:
                    del cache[old]
                if len(cache) > 64:
                    cache.clear()
                cache[slot] = {}
            self._memo = cache[slot]

    def _cached(self, key: Any, load: Any) -> Any:
        if self._memo is None:
            return load()
        if key not in self._memo:
            if len(self._memo) > 10_000:
                self._memo.clear()
            self._memo[key] = load()
        return copy.deepcopy(self._memo[key])

    def get_role(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._cached(("role", namespace, name),
                            lambda: objects.read(self.tx, self.cluster, ROLES, namespace, name))

    def get_cluster_role(self, name: str) -> dict[str, Any] | None:
        return self._cached(("clusterrole", name),
                            lambda: objects.read(self.tx, self.cluster, CLUSTER_ROLES, "", name))

    def _bindings(self, namespace: str, kind: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        keys = tuple(subject_keys)

        def load() -> list[dict[str, Any]]:
            values = [f"{self.cluster}|{namespace}|{k}" for k in keys]
            found = self.tx.find_many(objects.OBJECTS, "subject", values)
            return [objects.from_record(r) for r in found if r.doc["o"].get("kind") == kind]

        return self._cached(("bindings", kind, namespace, keys), load)

    def list_cluster_role_bindings_for(self, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        return self._bindings("", "ClusterRoleBinding", subject_keys)

    def list_role_bindings_for(self, namespace: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        if not namespace:
            return []
        return self._bindings(namespace, "RoleBinding", subject_keys)


def authorize(tx: Tx, cluster: str, attrs: Attributes, cache: dict[Any, Any] | None = None) -> Decision:
    if MASTERS_GROUP in attrs.user.groups:
        return Decision(True, "")
    from akslocal.kube import rbac

    return rbac.authorize(StoreRbacReader(tx, cluster, cache), attrs)


def reader_cache(services: Any) -> dict[Any, Any]:
    """The per-process memo of RBAC reads (a cache only: every entry is keyed by generation)."""
    return services.extras.setdefault("kube.rbac_reads", {})


def authorize_in(services: Any, cluster: str, attrs: Attributes) -> Decision:
    if MASTERS_GROUP in attrs.user.groups:
        return Decision(True, "")
    with services.store.transaction(write=False) as tx:
        return authorize(tx, cluster, attrs, reader_cache(services))


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
