"""The endpoints controller: every Service with a selector has an Endpoints object listing
the ready pods it selects (kube-system's ``kube-dns`` included)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from akslocal.kube import objects
from akslocal.kube.resources import lookup
from akslocal.kube.selectors import Requirement, labels_match
from akslocal.store import Tx

if TYPE_CHECKING:
    from akslocal.kube.api import ClusterApi

SERVICES = lookup("", "v1", "services")
ENDPOINTS = lookup("", "v1", "endpoints")
PODS = lookup("", "v1", "pods")


def _subsets(service: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    selector = (service.get("spec") or {}).get("selector") or {}
    reqs = [Requirement(k, "=", (str(v),)) for k, v in selector.items()]
    selected = [p for p in pods if labels_match(reqs, p["metadata"].get("labels"))
                and (p.get("status") or {}).get("podIP")]
    if not selected:
        return []
    addresses = [{"ip": p["status"]["podIP"], "nodeName": p["spec"].get("nodeName"),
                  "targetRef": {"kind": "Pod", "namespace": p["metadata"]["namespace"], "name": p["metadata"]["name"],
                                "uid": p["metadata"].get("uid")}}
                 for p in sorted(selected, key=lambda p: p["status"]["podIP"])]
    ports = []
    for port in (service.get("spec") or {}).get("ports") or []:
        target = port.get("targetPort", port.get("port"))
        entry: dict[str, Any] = {"port": target if isinstance(target, int) else port.get("port"),
                                 "protocol": port.get("protocol", "TCP")}
        if port.get("name"):
            entry["name"] = port["name"]
        ports.append(entry)
    return [{"addresses": addresses, "ports": ports}]


def sync_namespace(api: ClusterApi, tx: Tx, namespace: str) -> None:
    services = [s for s in objects.scan(tx, api.cluster, SERVICES, namespace)
                if (s.get("spec") or {}).get("selector")]
    if not services:
        return
    pods = objects.scan(tx, api.cluster, PODS, namespace)
    for svc in services:
        name = svc["metadata"]["name"]
        subsets = _subsets(svc, pods)
        current = objects.read(tx, api.cluster, ENDPOINTS, namespace, name)
        if current is not None and (current.get("subsets") or []) == subsets:
            continue
        doc = {"apiVersion": "v1", "kind": "Endpoints",
               "metadata": {"name": name, "namespace": namespace, "labels": dict(svc["metadata"].get("labels") or {})},
               "subsets": subsets}
        if current is None:
            doc["metadata"]["uid"] = api.services.entropy.guid()
            doc["metadata"]["creationTimestamp"] = objects.rfc3339(api.services.clock.now())
            objects.write(tx, api.cluster, ENDPOINTS, doc, created=True)
        else:
            doc["metadata"] = {**current["metadata"], "labels": doc["metadata"]["labels"]}
            objects.write(tx, api.cluster, ENDPOINTS, doc, created=False)


def service_deleted(api: ClusterApi, tx: Tx, service: dict[str, Any]) -> None:
    meta = service["metadata"]
    if objects.read_record(tx, api.cluster, ENDPOINTS, meta.get("namespace", ""), meta["name"]) is not None:
        objects.remove(tx, api.cluster, ENDPOINTS, meta.get("namespace", ""), meta["name"])
