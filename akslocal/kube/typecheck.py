"""JSON type checks of request objects, standing in for upstream's typed decoding: a field
of the wrong JSON type is a 400 ``... cannot be handled as a <Kind>`` before anything runs,
so stored objects always have the shapes the printers and the controller rely on."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from akslocal.kube.errors import KubeStatus

STR, INT, BOOL, OBJ, LIST = "string", "integer", "boolean", "object", "array"
SMAP = "map[string]string"

# Path segments: "[]" = every list item, "{}" = every map value.
_COMMON: list[tuple[str, str]] = [
    ("metadata", OBJ), ("metadata.name", STR), ("metadata.generateName", STR), ("metadata.namespace", STR),
    ("metadata.labels", SMAP), ("metadata.annotations", SMAP), ("metadata.finalizers", LIST),
    ("metadata.finalizers.[]", STR), ("metadata.ownerReferences", LIST), ("metadata.ownerReferences.[]", OBJ),
    ("metadata.ownerReferences.[].uid", STR), ("metadata.ownerReferences.[].kind", STR),
    ("metadata.ownerReferences.[].name", STR), ("metadata.resourceVersion", STR),
]
_CONTAINERS = [
    ("containers", LIST), ("containers.[]", OBJ), ("containers.[].name", STR), ("containers.[].image", STR),
    ("containers.[].command", LIST), ("containers.[].command.[]", STR), ("containers.[].args", LIST),
    ("containers.[].args.[]", STR), ("containers.[].ports", LIST), ("containers.[].ports.[]", OBJ),
    ("containers.[].ports.[].containerPort", INT), ("containers.[].ports.[].name", STR),
    ("containers.[].ports.[].protocol", STR), ("containers.[].env", LIST), ("containers.[].env.[]", OBJ),
    ("containers.[].env.[].name", STR), ("containers.[].resources", OBJ),
    ("containers.[].imagePullPolicy", STR), ("initContainers", LIST), ("initContainers.[]", OBJ),
    ("initContainers.[].name", STR), ("initContainers.[].image", STR),
    ("nodeName", STR), ("nodeSelector", SMAP), ("serviceAccountName", STR), ("restartPolicy", STR),
    ("hostNetwork", BOOL), ("tolerations", LIST), ("tolerations.[]", OBJ), ("readinessGates", LIST),
]


def _prefixed(prefix: str, rules: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(f"{prefix}.{p}", t) for p, t in rules]


_WORKLOAD = [("spec", OBJ), ("spec.replicas", INT), ("spec.selector", OBJ), ("spec.selector.matchLabels", SMAP),
             ("spec.selector.matchExpressions", LIST), ("spec.selector.matchExpressions.[]", OBJ),
             ("spec.template", OBJ), ("spec.template.metadata", OBJ), ("spec.template.metadata.labels", SMAP),
             ("spec.template.spec", OBJ), *_prefixed("spec.template.spec", _CONTAINERS)]
_RULES = [("rules", LIST), ("rules.[]", OBJ), ("rules.[].verbs", LIST), ("rules.[].verbs.[]", STR),
          ("rules.[].apiGroups", LIST), ("rules.[].apiGroups.[]", STR), ("rules.[].resources", LIST),
          ("rules.[].resources.[]", STR), ("rules.[].resourceNames", LIST), ("rules.[].resourceNames.[]", STR),
          ("rules.[].nonResourceURLs", LIST), ("rules.[].nonResourceURLs.[]", STR)]
_BINDING = [("subjects", LIST), ("subjects.[]", OBJ), ("subjects.[].kind", STR), ("subjects.[].name", STR),
            ("subjects.[].namespace", STR), ("subjects.[].apiGroup", STR), ("roleRef", OBJ),
            ("roleRef.kind", STR), ("roleRef.name", STR), ("roleRef.apiGroup", STR)]

SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "Pod": [("spec", OBJ), *_prefixed("spec", _CONTAINERS)],
    "Deployment": [*_WORKLOAD, ("spec.strategy", OBJ), ("spec.paused", BOOL)],
    "ReplicaSet": _WORKLOAD, "DaemonSet": _WORKLOAD, "StatefulSet": [*_WORKLOAD, ("spec.serviceName", STR)],
    "Service": [("spec", OBJ), ("spec.type", STR), ("spec.clusterIP", STR), ("spec.selector", SMAP),
                ("spec.ports", LIST), ("spec.ports.[]", OBJ), ("spec.ports.[].port", INT),
                ("spec.ports.[].name", STR), ("spec.ports.[].protocol", STR), ("spec.ports.[].nodePort", INT)],
    "ConfigMap": [("data", SMAP), ("binaryData", SMAP), ("immutable", BOOL)],
    "Secret": [("data", SMAP), ("stringData", SMAP), ("type", STR), ("immutable", BOOL)],
    "ServiceAccount": [("secrets", LIST), ("secrets.[]", OBJ), ("imagePullSecrets", LIST),
                       ("imagePullSecrets.[]", OBJ), ("automountServiceAccountToken", BOOL)],
    "Namespace": [("spec", OBJ), ("spec.finalizers", LIST), ("spec.finalizers.[]", STR), ("status", OBJ)],
    "Node": [("spec", OBJ), ("spec.unschedulable", BOOL), ("spec.taints", LIST), ("spec.taints.[]", OBJ),
             ("status", OBJ), ("status.addresses", LIST), ("status.addresses.[]", OBJ),
             ("status.conditions", LIST), ("status.conditions.[]", OBJ), ("status.nodeInfo", OBJ)],
    "Endpoints": [("subsets", LIST), ("subsets.[]", OBJ), ("subsets.[].addresses", LIST),
                  ("subsets.[].addresses.[]", OBJ), ("subsets.[].ports", LIST), ("subsets.[].ports.[]", OBJ)],
    "Event": [("involvedObject", OBJ), ("reason", STR), ("message", STR), ("type", STR), ("count", INT)],
    "Role": _RULES, "ClusterRole": [*_RULES, ("aggregationRule", OBJ), ("aggregationRule.clusterRoleSelectors", LIST),
                                    ("aggregationRule.clusterRoleSelectors.[]", OBJ)],
    "RoleBinding": _BINDING, "ClusterRoleBinding": _BINDING,
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _ok(value: Any, expected: str) -> bool:
    if expected == STR:
        return isinstance(value, str)
    if expected == INT:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    if expected == BOOL:
        return isinstance(value, bool)
    if expected == OBJ:
        return isinstance(value, dict)
    if expected == LIST:
        return isinstance(value, list)
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())  # SMAP


def _values(obj: Any, parts: list[str]) -> list[tuple[str, Any]]:
    """(concrete path, value) for every present value at the pattern path."""
    found: list[tuple[str, Any]] = [("", obj)]
    for part in parts:
        nxt: list[tuple[str, Any]] = []
        for path, cur in found:
            if part == "[]":
                if isinstance(cur, list):
                    nxt.extend((f"{path}[{i}]", v) for i, v in enumerate(cur))
            elif isinstance(cur, dict) and part in cur and cur[part] is not None:
                nxt.append((f"{path}.{part}", cur[part]))
        found = nxt
    return found


def check_types(kind: str, version: str, obj: dict[str, Any]) -> None:
    for pattern, expected in (*_COMMON, *SCHEMAS.get(kind, [])):
        for path, value in _values(obj, pattern.split(".")):
            if not _ok(value, expected):
                raise KubeStatus(400, "BadRequest",
                                 f'{kind} in version "{version}" cannot be handled as a {kind}: json: cannot '
                                 f"unmarshal {_json_type(value)} into Go struct field {path} of type {expected}")
    if kind == "Secret":
        for key, value in (obj.get("data") or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise KubeStatus(400, "BadRequest",
                                 f'Secret in version "{version}" cannot be handled as a Secret: illegal base64 data '
                                 f"at input byte 0 (data.{key})") from None
    replicas = (obj.get("spec") or {}).get("replicas") if isinstance(obj.get("spec"), dict) else None
    if isinstance(replicas, int) and replicas < 0 and kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        raise KubeStatus(422, "Invalid", f'{kind}.apps "{(obj.get("metadata") or {}).get("name", "")}" is invalid: '
                         f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                         {"kind": kind, "group": "apps"})
