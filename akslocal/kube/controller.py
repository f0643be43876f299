"""A small, synchronous controller manager in the kwok spirit: no containers, plausible
objects.  Pods are scheduled onto the cluster's nodes and Running as soon as they are
created; Deployments own ReplicaSets (one per pod template hash), ReplicaSets,
DaemonSets and StatefulSets own their pods.  Everything runs in the writer's
transaction, so a ``kubectl create deployment`` is consistent the moment it returns.
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from akslocal.kube import endpoints, events, objects
from akslocal.kube.defaults import random_suffix, template_hash
from akslocal.kube.resources import lookup
from akslocal.kube.selectors import labels_match, selector_from_label_selector
from akslocal.store import Tx

if TYPE_CHECKING:
    from akslocal.kube.api import ClusterApi
    from akslocal.kube.resources import ResourceType

PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")
REPLICASETS = lookup("apps", "v1", "replicasets")
DEPLOYMENTS = lookup("apps", "v1", "deployments")
_WORKLOADS = {"replicasets", "daemonsets", "statefulsets", "deployments"}


def owner_ref(obj: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _digits(text: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:n], "big")


def pod_ip(cluster: str, name: str) -> str:
    v = _digits(cluster + name, 2)
    return f"10.244.{v % 8}.{2 + (v >> 3) % 250}"


def admit(api: ClusterApi, tx: Tx, rt: ResourceType, obj: dict[str, Any]) -> None:
    """Before a create: schedule pods and make them Running."""
    if rt.plural != "pods":
        return
    spec = obj.setdefault("spec", {})
    nodes = objects.scan(tx, api.cluster, NODES)
    node = None
    if spec.get("nodeName"):
        node = next((n for n in nodes if n["metadata"]["name"] == spec["nodeName"]), None)
    else:
        # Cordoned nodes take no new pods (daemon-set pods name their node and still land).
        schedulable = [n for n in nodes if not (n.get("spec") or {}).get("unschedulable")]
        if schedulable:
            node = schedulable[_digits(obj["metadata"]["name"], 4) % len(schedulable)]
            spec["nodeName"] = node["metadata"]["name"]
    started = objects.rfc3339(api.services.clock.now())
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    host_ip = _node_ip(node) if node else ""
    ip = host_ip if spec.get("hostNetwork") else pod_ip(api.cluster, obj["metadata"]["name"])
    obj["status"] = {
        "phase": "Running" if node else "Pending",
        "conditions": [
            {"type": t, "status": "True" if node else "False", "lastProbeTime": None, "lastTransitionTime": started}
            for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "hostIP": host_ip, "hostIPs": [{"ip": host_ip}] if host_ip else [],
        "podIP": ip if node else "", "podIPs": [{"ip": ip}] if node else [],
        "startTime": started, "qosClass": "BestEffort",
        "containerStatuses": [
            {
                "name": c.get("name"), "state": {"running": {"startedAt": started}} if node else
                {"waiting": {"reason": "ContainerCreating"}},
                "lastState": {}, "ready": bool(node), "restartCount": 0, "image": c.get("image"),
                "imageID": f"{c.get('image')}@sha256:{hashlib.sha256(str(c.get('image')).encode()).hexdigest()}",
                "containerID": "containerd://" + hashlib.sha256((obj["metadata"]["name"] + str(c.get("name")))
                                                                 .encode()).hexdigest(),
                "started": bool(node),
            }
            for c in containers
        ],
    }
    if not node:
        obj["status"] = {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                                                             "reason": "Unschedulable"}], "qosClass": "BestEffort"}


def _node_ip(node: dict[str, Any]) -> str:
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a.get("address", "")
    return ""


def after_write(api: ClusterApi, tx: Tx, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    if rt.plural in _WORKLOADS:
        reconcile(api, tx, rt, obj)
    elif rt.plural == "nodes" and old is None:
        _reconcile_daemonsets(api, tx)
    elif rt.plural == "namespaces" and old is None:
        _populate_namespace(api, tx, obj["metadata"]["name"])
    elif rt.plural == "clusterroles":
        aggregate(api, tx)
    elif rt.plural in ("pods", "services"):
        if rt.plural == "pods" and old is None:
            events.pod_started(api, tx, obj)
        endpoints.sync_namespace(api, tx, obj["metadata"].get("namespace", ""))


def _reconcile_daemonsets(api: ClusterApi, tx: Tx) -> None:
    ds_rt = lookup("apps", "v1", "daemonsets")
    for ds in objects.scan(tx, api.cluster, ds_rt):
        reconcile(api, tx, ds_rt, ds)


def _populate_namespace(api: ClusterApi, tx: Tx, ns: str) -> None:
    """The service-account and root-CA controllers' objects in every new namespace."""
    from akslocal.kube.api import WriteOptions

    opts = WriteOptions(field_validation="Ignore")
    api._create_in(tx, lookup("", "v1", "serviceaccounts"), ns, {"metadata": {"name": "default"}}, opts)
    ca = ""
    try:
        ca = api.services.settings.ca_path.read_text()
    except OSError:
        pass
    api._create_in(tx, lookup("", "v1", "configmaps"), ns,
                   {"metadata": {"name": "kube-root-ca.crt",
                                 "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be "
                                                 "used to verify the kube-apiserver when using internal endpoints "
                                                 "such as the internal service IP or kubernetes.default.svc. No "
                                                 "other usage is guaranteed across distributions of Kubernetes "
                                                 "clusters."}},
                    "data": {"ca.crt": ca}}, opts)


def aggregate(api: ClusterApi, tx: Tx) -> None:
    """The clusterrole-aggregation controller: rewrite aggregated roles' rules (fixed point)."""
    from akslocal.kube.rbac import aggregate_cluster_roles

    cr_rt = lookup("rbac.authorization.k8s.io", "v1", "clusterroles")
    roles = objects.scan(tx, api.cluster, cr_rt)
    if not any(r.get("aggregationRule") for r in roles):
        return
    for before, after in zip(roles, aggregate_cluster_roles(roles), strict=True):
        if before.get("aggregationRule") and before.get("rules") != after.get("rules"):
            objects.write(tx, api.cluster, cr_rt, after, created=False)


def after_delete(api: ClusterApi, tx: Tx, rt: ResourceType, gone: dict[str, Any]) -> None:
    """A deleted pod or replica set is replaced by its (still existing) owner."""
    if rt.plural == "nodes":
        _reconcile_daemonsets(api, tx)
        return
    if rt.plural == "services":
        endpoints.service_deleted(api, tx, gone)
    elif rt.plural == "pods":
        endpoints.sync_namespace(api, tx, gone["metadata"].get("namespace", ""))
    for ref in gone.get("metadata", {}).get("ownerReferences") or []:
        owner_rt = {"ReplicaSet": REPLICASETS, "DaemonSet": lookup("apps", "v1", "daemonsets"),
                    "StatefulSet": lookup("apps", "v1", "statefulsets"), "Deployment": DEPLOYMENTS}.get(ref.get("kind"))
        if owner_rt is None:
            continue
        owner = objects.read(tx, api.cluster, owner_rt, gone["metadata"].get("namespace", ""), ref.get("name", ""))
        if owner is not None and owner["metadata"].get("uid") == ref.get("uid"):
            reconcile(api, tx, owner_rt, owner)


def _owned(tx: Tx, api: ClusterApi, owner: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [objects.from_record(r) for r in objects.owned_by(tx, api.cluster, owner["metadata"]["uid"])
            if r.doc["o"].get("kind") == kind]


def reconcile(api: ClusterApi, tx: Tx, rt: ResourceType, obj: dict[str, Any]) -> None:
    from akslocal.kube.api import WriteOptions

    ns = obj["metadata"].get("namespace", "")
    spec = obj.get("spec") or {}
    template = copy.deepcopy(spec.get("template") or {})
    selector = selector_from_label_selector(spec.get("selector"))
    if selector is None or not labels_match(selector, (template.get("metadata") or {}).get("labels")):
        return  # upstream validation rejects this; never create pods the owner would not select
    if rt.plural == "deployments":
        _reconcile_deployment(api, tx, obj, template)
        return
    pods = _owned(tx, api, obj, "Pod")
    wanted: list[str | None]
    if rt.plural == "daemonsets":
        nodes = [n["metadata"]["name"] for n in objects.scan(tx, api.cluster, NODES)]
        have = {p["spec"].get("nodeName") for p in pods}
        for p in pods:
            if p["spec"].get("nodeName") not in nodes:
                api._delete_if_present(tx, PODS, ns, p["metadata"]["name"])
        wanted = [n for n in nodes if n not in have]
        names = [None] * len(wanted)
    elif rt.plural == "statefulsets":
        replicas = int(spec.get("replicas", 1) or 0)
        existing = {p["metadata"]["name"] for p in pods}
        names = [f"{obj['metadata']['name']}-{i}" for i in range(replicas)
                 if f"{obj['metadata']['name']}-{i}" not in existing]
        for p in pods:
            idx = p["metadata"]["name"].rsplit("-", 1)[-1]
            if not idx.isdigit() or int(idx) >= replicas:
                api._delete_if_present(tx, PODS, ns, p["metadata"]["name"])
        wanted = [None] * len(names)
    else:
        replicas = int(spec.get("replicas", 1) or 0)
        for p in sorted(pods, key=lambda p: p["metadata"]["name"])[replicas:]:
            api._delete_if_present(tx, PODS, ns, p["metadata"]["name"])
        count = max(0, replicas - len(pods))
        wanted, names = [None] * count, [None] * count
    for node, name in zip(wanted, names, strict=True):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": copy.deepcopy(template.get("metadata") or {}),
               "spec": copy.deepcopy(template.get("spec") or {})}
        meta = pod["metadata"]
        meta.pop("creationTimestamp", None)
        meta["name"] = name or f"{obj['metadata']['name']}-{random_suffix(api.services.entropy.token_bytes(5))}"
        meta["namespace"] = ns
        meta["ownerReferences"] = [owner_ref(obj)]
        if rt.plural == "statefulsets":
            meta.setdefault("labels", {})["statefulset.kubernetes.io/pod-name"] = meta["name"]
            pod["spec"].setdefault("hostname", meta["name"])
        if node:
            pod["spec"]["nodeName"] = node
        api._create_in(tx, PODS, ns, pod, WriteOptions())
        _record_create(api, tx, rt, obj, meta["name"])
    _write_status(api, tx, rt, obj)


_CONTROLLERS = {"replicasets": "replicaset-controller", "daemonsets": "daemonset-controller",
                "statefulsets": "statefulset-controller"}


def _record_create(api: ClusterApi, tx: Tx, rt: ResourceType, owner: dict[str, Any], pod_name: str) -> None:
    if rt.plural == "statefulsets":
        message = f"create Pod {pod_name} in StatefulSet {owner['metadata']['name']} successful"
    else:
        message = f"Created pod: {pod_name}"
    events.record(api, tx, owner, "SuccessfulCreate", message, _CONTROLLERS[rt.plural])


def _reconcile_deployment(api: ClusterApi, tx: Tx, deploy: dict[str, Any], template: dict[str, Any]) -> None:
    from akslocal.kube.api import WriteOptions

    ns, name = deploy["metadata"].get("namespace", ""), deploy["metadata"]["name"]
    spec = deploy.get("spec") or {}
    template.setdefault("metadata", {}).pop("creationTimestamp", None)
    h = template_hash(template)
    rs_name = f"{name}-{h}"
    replicas = int(spec.get("replicas", 1) or 0)
    sets = _owned(tx, api, deploy, "ReplicaSet")
    revision = 1 + max([int(s["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0") or 0)
                        for s in sets] or [0])
    for rs in sets:
        if rs["metadata"]["name"] != rs_name and rs["spec"].get("replicas") != 0:
            scaled = copy.deepcopy(rs)
            scaled["spec"]["replicas"] = 0
            api._replace_in(tx, REPLICASETS, rs, scaled, WriteOptions())
    current = next((s for s in sets if s["metadata"]["name"] == rs_name), None)
    if current is None:
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels["pod-template-hash"] = h
        tmpl = copy.deepcopy(template)
        tmpl["metadata"]["labels"] = labels
        selector = copy.deepcopy(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})["pod-template-hash"] = h
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": rs_name, "namespace": ns, "labels": labels,
                           "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                           "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                           "deployment.kubernetes.io/revision": str(revision)},
                           "ownerReferences": [owner_ref(deploy)]},
              "spec": {"replicas": replicas, "selector": selector, "template": tmpl}}
        api._create_in(tx, REPLICASETS, ns, rs, WriteOptions())
        events.record(api, tx, deploy, "ScalingReplicaSet",
                      f"Scaled up replica set {rs_name} from 0 to {replicas}", "deployment-controller")
    elif current["spec"].get("replicas") != replicas:
        reactivated = not current["spec"].get("replicas")
        direction = "up" if replicas > int(current["spec"].get("replicas") or 0) else "down"
        events.record(api, tx, deploy, "ScalingReplicaSet",
                      f"Scaled {direction} replica set {rs_name} from {current['spec'].get('replicas')} to {replicas}",
                      "deployment-controller")
        scaled = copy.deepcopy(current)
        scaled["spec"]["replicas"] = replicas
        annotations = scaled["metadata"].setdefault("annotations", {})
        annotations["deployment.kubernetes.io/desired-replicas"] = str(replicas)
        if reactivated and replicas:
            # Rolling back to an old template makes its replica set the newest revision.
            annotations["deployment.kubernetes.io/revision"] = str(revision)
        api._replace_in(tx, REPLICASETS, current, scaled, WriteOptions())
    _write_status(api, tx, DEPLOYMENTS, objects.read(tx, api.cluster, DEPLOYMENTS, ns, name) or deploy)


def _write_status(api: ClusterApi, tx: Tx, rt: ResourceType, obj: dict[str, Any]) -> None:
    now = objects.rfc3339(api.services.clock.now())
    gen = obj["metadata"].get("generation", 1)
    if rt.plural == "deployments":
        replicas = int((obj.get("spec") or {}).get("replicas", 1) or 0)
        ready = sum(len(_owned(tx, api, rs, "Pod")) for rs in _owned(tx, api, obj, "ReplicaSet"))
        status: dict[str, Any] = {"observedGeneration": gen, "replicas": ready, "updatedReplicas": ready,
                                  "readyReplicas": ready, "availableReplicas": ready}
        status["conditions"] = [
            {"type": "Available", "status": "True", "lastUpdateTime": now, "lastTransitionTime": now,
             "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
            {"type": "Progressing", "status": "True", "lastUpdateTime": now, "lastTransitionTime": now,
             "reason": "NewReplicaSetAvailable",
             "message": f'ReplicaSet "{obj["metadata"]["name"]}-{template_hash(_tmpl(obj))}" has successfully '
                        "progressed."},
        ]
        if replicas == 0:
            for k in ("readyReplicas", "availableReplicas", "updatedReplicas", "replicas"):
                status.pop(k, None) if not ready else None
    else:
        pods = len(_owned(tx, api, obj, "Pod"))
        if rt.plural == "daemonsets":
            status = {"currentNumberScheduled": pods, "numberMisscheduled": 0, "desiredNumberScheduled": pods,
                      "numberReady": pods, "observedGeneration": gen, "updatedNumberScheduled": pods,
                      "numberAvailable": pods}
        elif rt.plural == "statefulsets":
            status = {"observedGeneration": gen, "replicas": pods, "readyReplicas": pods, "currentReplicas": pods,
                      "updatedReplicas": pods, "availableReplicas": pods, "collisionCount": 0}
        else:
            status = {"replicas": pods, "fullyLabeledReplicas": pods, "readyReplicas": pods,
                      "availableReplicas": pods, "observedGeneration": gen}
            if not pods:
                status = {"replicas": 0, "observedGeneration": gen}
    new = copy.deepcopy(obj)
    if rt.plural == "deployments":
        revisions = [int((s["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0") or 0)
                     for s in _owned(tx, api, obj, "ReplicaSet")]
        if revisions:
            new["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(max(revisions))
    old_status = obj.get("status") or {}
    if _strip_times(old_status) == _strip_times(status) and new["metadata"] == obj["metadata"]:
        return
    new["status"] = status
    objects.write(tx, api.cluster, rt, new, created=False)


def _tmpl(obj: dict[str, Any]) -> Any:
    t = copy.deepcopy((obj.get("spec") or {}).get("template") or {})
    t.setdefault("metadata", {}).pop("creationTimestamp", None)
    return t


def _strip_times(status: dict[str, Any]) -> Any:
    s = copy.deepcopy(status)
    for c in s.get("conditions") or []:
        c.pop("lastUpdateTime", None)
        c.pop("lastTransitionTime", None)
    return s
