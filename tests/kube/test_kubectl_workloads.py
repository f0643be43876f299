"""Workloads the small controller runs: services and endpoints, events, describe, logs,
daemon sets and stateful sets, namespace deletion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow

STS_AND_DS = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: busybox}]}
"""


def test_service_endpoints_follow_pods(admin: Kubectl) -> None:
    admin.ok("create", "ns", "svc")
    admin.ok("create", "deployment", "api", "--image=nginx", "--replicas=2", "-n", "svc")
    assert admin.ok("expose", "deployment", "api", "--port=80", "-n", "svc").strip() == "service/api exposed"
    svc = admin.ok("get", "svc", "api", "-n", "svc").splitlines()
    assert re.match(r"api\s+ClusterIP\s+10\.0\.\d+\.\d+\s+<none>\s+80/TCP\s+", svc[1])
    ep = admin.ok("get", "endpoints", "api", "-n", "svc").splitlines()
    assert re.match(r"api\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80\s+", ep[1])
    admin.ok("scale", "deployment", "api", "--replicas=1", "-n", "svc")
    assert re.match(r"api\s+10\.244\.\d+\.\d+:80\s+", admin.ok("get", "ep", "api", "-n", "svc").splitlines()[1])
    dns = admin.ok("get", "endpoints", "kube-dns", "-n", "kube-system").splitlines()[1]
    assert ":53" in dns


def test_events_and_describe(admin: Kubectl) -> None:
    admin.ok("create", "ns", "ev")
    admin.ok("create", "deployment", "web", "--image=nginx", "-n", "ev")
    events = admin.ok("get", "events", "-n", "ev").splitlines()
    assert re.split(r"\s{2,}", events[0].strip()) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    reasons = [re.split(r"\s{2,}", e.strip())[2] for e in events[1:]]
    assert reasons == ["Scheduled", "Pulled", "Created", "Started", "SuccessfulCreate", "ScalingReplicaSet"]
    described = admin.ok("describe", "pod", "-l", "app=web", "-n", "ev")
    assert re.search(r"Status:\s+Running", described)
    assert re.search(r"Controlled By:\s+ReplicaSet/web-", described)
    assert re.search(r"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned ev/web-", described)
    assert re.search(r"Normal\s+Started\s+\S+\s+kubelet\s+Started container nginx", described)
    deploy = admin.ok("describe", "deployment", "web", "-n", "ev")
    assert re.search(r"Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable", deploy)


def test_logs_are_empty(admin: Kubectl) -> None:
    admin.ok("run", "quiet", "--image=busybox")
    out = admin.run("logs", "quiet")
    assert out.returncode == 0 and out.stdout == ""


def test_statefulset_and_daemonset(admin: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "w.yaml"
    manifest.write_text(STS_AND_DS)
    admin.ok("create", "ns", "wl")
    out = admin.ok("apply", "-n", "wl", "-f", str(manifest)).splitlines()
    assert out == ["statefulset.apps/db created", "daemonset.apps/agent created"]
    pods = admin.ok("get", "pods", "-n", "wl", "--no-headers").splitlines()
    names = sorted(p.split()[0] for p in pods)
    assert names[-2:] == ["db-0", "db-1"]
    assert len([n for n in names if n.startswith("agent-")]) == 3
    ds = admin.ok("get", "ds", "-n", "wl").splitlines()
    assert re.match(r"agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+", ds[1])
    sts = admin.ok("get", "sts", "-n", "wl").splitlines()
    assert re.match(r"db\s+2/2\s+", sts[1])
    admin.ok("delete", "pod", "db-1", "-n", "wl")
    assert "db-1" in admin.ok("get", "pods", "-n", "wl")  # the owner recreates it
    every = admin.ok("get", "all", "-n", "wl")
    assert "statefulset.apps/db" in every and "daemonset.apps/agent" in every


def test_deleting_a_namespace_deletes_its_objects(admin: Kubectl) -> None:
    admin.ok("create", "ns", "doomed")
    admin.ok("create", "configmap", "c", "--from-literal=a=b", "-n", "doomed")
    admin.ok("create", "deployment", "d", "--image=nginx", "-n", "doomed")
    assert admin.ok("delete", "ns", "doomed").strip() == 'namespace "doomed" deleted'
    assert admin.run("get", "ns", "doomed").returncode == 1
    left = admin.run("get", "all,cm", "-n", "doomed")
    assert left.stdout == ""


def test_rollout_history_and_undo(admin: Kubectl) -> None:
    admin.ok("create", "ns", "roll")
    admin.ok("create", "deployment", "app", "--image=nginx", "--replicas=2", "-n", "roll")
    admin.ok("set", "image", "deployment/app", "nginx=nginx:1.27", "-n", "roll")
    history = admin.ok("rollout", "history", "deployment/app", "-n", "roll")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.M) == ["1", "2"]
    assert admin.ok("rollout", "undo", "deployment/app", "-n", "roll").strip() == "deployment.apps/app rolled back"
    image = admin.ok("get", "deploy", "app", "-n", "roll", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
    assert image == "nginx"
    assert re.findall(r"^(\d+)\s+<none>$", admin.ok("rollout", "history", "deployment/app", "-n", "roll"),
                      re.M) == ["2", "3"]
    assert "condition met" in admin.ok("wait", "--for=condition=Available", "deployment/app", "-n", "roll",
                                       "--timeout=10s")


def test_cordoned_nodes_take_no_new_pods(admin: Kubectl) -> None:
    nodes = admin.ok("get", "nodes", "-o", "name").split()
    for node in nodes[1:]:
        admin.ok("cordon", node)
    try:
        assert "SchedulingDisabled" in admin.ok("get", "nodes")
        admin.ok("create", "ns", "cordon")
        admin.ok("create", "deployment", "c", "--image=nginx", "--replicas=3", "-n", "cordon")
        wide = admin.ok("get", "pods", "-n", "cordon", "-o", "wide", "--no-headers").splitlines()
        assert len(wide) == 3 and all(nodes[0].split("/")[1] in line for line in wide)
    finally:
        for node in nodes[1:]:
            admin.ok("uncordon", node)


def test_node_leases_for_describe(admin: Kubectl) -> None:
    leases = admin.ok("get", "leases", "-n", "kube-node-lease").splitlines()
    assert re.split(r"\s{2,}", leases[0].strip()) == ["NAME", "HOLDER", "AGE"]
    assert len(leases) == 4 and all(re.match(r"(aks-nodepool1-\d{8}-vmss00000\d)\s+\1\s+", r) for r in leases[1:])
    described = admin.ok("describe", "node", leases[1].split()[0])
    assert re.search(r"Lease:\n\s+HolderIdentity:\s+aks-nodepool1-", described)


def test_drain_evicts_and_pods_move(admin: Kubectl) -> None:
    node = admin.ok("get", "nodes", "-o", "name").split()[-1]
    try:
        out = admin.run("drain", node, "--ignore-daemonsets", "--force", "--timeout=30s")
        assert out.returncode == 0, out.stderr
        assert re.search(r"^pod/\S+ evicted$", out.stdout, re.M)
        assert out.stdout.strip().endswith(f"{node} drained")
        wide = admin.ok("get", "pods", "-n", "kube-system", "-o", "wide", "--no-headers").splitlines()
        on_node = [p.split()[0] for p in wide if node.split("/")[1] in p]
        assert on_node and all(p.startswith(("kube-proxy-", "cloud-node-manager-")) for p in on_node)
    finally:
        admin.ok("uncordon", node)
