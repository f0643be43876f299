"""``meta.k8s.io/v1`` Table output with the columns of kube-apiserver's printers.

kubectl prints the cells as given, so the server renders ages (``HumanDuration``) itself.
Rows carry ``object`` = PartialObjectMetadata unless ``includeObject`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akslocal.kube.objects import parse_rfc3339


def human_duration(seconds: float) -> str:
    """Upstream ``duration.HumanDuration``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60 * 2:
        return f"{s}s"
    m = s // 60
    if m < 10:
        rem = s % 60
        return f"{m}m{rem}s" if rem else f"{m}m"
    if m < 60 * 3:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        rem = m % 60
        return f"{h}h{rem}m" if rem else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        rem = h % 24
        return f"{h // 24}d{rem}h" if rem else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    if h < 24 * 365 * 8:
        dy = (h // 24) % 365
        return f"{h // 24 // 365}y{dy}d" if dy else f"{h // 24 // 365}y"
    return f"{h // 24 // 365}y"


def _age(obj: dict[str, Any], now: float) -> str:
    t = parse_rfc3339(obj.get("metadata", {}).get("creationTimestamp"))
    return "<unknown>" if t is None else human_duration(now - t)


def _col(name: str, kind: str = "string", priority: int = 0, fmt: str = "", desc: str = "") -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "type": kind, "format": fmt, "description": desc, "priority": priority}
    return c


NAME = _col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = _col("Age", desc="CreationTimestamp is a timestamp representing the server time when this object was created.")


def _none(value: Any) -> str:
    return str(value) if value not in (None, "", []) else "<none>"


def _pod(o: dict[str, Any], now: float) -> list[Any]:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    statuses = status.get("containerStatuses") or []
    total = len(spec.get("containers") or [])
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount", 0) or 0) for c in statuses)
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for c in statuses:
        waiting = (c.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
    if o.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    gates = spec.get("readinessGates") or []
    return [o["metadata"]["name"], f"{ready}/{total}", reason, restarts, _age(o, now),
            _none(status.get("podIP")), _none(spec.get("nodeName")),
            _none(status.get("nominatedNodeName")), "<none>" if not gates else f"0/{len(gates)}"]


def _roles(o: dict[str, Any]) -> str:
    labels = o.get("metadata", {}).get("labels") or {}
    roles = sorted({k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k}
                   | ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    return ",".join(roles) if roles else "<none>"


def _node(o: dict[str, Any], now: float) -> list[Any]:
    status = o.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Ready" if ready and ready.get("status") == "True" else "NotReady" if ready else "Unknown"
    if (o.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    addr = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [o["metadata"]["name"], state, _roles(o), _age(o, now), info.get("kubeletVersion", ""),
            _none(addr.get("InternalIP")), _none(addr.get("ExternalIP")), _none(info.get("osImage")),
            _none(info.get("kernelVersion")), _none(info.get("containerRuntimeVersion"))]


def _subjects(o: dict[str, Any], kind: str) -> str:
    out = []
    for s in o.get("subjects") or []:
        if s.get("kind") == kind:
            out.append(f"{s.get('namespace', '')}/{s.get('name')}" if kind == "ServiceAccount" else s.get("name"))
    return ", ".join(out)


def _binding(o: dict[str, Any], now: float) -> list[Any]:
    ref = o.get("roleRef") or {}
    return [o["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}", _age(o, now),
            _subjects(o, "User"), _subjects(o, "Group"), _subjects(o, "ServiceAccount")]


def _selector_text(sel: Any) -> str:
    if not isinstance(sel, dict):
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    return ",".join(parts) if parts else "<none>"


def _containers(o: dict[str, Any]) -> tuple[str, str]:
    cs = (((o.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _deployment(o: dict[str, Any], now: float) -> list[Any]:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(o)
    return [o["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(o, now), names, images,
            _selector_text(spec.get("selector"))]


def _replicaset(o: dict[str, Any], now: float) -> list[Any]:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(o)
    return [o["metadata"]["name"], spec.get("replicas", 0), status.get("replicas", 0), status.get("readyReplicas", 0),
            _age(o, now), names, images, _selector_text(spec.get("selector"))]


def _daemonset(o: dict[str, Any], now: float) -> list[Any]:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(o)
    node_sel = (((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")) or {}
    return [o["metadata"]["name"], status.get("desiredNumberScheduled", 0), status.get("currentNumberScheduled", 0),
            status.get("numberReady", 0), status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            ",".join(f"{k}={v}" for k, v in sorted(node_sel.items())) or "<none>", _age(o, now), names, images,
            _selector_text(spec.get("selector"))]


def _statefulset(o: dict[str, Any], now: float) -> list[Any]:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(o)
    return [o["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}", _age(o, now),
            names, images]


def _ports(spec: dict[str, Any]) -> str:
    out = []
    for p in spec.get("ports") or []:
        text = f"{p.get('port')}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _service(o: dict[str, Any], now: float) -> list[Any]:
    spec = o.get("spec") or {}
    ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress)
    if not external:
        external = "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"
    sel = spec.get("selector") or {}
    return [o["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), external,
            _ports(spec), _age(o, now), ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"]


def _namespace(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], (o.get("status") or {}).get("phase", "Active"), _age(o, now)]


def _configmap(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o, now)]


def _secret(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], o.get("type", "Opaque"), len(o.get("data") or {}), _age(o, now)]


def _serviceaccount(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], len(o.get("secrets") or []), _age(o, now)]


def _endpoints(o: dict[str, Any], now: float) -> list[Any]:
    eps = []
    for s in o.get("subsets") or []:
        for a in s.get("addresses") or []:
            for p in s.get("ports") or [{}]:
                eps.append(f"{a.get('ip')}:{p.get('port')}" if p.get("port") else a.get("ip"))
    return [o["metadata"]["name"], ",".join(eps[:3]) + (f" + {len(eps) - 3} more..." if len(eps) > 3 else "")
            or "<none>", _age(o, now)]


def _event(o: dict[str, Any], now: float) -> list[Any]:
    last = parse_rfc3339(o.get("lastTimestamp") or o.get("eventTime") or o["metadata"].get("creationTimestamp"))
    inv = o.get("involvedObject") or {}
    return [human_duration(now - last) if last else "<unknown>", o.get("type", ""), o.get("reason", ""),
            f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}", o.get("message", "")]


def _lease(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], (o.get("spec") or {}).get("holderIdentity", "<unset>"), _age(o, now)]


def _default(o: dict[str, Any], now: float) -> list[Any]:
    return [o["metadata"]["name"], o["metadata"].get("creationTimestamp")]


def _cols(*spec: tuple[str, int]) -> list[dict[str, Any]]:
    return [NAME if n == "Name" else AGE if n == "Age" else _col(n, "integer" if n in _INTS else "string", p)
            for n, p in spec]


_INTS = {"Restarts", "Up-to-date", "Available", "Desired", "Current", "Ready_", "Data", "Secrets", "Updated"}

PRINTERS: dict[str, tuple[list[dict[str, Any]], Callable[[dict[str, Any], float], list[Any]]]] = {
    "pods": (_cols(("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0), ("IP", 1), ("Node", 1),
                   ("Nominated Node", 1), ("Readiness Gates", 1)), _pod),
    "nodes": (_cols(("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0), ("Internal-IP", 1),
                    ("External-IP", 1), ("OS-Image", 1), ("Kernel-Version", 1), ("Container-Runtime", 1)), _node),
    "namespaces": (_cols(("Name", 0), ("Status", 0), ("Age", 0)), _namespace),
    "rolebindings": (_cols(("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1),
                           ("ServiceAccounts", 1)), _binding),
    "clusterrolebindings": (_cols(("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1),
                                  ("ServiceAccounts", 1)), _binding),
    "deployments": (_cols(("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0), ("Age", 0),
                          ("Containers", 1), ("Images", 1), ("Selector", 1)), _deployment),
    "replicasets": (_cols(("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0), ("Containers", 1),
                          ("Images", 1), ("Selector", 1)), _replicaset),
    "daemonsets": (_cols(("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Up-to-date", 0),
                         ("Available", 0), ("Node Selector", 0), ("Age", 0), ("Containers", 1), ("Images", 1),
                         ("Selector", 1)), _daemonset),
    "statefulsets": (_cols(("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1)), _statefulset),
    "services": (_cols(("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0), ("Age", 0),
                       ("Selector", 1)), _service),
    "configmaps": (_cols(("Name", 0), ("Data", 0), ("Age", 0)), _configmap),
    "secrets": (_cols(("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)), _secret),
    "serviceaccounts": (_cols(("Name", 0), ("Secrets", 0), ("Age", 0)), _serviceaccount),
    "endpoints": (_cols(("Name", 0), ("Endpoints", 0), ("Age", 0)), _endpoints),
    "leases": (_cols(("Name", 0), ("Holder", 0), ("Age", 0)), _lease),
    "events": ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Message")], _event),
}
DEFAULT = ([NAME, _col("Created At", "date", 0, desc="CreationTimestamp is a timestamp representing the server "
                       "time when this object was created.")], _default)


def partial_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def table(plural: str, items: list[dict[str, Any]], now: float, *, resource_version: str = "",
          include_object: str = "Metadata", with_headers: bool = True) -> dict[str, Any]:
    columns, printer = PRINTERS.get(plural, DEFAULT)
    rows = []
    for o in items:
        try:
            cells = printer(o, now)
        except (TypeError, AttributeError, ValueError, KeyError):
            # A status written through a subresource can hold odd shapes; print what is sure.
            cells = [o.get("metadata", {}).get("name", "")] + ["<unknown>"] * (len(columns) - 1)
        row: dict[str, Any] = {"cells": cells}
        if include_object == "Object":
            row["object"] = o
        elif include_object != "None":
            row["object"] = partial_metadata(o)
        rows.append(row)
    doc: dict[str, Any] = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                           "metadata": {"resourceVersion": resource_version} if resource_version else {},
                           "columnDefinitions": columns if with_headers else [], "rows": rows}
    return doc
