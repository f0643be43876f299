"""``v1`` Events the emulated components record, so ``kubectl describe`` and
``kubectl get events`` tell the usual story (Scheduled, Pulled, Created, Started,
SuccessfulCreate, ScalingReplicaSet)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from akslocal.kube import objects
from akslocal.kube.resources import lookup
from akslocal.store import AlreadyExists, Tx

if TYPE_CHECKING:
    from akslocal.kube.api import ClusterApi

EVENTS_RT = lookup("", "v1", "events")


def record(api: ClusterApi, tx: Tx, involved: dict[str, Any], reason: str, message: str, component: str,
           host: str = "", event_type: str = "Normal") -> None:
    meta = involved["metadata"]
    ns = meta.get("namespace") or "default"
    now = objects.rfc3339(api.services.clock.now())
    # Upstream names events "<object>.<unix nanoseconds in hex>", so names sort by time.
    stamp = int(api.services.clock.now() * 1e9) + tx.next_sequence("kube.event-name")
    source: dict[str, str] = {"component": component}
    if host:
        source["host"] = host
    event = {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{meta['name']}.{stamp:x}", "namespace": ns, "uid": api.services.entropy.guid(),
                     "creationTimestamp": now},
        "involvedObject": {"kind": involved.get("kind"), "namespace": ns, "name": meta["name"],
                           "uid": meta.get("uid"), "apiVersion": involved.get("apiVersion")},
        "reason": reason, "message": message, "source": source, "firstTimestamp": now, "lastTimestamp": now,
        "count": 1, "type": event_type, "eventTime": None, "reportingComponent": component,
        "reportingInstance": host,
    }
    try:
        objects.write(tx, api.cluster, EVENTS_RT, event, created=True)
    except AlreadyExists:
        pass  # the same event again: upstream would bump count; once is enough here


def pod_started(api: ClusterApi, tx: Tx, pod: dict[str, Any]) -> None:
    node = (pod.get("spec") or {}).get("nodeName")
    if not node:
        return
    meta = pod["metadata"]
    record(api, tx, pod, "Scheduled", f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node}",
           "default-scheduler")
    for c in (pod.get("spec") or {}).get("containers") or []:
        image, name = c.get("image"), c.get("name")
        record(api, tx, pod, "Pulled", f'Container image "{image}" already present on machine', "kubelet", node)
        record(api, tx, pod, "Created", f"Created container: {name}", "kubelet", node)
        record(api, tx, pod, "Started", f"Started container {name}", "kubelet", node)
