"""A cluster reporting v1.30.x: the gcloud dispatcher on PATH runs kubectl 1.30, which
sends JSON bodies where 1.32 sends protobuf (contract §0.6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kube.support import Kubectl, kubectl_for, provision
from tests.support.live import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def old(kube_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    creds = provision(kube_server, "c130", kubernetesVersion="1.30.9", nodeCount=2)
    return kubectl_for(Path(tmp_path_factory.mktemp("k130")), creds)


def test_dispatcher_runs_kubectl_1_30(old: Kubectl) -> None:
    out = json.loads(old.ok("version", "-o", "json"))
    assert out["serverVersion"]["gitVersion"] == "v1.30.9"
    assert out["clientVersion"]["minor"] == "30"


def test_json_clients_create_get_apply_and_review(old: Kubectl, tmp_path: Path) -> None:
    assert old.ok("create", "ns", "legacy").strip() == "namespace/legacy created"
    assert old.ok("create", "clusterrolebinding", "v", "--clusterrole=view", "--user=ann").strip() == (
        "clusterrolebinding.rbac.authorization.k8s.io/v created")
    assert old.ok("auth", "can-i", "get", "pods").strip() == "yes"
    assert old.run("auth", "can-i", "get", "secrets", "--as", "ann").stdout.strip() == "no"
    assert "Username    masterclient" in old.ok("auth", "whoami")
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: legacy\ndata: {k: v}\n")
    assert old.ok("apply", "-f", str(manifest)).strip() == "configmap/c created"
    assert old.ok("apply", "-f", str(manifest)).strip() == "configmap/c unchanged"
    pods = old.ok("get", "pods", "-A").splitlines()
    assert len([p for p in pods if "kube-proxy-" in p]) == 2
    nodes = old.ok("get", "nodes").splitlines()[1:]
    assert len(nodes) == 2 and all("v1.30.9" in n for n in nodes)


def test_kubectl_1_32_binary_against_the_same_server(old: Kubectl) -> None:
    k132 = old.with_binary("/usr/lib/google-cloud-sdk/bin/kubectl.1.32")
    assert k132.ok("create", "ns", "proto-too").strip() == "namespace/proto-too created"
    assert k132.ok("auth", "can-i", "create", "pods").strip() == "yes"
