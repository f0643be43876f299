"""The resource types the cluster serves: what discovery lists and how URLs map to objects."""

from __future__ import annotations

from dataclasses import dataclass

CRUD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
CREATE_ONLY = ("create",)
NODE_VERBS = CRUD_VERBS


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = CRUD_VERBS
    subresources: tuple[str, ...] = ()
    # Review kinds are created and answered, never stored.
    virtual: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def store_group(self) -> str:
        return self.group or "core"


SUBRESOURCE_VERBS = {"status": ("get", "patch", "update"), "scale": ("get", "patch", "update"),
                     "finalize": ("update",), "log": ("get",),
                     "token": ("create",), "eviction": ("create",)}


def _r(group: str, kind: str, plural: str, namespaced: bool, **kw) -> ResourceType:  # type: ignore[no-untyped-def]
    version = kw.pop("version", "v1")
    return ResourceType(group, version, kind, plural, kind.lower(), namespaced, **kw)


RESOURCES: tuple[ResourceType, ...] = (
    _r("", "Namespace", "namespaces", False, short_names=("ns",), subresources=("status", "finalize"),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    _r("", "Pod", "pods", True, short_names=("po",), categories=("all",), subresources=("status", "log", "eviction")),
    _r("", "Node", "nodes", False, short_names=("no",), subresources=("status",)),
    _r("", "Service", "services", True, short_names=("svc",), categories=("all",), subresources=("status",),
       verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")),
    _r("", "Endpoints", "endpoints", True, short_names=("ep",)),
    _r("", "ConfigMap", "configmaps", True, short_names=("cm",)),
    _r("", "Secret", "secrets", True),
    _r("", "ServiceAccount", "serviceaccounts", True, short_names=("sa",), subresources=("token",)),
    _r("", "Event", "events", True, short_names=("ev",)),
    _r("apps", "Deployment", "deployments", True, short_names=("deploy",), categories=("all",),
       subresources=("status", "scale")),
    _r("apps", "ReplicaSet", "replicasets", True, short_names=("rs",), categories=("all",),
       subresources=("status", "scale")),
    _r("apps", "DaemonSet", "daemonsets", True, short_names=("ds",), categories=("all",), subresources=("status",)),
    _r("apps", "StatefulSet", "statefulsets", True, short_names=("sts",), categories=("all",),
       subresources=("status", "scale")),
    _r("coordination.k8s.io", "Lease", "leases", True),
    _r("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", False),
    _r("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", False),
    _r("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", True),
    _r("rbac.authorization.k8s.io", "Role", "roles", True),
    _r("authentication.k8s.io", "TokenReview", "tokenreviews", False, verbs=CREATE_ONLY, virtual=True),
    _r("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", False, verbs=CREATE_ONLY, virtual=True),
    _r("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", True, verbs=CREATE_ONLY,
       virtual=True),
    _r("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, verbs=CREATE_ONLY,
       virtual=True),
    _r("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, verbs=CREATE_ONLY,
       virtual=True),
    _r("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", False, verbs=CREATE_ONLY,
       virtual=True),
)

# Groups in discovery order (core first, then as upstream lists them).
GROUPS: tuple[str, ...] = ("", "apps", "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io",
                           "rbac.authorization.k8s.io")

_BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND = {(r.group, r.kind): r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    return _BY_PATH.get((group, version, plural))


def by_kind(group: str, kind: str) -> ResourceType | None:
    return _BY_KIND.get((group, kind))


def group_versions() -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for g in GROUPS:
        for r in RESOURCES:
            if r.group == g and (g, r.version) not in seen:
                seen.append((g, r.version))
    return seen


def resources_of(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCES if r.group == group and r.version == version]


NAMESPACE = lookup("", "v1", "namespaces")
PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")
