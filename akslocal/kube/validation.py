"""Object validation with upstream messages: names, namespaces, kinds, unknown fields."""

from __future__ import annotations

import re
from typing import Any

from akslocal.kube.errors import KubeStatus, bad_request, invalid
from akslocal.kube.resources import ResourceType

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

# Kinds whose names must be DNS labels (upstream ValidateNamespaceName, service names, ...).
_LABEL_NAMED = {"namespaces", "services"}
# RBAC objects only need to be valid path segments (system:basic-user has a colon).
_PATH_NAMED = {"roles", "clusterroles", "rolebindings", "clusterrolebindings"}


def name_problem(rt: ResourceType, name: str) -> str | None:
    """The upstream validation message for a bad name, or ``None``."""
    if rt.plural in _PATH_NAMED:
        if name in (".", ".."):
            return f"may not be '{name}'"
        for bad in ("/", "%"):
            if bad in name:
                return f"may not contain '{bad}'"
        return None
    if rt.plural in _LABEL_NAMED:
        if len(name) > 63:
            return "must be no more than 63 characters"
        return None if _LABEL.match(name) else LABEL_MSG
    if len(name) > 253:
        return "must be no more than 253 characters"
    return None if _SUBDOMAIN.match(name) else SUBDOMAIN_MSG


def is_path_segment(text: str) -> bool:
    return bool(text) and text not in (".", "..") and "/" not in text and "%" not in text and len(text) <= 253


def check_url_name(rt: ResourceType, name: str) -> None:
    if not is_path_segment(name):
        raise bad_request(f"invalid resource name {name!r}")


def check_namespace_name(ns: str) -> None:
    if len(ns) > 63 or not _LABEL.match(ns):
        raise bad_request(f"invalid namespace {ns!r}: {LABEL_MSG}")


def go_value(value: Any) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def validate_object(rt: ResourceType, obj: Any, *, url_namespace: str) -> None:
    """Shape checks every write runs before anything is stored."""
    if not isinstance(obj, dict):
        raise bad_request("Object 'Kind' is missing in the request body")
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if kind is not None and kind != rt.kind:
        raise bad_request(f"the kind of the data ({kind}) does not match the expected kind ({rt.kind})"
                          if isinstance(kind, str) else "Object 'Kind' is not a string")
    if api_version is not None and api_version != rt.api_version:
        raise bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version ({rt.api_version})"
        )
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    from akslocal.kube.typecheck import check_types

    check_types(rt.kind, rt.version, obj)
    name = meta.get("name")
    body_ns = meta.get("namespace") or ""
    if rt.namespaced and body_ns and url_namespace and body_ns != url_namespace:
        raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise bad_request(f"metadata.{field} must be a map of string to string")
    causes: list[tuple[str, str, str]] = []
    if not name:
        causes.append(("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"))
    elif not isinstance(name, str):
        raise bad_request("metadata.name must be a string")
    else:
        problem = name_problem(rt, name)
        if problem:
            causes.append(("FieldValueInvalid", f"Invalid value: {go_value(name)}: {problem}", "metadata.name"))
    causes.extend(_kind_problems(rt, obj))
    if causes:
        raise invalid(rt.kind, rt.group, name if isinstance(name, str) else "", causes)


def _kind_problems(rt: ResourceType, obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    spec = obj.get("spec")
    if rt.plural == "pods":
        containers = (spec or {}).get("containers") if isinstance(spec, dict) else None
        if not containers or not isinstance(containers, list):
            return [("FieldValueRequired", "Required value", "spec.containers")]
        out = []
        for i, c in enumerate(containers):
            if not isinstance(c, dict) or not c.get("name"):
                out.append(("FieldValueRequired", "Required value", f"spec.containers[{i}].name"))
            elif not c.get("image"):
                out.append(("FieldValueRequired", "Required value", f"spec.containers[{i}].image"))
        return out
    if rt.plural in ("rolebindings", "clusterrolebindings"):
        ref = obj.get("roleRef")
        if not isinstance(ref, dict) or not ref.get("name"):
            return [("FieldValueRequired", "Required value", "roleRef.name")]
        if ref.get("kind") not in ("Role", "ClusterRole") or (rt.plural == "clusterrolebindings"
                                                              and ref.get("kind") != "ClusterRole"):
            allowed = '"ClusterRole"' if rt.plural == "clusterrolebindings" else '"ClusterRole", "Role"'
            return [("FieldValueNotSupported",
                     f"Unsupported value: {go_value(ref.get('kind'))}: supported values: {allowed}", "roleRef.kind")]
        out = []
        for i, s in enumerate(obj.get("subjects") or []):
            if not isinstance(s, dict) or s.get("kind") not in ("User", "Group", "ServiceAccount"):
                kind = s.get("kind") if isinstance(s, dict) else None
                out.append(("FieldValueNotSupported",
                            f'Unsupported value: {go_value(kind)}: supported values: "ServiceAccount", "User", "Group"',
                            f"subjects[{i}].kind"))
            elif not s.get("name"):
                out.append(("FieldValueRequired", "Required value", f"subjects[{i}].name"))
            elif s["kind"] == "ServiceAccount" and rt.plural == "clusterrolebindings" and not s.get("namespace"):
                out.append(("FieldValueRequired", "Required value", f"subjects[{i}].namespace"))
        return out
    if rt.plural in ("roles", "clusterroles"):
        out = []
        for i, r in enumerate(obj.get("rules") or []):
            if not isinstance(r, dict) or not r.get("verbs"):
                out.append(("FieldValueRequired", "Required value: verbs must contain at least one value",
                            f"rules[{i}].verbs"))
        return out
    if rt.plural in ("deployments", "replicasets", "daemonsets", "statefulsets"):
        if not isinstance(spec, dict) or not isinstance(spec.get("selector"), dict):
            return [("FieldValueRequired", "Required value", "spec.selector")]
        tmpl = spec.get("template")
        if not isinstance(tmpl, dict) or not isinstance(tmpl.get("spec"), dict) or not tmpl["spec"].get("containers"):
            return [("FieldValueRequired", "Required value", "spec.template.spec.containers")]
    return []


def _go_role_ref(ref: Any) -> str:
    ref = ref if isinstance(ref, dict) else {}
    return (f'rbac.RoleRef{{APIGroup:{go_value(ref.get("apiGroup", ""))}, Kind:{go_value(ref.get("kind", ""))}, '
            f'Name:{go_value(ref.get("name", ""))}}}')


def check_immutable(rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Fields upstream refuses to change on update (422 Invalid)."""
    name = old.get("metadata", {}).get("name", "")
    if rt.plural in ("rolebindings", "clusterrolebindings") and new.get("roleRef") != old.get("roleRef"):
        raise invalid(rt.kind, rt.group, name, [(
            "FieldValueInvalid", f"Invalid value: {_go_role_ref(new.get('roleRef'))}: cannot change roleRef",
            "roleRef")])
    if rt.plural in ("configmaps", "secrets") and old.get("immutable") is True:
        for field in ("data", "binaryData") if rt.plural == "configmaps" else ("data",):
            if (new.get(field) or {}) != (old.get(field) or {}):
                raise invalid(rt.kind, rt.group, name, [(
                    "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set", field)])
        if new.get("immutable") is not True:
            raise invalid(rt.kind, rt.group, name, [(
                "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set", "immutable")])


# --- fieldValidation=Strict -----------------------------------------------------------------

_META = {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
         "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
         "ownerReferences", "finalizers", "managedFields"}
_TOP = {
    "Namespace": {"spec", "status"}, "Pod": {"spec", "status"}, "Node": {"spec", "status"},
    "Service": {"spec", "status"}, "Endpoints": {"subsets"}, "ConfigMap": {"data", "binaryData", "immutable"},
    "Secret": {"data", "stringData", "type", "immutable"},
    "ServiceAccount": {"secrets", "imagePullSecrets", "automountServiceAccountToken"},
    "Event": {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
              "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"},
    "Deployment": {"spec", "status"}, "ReplicaSet": {"spec", "status"}, "DaemonSet": {"spec", "status"},
    "StatefulSet": {"spec", "status"}, "Role": {"rules"}, "ClusterRole": {"rules", "aggregationRule"},
    "RoleBinding": {"subjects", "roleRef"}, "ClusterRoleBinding": {"subjects", "roleRef"},
    "Lease": {"spec"},
}
_CONTAINER = {"name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
              "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe",
              "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
              "securityContext", "stdin", "stdinOnce", "tty"}
_POD_SPEC = {"volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
             "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
             "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork",
             "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
             "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority",
             "dnsConfig", "readinessGates", "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead",
             "topologySpreadConstraints", "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates",
             "resourceClaims", "resources"}
_WORKLOAD_SPEC = {
    "Deployment": {"replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit",
                   "paused", "progressDeadlineSeconds"},
    "ReplicaSet": {"replicas", "minReadySeconds", "selector", "template"},
    "DaemonSet": {"selector", "template", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"},
    "StatefulSet": {"replicas", "selector", "template", "volumeClaimTemplates", "serviceName", "podManagementPolicy",
                    "updateStrategy", "revisionHistoryLimit", "minReadySeconds", "persistentVolumeClaimRetentionPolicy",
                    "ordinals"},
    "Service": {"ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
                "loadBalancerIP", "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
                "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig", "ipFamilies",
                "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass", "internalTrafficPolicy",
                "trafficDistribution"},
}
_SUBJECT = {"kind", "apiGroup", "name", "namespace"}
_RULE = {"verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"}


def unknown_fields(kind: str, obj: dict[str, Any]) -> list[str]:
    """Field paths upstream's strict decoder would reject (checked for the fields we know)."""
    out: list[str] = []
    top = _TOP.get(kind)
    if top is None:
        return out
    for key in obj:
        if key not in top and key not in ("apiVersion", "kind", "metadata"):
            out.append(key)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        out.extend(f"metadata.{k}" for k in meta if k not in _META)
    for list_field, allowed in (("subjects", _SUBJECT), ("rules", _RULE)):
        items = obj.get(list_field) if list_field in top else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                out.extend(f"{list_field}[{i}].{k}" for k in item if k not in allowed)
    pod_spec = None
    spec = obj.get("spec")
    if kind == "Pod":
        pod_spec = spec
    elif kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet") and isinstance(spec, dict):
        tmpl = spec.get("template")
        pod_spec = tmpl.get("spec") if isinstance(tmpl, dict) else None
    if isinstance(spec, dict) and kind in _WORKLOAD_SPEC:
        out.extend(f"spec.{k}" for k in spec if k not in _WORKLOAD_SPEC[kind])
    if isinstance(pod_spec, dict):
        prefix = "spec" if kind == "Pod" else "spec.template.spec"
        out.extend(f"{prefix}.{k}" for k in pod_spec if k not in _POD_SPEC)
        for field in ("containers", "initContainers"):
            containers = pod_spec.get(field)
            for i, c in enumerate(containers if isinstance(containers, list) else []):
                if isinstance(c, dict):
                    out.extend(f"{prefix}.{field}[{i}].{k}" for k in c if k not in _CONTAINER)
    return out


def strict_check(kind: str, obj: dict[str, Any], mode: str, version: str = "v1") -> list[str]:
    """Type checks, then ``fieldValidation``: raise for Strict, return warnings for Warn."""
    from akslocal.kube.typecheck import check_types

    if not isinstance(obj, dict):
        raise bad_request("the body of the request must be a JSON object")
    check_types(kind, version, obj)
    unknown = unknown_fields(kind, obj)
    if not unknown or mode == "Ignore":
        return []
    messages = [f'unknown field "{f}"' for f in unknown]
    if mode == "Strict":
        raise KubeStatus(400, "BadRequest", "strict decoding error: " + ", ".join(messages))
    return messages
