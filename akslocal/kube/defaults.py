"""Server-side defaults and the fields the API server owns (uid, timestamps, status)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import Any

from akslocal.kube.objects import rfc3339

# generateName suffixes use upstream's alphabet (no vowels, no confusable characters).
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(token: bytes, n: int = 5) -> str:
    return "".join(SUFFIX_ALPHABET[b % len(SUFFIX_ALPHABET)] for b in token[:n])


def template_hash(template: Any) -> str:
    """A stable pod-template-hash (upstream uses FNV of the template; any stable hash serves)."""
    import json

    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return random_suffix(digest, 10)


def stamp_metadata(obj: dict[str, Any], *, uid: str, now: float, generation: bool) -> None:
    meta = obj["metadata"]
    meta["uid"] = uid
    meta["creationTimestamp"] = rfc3339(now)
    for f in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "resourceVersion"):
        meta.pop(f, None)
    if generation:
        meta["generation"] = 1
    else:
        meta.pop("generation", None)


def default_container(c: dict[str, Any]) -> None:
    c.setdefault("resources", {})
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    image = str(c.get("image", ""))
    tagged = ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")
    c.setdefault("imagePullPolicy", "IfNotPresent" if tagged or "@" in image else "Always")
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")


def default_pod_spec(spec: dict[str, Any]) -> None:
    for field in ("containers", "initContainers"):
        for c in spec.get(field) or []:
            if isinstance(c, dict):
                default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if "serviceAccountName" not in spec:
        spec["serviceAccountName"] = spec.get("serviceAccount", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    spec.setdefault("tolerations", [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
    ])


def default_template(template: dict[str, Any]) -> None:
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    if isinstance(template.get("spec"), dict):
        default_pod_spec(template["spec"])


def apply_defaults(plural: str, obj: dict[str, Any], token: bytes) -> None:
    """Defaults upstream's defaulting functions set (the ones ``-o yaml`` shows)."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if plural == "namespaces":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = {"phase": "Active"}
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    elif plural == "pods" and spec is not None:
        default_pod_spec(spec)
    elif plural == "services":
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if "clusterIP" not in spec:
            ip = str(ipaddress.ip_address("10.0.0.0") + 10 + int.from_bytes(token[:2], "big") % 60000)
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        obj.setdefault("status", {"loadBalancer": {}})
    elif plural == "secrets":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict):
            data = obj.setdefault("data", {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif plural in ("deployments", "replicasets", "daemonsets", "statefulsets") and spec is not None:
        if plural != "daemonsets":
            spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        if plural == "deployments":
            spec.setdefault("strategy", {})
            if not spec["strategy"]:
                spec["strategy"] = {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
            spec.setdefault("progressDeadlineSeconds", 600)
        if plural == "daemonsets":
            spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                               "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        if plural == "statefulsets":
            spec.setdefault("podManagementPolicy", "OrderedReady")
            spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif plural in ("rolebindings", "clusterrolebindings"):
        for s in obj.get("subjects") or []:
            if isinstance(s, dict) and s.get("kind") in ("User", "Group"):
                s.setdefault("apiGroup", "rbac.authorization.k8s.io")
        ref = obj.get("roleRef")
        if isinstance(ref, dict):
            ref.setdefault("apiGroup", "rbac.authorization.k8s.io")
