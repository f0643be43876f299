"""The real kubectl against a provisioned cluster: the seed's commands and layout."""

from __future__ import annotations

import json
import re

import pytest

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow


def test_get_pods_all_namespaces_prints_the_seed_layout(admin: Kubectl) -> None:
    out = admin.ok("get", "pods", "--all-namespaces")
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = [re.split(r"\s+", line.strip()) for line in lines[1:]]
    names = [r[1] for r in rows]
    assert all(r[0] == "kube-system" and r[2] == "1/1" and r[3] == "Running" and r[4] == "0" for r in rows)
    assert sum(1 for n in names if re.fullmatch(r"coredns-[a-z0-9]+-[a-z0-9]{5}", n)) == 2
    assert any(n.startswith("coredns-autoscaler-") for n in names)
    assert any(n.startswith("metrics-server-") for n in names)
    assert sum(1 for n in names if n.startswith("kube-proxy-")) == 3  # one per node


def test_version_reports_the_cluster_version(admin: Kubectl) -> None:
    out = json.loads(admin.ok("version", "-o", "json"))
    assert out["serverVersion"]["gitVersion"] == "v1.32.4"
    assert out["serverVersion"]["minor"] == "32"


def test_nodes_are_named_like_aks(admin: Kubectl) -> None:
    out = admin.ok("get", "nodes")
    names = re.findall(r"^(aks-nodepool1-\d{8}-vmss00000\d)\s+Ready\s+agent", out, re.M)
    assert len(names) == 3
    assert [n[-1] for n in names] == ["0", "1", "2"]
