"""What a new AKS cluster contains: namespaces, nodes, kube-system workloads, services and
the bootstrap RBAC policy (from :mod:`akslocal.kube.bootstrap_policy`)."""

from __future__ import annotations

import copy
import hashlib
import importlib
from typing import TYPE_CHECKING, Any

from akslocal.kube import objects
from akslocal.kube.resources import lookup
from akslocal.store import Tx

if TYPE_CHECKING:
    from akslocal.kube.api import ClusterApi

NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
ADMIN_GROUP_LABEL = "akslocal.io/aks-admin-group-binding"


def node_name(pool: str, vmss_digits: str, index: int) -> str:
    # VMSS instance ids are base-36, six characters: vmss000000 ... vmss00000a.
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    n, out = index, ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            break
    return f"aks-{pool}-{vmss_digits}-vmss{out.rjust(6, '0')}"


def node_object(name: str, index: int, pool: str, version: str, created: str) -> dict[str, Any]:
    ip = f"10.224.0.{4 + index}"
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "agentpool": pool, "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "kubernetes.azure.com/agentpool": pool, "kubernetes.azure.com/cluster": "akslocal",
                "kubernetes.azure.com/mode": "system", "kubernetes.azure.com/role": "agent",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "kubernetes.io/role": "agent", "node.kubernetes.io/instance-type": "Standard_DS2_v2",
                "topology.kubernetes.io/region": "eastus", "topology.kubernetes.io/zone": "0",
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"],
                 "providerID": f"azure:///subscriptions/akslocal/virtualMachineScaleSets/aks-{pool}/"
                               f"virtualMachines/{index}"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "allocatable": {"cpu": "1900m", "ephemeral-storage": "119703055367", "memory": "4652296Ki",
                            "pods": "110"},
            "capacity": {"cpu": "2", "ephemeral-storage": "129886128Ki", "memory": "7097616Ki", "pods": "110"},
            "conditions": [
                {"type": t, "status": s, "reason": r, "message": m, "lastHeartbeatTime": created,
                 "lastTransitionTime": created}
                for t, s, r, m in (
                    ("MemoryPressure", "False", "KubeletHasSufficientMemory",
                     "kubelet has sufficient memory available"),
                    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                )
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64", "bootID": hashlib.md5(name.encode(), usedforsecurity=False).hexdigest(),
                "containerRuntimeVersion": "containerd://1.7.27-1", "kernelVersion": "5.15.0-1089-azure",
                "kubeProxyVersion": f"v{version}", "kubeletVersion": f"v{version}",
                "machineID": hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:32],
                "operatingSystem": "linux", "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": hashlib.sha256(name.encode()).hexdigest()[:32],
            },
        },
    }


def _container(name: str, image: str, ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": image}
    if ports:
        c["ports"] = ports
    return c


def _workload(kind: str, name: str, replicas: int | None, containers: list[dict[str, Any]],
              labels: dict[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)},
                     "spec": {"containers": containers, "priorityClassName": "system-node-critical"
                              if kind == "DaemonSet" else "system-cluster-critical",
                              "serviceAccountName": name}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": "kube-system",
                         "labels": {**labels, "kubernetes.azure.com/managedby": "aks"}},
            "spec": spec}


MCR = "mcr.microsoft.com/oss/kubernetes"
MCR_V2 = "mcr.microsoft.com/oss/v2/kubernetes"


def legacy_workloads(version: str) -> list[dict[str, Any]]:
    """kube-system of an AKS cluster from the Entra (legacy) integration's era, as the seed
    document shows it: heapster and kube-svc-redirect with two containers, the dashboard and
    tunnelfront instead of konnectivity."""
    return [
        *system_workloads(version)[:2],
        _workload("Deployment", "heapster", 1, [_container("heapster", f"{MCR}/heapster:v1.5.4"),
                                                _container("heapster-nanny", f"{MCR}/addon-resizer:1.8.5")],
                  {"k8s-app": "heapster"}),
        _workload("DaemonSet", "kube-proxy", None, [_container("kube-proxy", f"{MCR}/kube-proxy:v{version}")],
                  {"component": "kube-proxy", "tier": "node"}),
        _workload("DaemonSet", "kube-svc-redirect", None,
                  [_container("redirector", "mcr.microsoft.com/aks/hcp/kube-svc-redirect:v1.0.2"),
                   _container("azureproxy", "mcr.microsoft.com/aks/hcp/nginx:1.13.12-alpine")],
                  {"component": "kube-svc-redirect", "tier": "node"}),
        _workload("Deployment", "kubernetes-dashboard", 1,
                  [_container("main", f"{MCR}/kubernetes-dashboard-amd64:v1.10.1")],
                  {"k8s-app": "kubernetes-dashboard"}),
        system_workloads(version)[2],
        _workload("Deployment", "tunnelfront", 1, [_container("tunnel-front", "mcr.microsoft.com/aks/hcp/"
                                                                              "hcp-tunnel-front:v1.9.2-v4.0.7")],
                  {"component": "tunnel"}),
    ]


def system_workloads(version: str) -> list[dict[str, Any]]:
    return [
        _workload("Deployment", "coredns", 2, [_container("coredns", f"{MCR_V2}/coredns:v1.11.3-8", [
            {"name": "dns", "containerPort": 53, "protocol": "UDP"},
            {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}])],
            {"k8s-app": "kube-dns", "version": "v20"}),
        _workload("Deployment", "coredns-autoscaler", 1,
                  [_container("autoscaler", f"{MCR}/autoscaler/cluster-proportional-autoscaler:v1.8.11")],
                  {"k8s-app": "coredns-autoscaler"}),
        _workload("Deployment", "metrics-server", 1,
                  [_container("metrics-server", f"{MCR}/metrics-server:v0.7.2")], {"k8s-app": "metrics-server"}),
        _workload("Deployment", "konnectivity-agent", 2,
                  [_container("konnectivity-agent", f"{MCR}/apiserver-network-proxy/agent:v0.31.2")],
                  {"app": "konnectivity-agent"}),
        _workload("DaemonSet", "kube-proxy", None, [_container("kube-proxy", f"{MCR}/kube-proxy:v{version}")],
                  {"component": "kube-proxy", "tier": "node"}),
        _workload("DaemonSet", "cloud-node-manager", None,
                  [_container("cloud-node-manager", f"{MCR}/azure-cloud-node-manager:v{version}")],
                  {"k8s-app": "cloud-node-manager"}),
    ]


def system_services() -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"component": "apiserver", "provider": "kubernetes"}},
         "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"],
                  "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kube-dns", "namespace": "kube-system",
                      "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                 "kubernetes.io/name": "CoreDNS", "addonmanager.kubernetes.io/mode": "Reconcile"}},
         "spec": {"clusterIP": "10.0.0.10", "clusterIPs": ["10.0.0.10"], "selector": {"k8s-app": "kube-dns"},
                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "metrics-server", "namespace": "kube-system",
                      "labels": {"k8s-app": "metrics-server", "kubernetes.io/cluster-service": "true",
                                 "kubernetes.io/name": "Metrics-server"}},
         "spec": {"selector": {"k8s-app": "metrics-server"},
                  "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 4443}]}},
    ]


def bootstrap_rbac() -> list[dict[str, Any]]:
    """The default roles and bindings, from the RBAC engineer's module when present."""
    try:
        policy = importlib.import_module("akslocal.kube.bootstrap_policy")
    except ModuleNotFoundError:
        return []
    out: list[dict[str, Any]] = []
    for attr in ("bootstrap_cluster_roles", "bootstrap_cluster_role_bindings", "bootstrap_roles",
                 "bootstrap_role_bindings"):
        fn = getattr(policy, attr, None)
        if callable(fn):
            value = fn()
            if isinstance(value, dict):
                for items in value.values():
                    out.extend(copy.deepcopy(items))
            else:
                out.extend(copy.deepcopy(list(value)))
    if not out and callable(getattr(policy, "bootstrap_objects", None)):
        out = copy.deepcopy(list(policy.bootstrap_objects()))
    return out


def admin_group_binding(group_id: str) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": f"aks-cluster-admin-binding-aad-{group_id}",
                     "labels": {ADMIN_GROUP_LABEL: "true", "kubernetes.io/cluster-service": "true",
                                "addonmanager.kubernetes.io/mode": "Reconcile"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group_id}],
    }


def seed_cluster(api: ClusterApi, tx: Tx, *, version: str, node_count: int, pool: str, vmss_digits: str,
                 admin_group_ids: tuple[str, ...], legacy: bool = False) -> None:
    from akslocal.kube.api import WriteOptions

    opts = WriteOptions(field_validation="Ignore")
    created = objects.rfc3339(api.services.clock.now())
    for ns in NAMESPACES:
        api._create_in(tx, lookup("", "v1", "namespaces"), "", {"metadata": {"name": ns}}, opts)
    for obj in bootstrap_rbac():
        create_object(api, tx, obj)
    for gid in admin_group_ids:
        create_object(api, tx, admin_group_binding(gid))
    set_node_count(api, tx, version=version, node_count=node_count, pool=pool, vmss_digits=vmss_digits,
                   created=created)
    for svc in system_services():
        create_object(api, tx, svc)
    for w in legacy_workloads(version) if legacy else system_workloads(version):
        create_object(api, tx, w)


def create_object(api: ClusterApi, tx: Tx, obj: dict[str, Any]) -> dict[str, Any]:
    from akslocal.kube.api import WriteOptions
    from akslocal.kube.resources import by_kind

    api_version = obj.get("apiVersion", "v1")
    group = api_version.split("/")[0] if "/" in api_version else ""
    rt = by_kind(group, obj["kind"])
    assert rt is not None, obj["kind"]
    ns = obj.get("metadata", {}).get("namespace", "")
    return api._create_in(tx, rt, ns, copy.deepcopy(obj), WriteOptions(field_validation="Ignore"))


def set_node_count(api: ClusterApi, tx: Tx, *, version: str, node_count: int, pool: str, vmss_digits: str,
                   created: str) -> None:
    nodes_rt = lookup("", "v1", "nodes")
    wanted = [node_name(pool, vmss_digits, i) for i in range(node_count)]
    existing = {n["metadata"]["name"] for n in objects.scan(tx, api.cluster, nodes_rt)}
    for i, name in enumerate(wanted):
        if name not in existing:
            node = create_object(api, tx, node_object(name, i, pool, version, created))
            # The kubelet's heartbeat lease (kubectl describe node shows it).
            create_object(api, tx, {
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": name, "namespace": "kube-node-lease",
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name,
                                                  "uid": node["metadata"]["uid"]}]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                         "renewTime": created.replace("Z", ".000000Z")}})
    for name in existing - set(wanted):
        api._delete_in(tx, nodes_rt, "", name)
        pods_rt = lookup("", "v1", "pods")
        for pod in objects.scan(tx, api.cluster, pods_rt):
            if pod["spec"].get("nodeName") == name:
                api._delete_if_present(tx, pods_rt, pod["metadata"]["namespace"], pod["metadata"]["name"])
