"""Cluster lifecycle on a live server: credentials per cluster, local accounts, node
count, deletion, and persistence across a restart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.kube.support import kubectl_for, provision, update
from tests.support.live import LiveServer

pytestmark = pytest.mark.slow


def test_unknown_token_fails_discovery_with_401(kube_server: LiveServer, tmp_path: Path) -> None:
    creds = provision(kube_server, "anon", nodeCount=1)
    anon = kubectl_for(tmp_path, creds, "anon", user={"token": "not-a-token"})
    out = anon.run("get", "pods")
    assert out.returncode == 1
    assert "error: You must be logged in to the server (the server has asked for the client to provide " \
           "credentials)" in out.stderr


def test_admin_token_kubeconfig(kube_server: LiveServer, tmp_path: Path) -> None:
    creds = provision(kube_server, "tok", nodeCount=1)
    by_token = kubectl_for(tmp_path, creds, "tok", user={"token": creds["adminToken"]})
    assert "Username    clusterAdmin" in by_token.ok("auth", "whoami")
    wrong = kubectl_for(tmp_path, creds, "wrong", user={"token": "0" * 64})
    out = wrong.run("get", "pods")
    assert out.returncode == 1 and "You must be logged in to the server" in out.stderr


def test_a_certificate_of_another_cluster_is_refused(kube_server: LiveServer, tmp_path: Path) -> None:
    one = provision(kube_server, "cert-one", nodeCount=1)
    two = provision(kube_server, "cert-two", nodeCount=1)
    mixed = dict(two, adminCertPem=one["adminCertPem"], adminKeyPem=one["adminKeyPem"])
    assert kubectl_for(tmp_path, one, "one").ok("auth", "can-i", "get", "pods").strip() == "yes"
    out = kubectl_for(tmp_path, mixed, "mixed").run("get", "pods")
    assert out.returncode == 1 and "You must be logged in to the server" in out.stderr


def test_disabling_local_accounts_refuses_admin_credentials(kube_server: LiveServer, tmp_path: Path) -> None:
    creds = provision(kube_server, "local", nodeCount=1)
    admin = kubectl_for(tmp_path, creds, "local")
    admin.ok("get", "ns")
    update(kube_server, "local", localAccounts=False)
    out = admin.run("get", "ns")
    assert out.returncode == 1 and "You must be logged in to the server (Unauthorized)" in out.stderr
    update(kube_server, "local", localAccounts=True)
    admin.ok("get", "ns")


def test_node_count_changes_nodes_and_daemon_pods(kube_server: LiveServer, tmp_path: Path) -> None:
    creds = provision(kube_server, "scale", nodeCount=2)
    admin = kubectl_for(tmp_path, creds, "scale")
    assert len(admin.ok("get", "nodes", "--no-headers").splitlines()) == 2
    update(kube_server, "scale", nodeCount=4)
    nodes = admin.ok("get", "nodes", "--no-headers").splitlines()
    assert [re.match(r"aks-nodepool1-\d{8}-vmss(\d{6})", n).group(1) for n in nodes] == [
        "000000", "000001", "000002", "000003"]
    proxies = [p for p in admin.ok("get", "pods", "-n", "kube-system", "--no-headers").splitlines()
               if p.startswith("kube-proxy-")]
    assert len(proxies) == 4
    update(kube_server, "scale", nodeCount=1)
    wide = admin.ok("get", "pods", "-n", "kube-system", "-o", "wide", "--no-headers").splitlines()
    assert len([p for p in wide if p.startswith("kube-proxy-")]) == 1
    assert all("vmss000000" in p for p in wide)  # every pod moved to the remaining node
    assert len([p for p in wide if p.startswith("coredns-") and not p.startswith("coredns-autoscaler")]) == 2


def test_deleted_cluster_is_gone(kube_server: LiveServer, tmp_path: Path) -> None:
    creds = provision(kube_server, "doomed", nodeCount=1)
    admin = kubectl_for(tmp_path, creds, "doomed")
    admin.ok("get", "ns")
    from tests.kube.support import control_key

    with kube_server.client() as c:
        assert c.delete("/_akslocal/clusters/doomed",
                        headers={"X-Akslocal-Control-Key": control_key(kube_server)}).status_code == 204
    out = admin.run("get", "ns")
    assert out.returncode == 1 and "the server could not find the requested resource" in out.stderr


def test_objects_and_credentials_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = LiveServer.start(data)
    try:
        creds = provision(server, "durable", nodeCount=1)
        admin = kubectl_for(tmp_path, creds, "before")
        admin.ok("create", "ns", "kept")
        admin.ok("create", "deployment", "web", "--image=nginx", "-n", "kept")
    finally:
        server.stop()
    server = LiveServer.start(data)
    try:
        url = creds["serverUrl"].replace(creds["serverUrl"].split("/clusters")[0], server.url)
        again = kubectl_for(tmp_path, creds, "after", server_url=url)
        assert re.search(r"^web\s+1/1\s+1\s+1\s+", again.ok("get", "deploy", "-n", "kept"), re.M)
        with server.client() as c:
            r = c.get("/_akslocal/clusters")  # not a route: provisioning again returns the same credentials
            assert r.status_code in (404, 405)
        same = provision(server, "durable")
        assert same["adminToken"] == creds["adminToken"] and same["adminCertPem"] == creds["adminCertPem"]
    finally:
        server.stop()


def test_ages_follow_the_emulator_clock(kube_server: LiveServer, tmp_path: Path) -> None:
    from tests.kube.support import control_key

    creds = provision(kube_server, "aging", nodeCount=1)
    admin = kubectl_for(tmp_path, creds, "aging")
    control_key(kube_server)
    kube_server.advance_clock(23 * 3600 + 5)
    rows = admin.ok("get", "pods", "-A", "--no-headers").splitlines()
    assert rows and all(re.split(r"\s+", r.strip())[-1] == "23h" for r in rows)  # the seed's AGE column
    nodes = admin.ok("get", "nodes", "--no-headers").splitlines()
    assert all(re.split(r"\s+", n.strip())[3] == "23h" for n in nodes)
