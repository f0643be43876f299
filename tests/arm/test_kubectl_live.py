"""Kubeconfigs from ARM used with the real kubectl against the cluster's API server; state across restarts."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from akslocal.server.control import control_key
from tests.arm.live import Arm, cluster_path, start_seeded, user_token
from tests.arm.seed import PASSWORD
from tests.arm.test_http_live import cluster_body, decode, make_group
from tests.support.live import LiveServer

NODE = re.compile(r"^aks-nodepool1-\d{8}-vmss00000\d\s+Ready\s", re.M)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    server, s = start_seeded(tmp_path_factory.mktemp("armkube") / "data")
    try:
        arm = Arm(server, user_token(server, s.tenant_id))
        make_group(arm, s, "kubeRG")
        yield server, s, arm
    finally:
        server.stop()


def kubectl(server: LiveServer, config: dict, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / f"kubeconfig-{abs(hash(args))}"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(["kubectl", "--kubeconfig", str(path), *args], capture_output=True, text=True, timeout=60,
                          env=server.env(KUBECACHEDIR=str(tmp_path / "cache"), HOME=str(tmp_path)))


def create(arm: Arm, s, name: str, **props) -> str:
    path = cluster_path(s, "kubeRG", name)
    created = arm.put(path, cluster_body(**props))
    assert created.status_code == 201, created.text
    assert arm.wait(created)["status"] == "Succeeded"
    return path


def only(config: dict, *keep: str) -> dict:
    user = config["users"][0]["user"]
    config["users"][0]["user"] = {k: v for k, v in user.items() if k in keep}
    return config


def test_admin_kubeconfig_by_certificate_and_by_token(env, tmp_path: Path) -> None:
    server, s, arm = env
    path = create(arm, s, "plain", agentPoolProfiles=[{"name": "nodepool1", "count": 2, "mode": "System"}])
    admin = decode(arm.post(path + "/listClusterAdminCredential"))
    by_cert = kubectl(server, only(admin, "client-certificate-data", "client-key-data"), tmp_path, "get", "nodes")
    assert by_cert.returncode == 0, by_cert.stderr
    assert len(NODE.findall(by_cert.stdout)) == 2, by_cert.stdout
    admin = decode(arm.post(path + "/listClusterAdminCredential"))
    by_token = kubectl(server, only(admin, "token"), tmp_path, "get", "pods", "--all-namespaces")
    assert by_token.returncode == 0, by_token.stderr
    assert "coredns-" in by_token.stdout
    # Scaling the system pool through ARM changes the nodes.
    shown = arm.get(path).json()
    shown["properties"]["agentPoolProfiles"][0]["count"] = 3
    assert arm.wait(arm.put(path, shown))["status"] == "Succeeded"
    nodes = kubectl(server, decode(arm.post(path + "/listClusterAdminCredential")), tmp_path, "get", "nodes")
    assert len(NODE.findall(nodes.stdout)) == 3, nodes.stdout + nodes.stderr


def test_non_aad_user_kubeconfig_has_static_credentials(env, tmp_path: Path) -> None:
    server, s, arm = env
    path = create(arm, s, "plainuser")
    user = decode(arm.post(path + "/listClusterUserCredential"))
    assert user["users"][0]["name"] == "clusterUser_kubeRG_plainuser"
    result = kubectl(server, user, tmp_path, "get", "nodes")
    assert result.returncode == 0, result.stderr


def test_managed_cluster_binds_admin_groups_and_azure_format_is_refused(env, tmp_path: Path) -> None:
    server, s, arm = env
    path = create(arm, s, "managed", aadProfile={"managed": True, "adminGroupObjectIDs": [s.group_id]})
    admin = decode(arm.post(path + "/listClusterAdminCredential"))
    bindings = kubectl(server, admin, tmp_path, "get", "clusterrolebindings", "-o", "yaml")
    assert bindings.returncode == 0, bindings.stderr
    docs = yaml.safe_load(bindings.stdout)["items"]
    assert any(b["roleRef"]["name"] == "cluster-admin" and {"kind": "Group", "name": s.group_id,
                                                            "apiGroup": "rbac.authorization.k8s.io"}
               in (b.get("subjects") or []) for b in docs)
    azure = decode(arm.post(path + "/listClusterUserCredential", params={"format": "azure"}))
    assert azure["users"][0]["user"]["auth-provider"]["config"]["config-mode"] == "1"
    refused = kubectl(server, azure, tmp_path, "get", "pods")
    assert refused.returncode != 0 and "azure auth plugin has been removed" in refused.stderr


def test_disabling_local_accounts_later_locks_out_the_admin_credentials(env, tmp_path: Path) -> None:
    server, s, arm = env
    path = create(arm, s, "lockout", aadProfile={"managed": True, "adminGroupObjectIDs": [s.group_id]})
    admin = decode(arm.post(path + "/listClusterAdminCredential"))
    assert kubectl(server, admin, tmp_path, "get", "nodes").returncode == 0
    shown = arm.get(path).json()
    shown["properties"]["disableLocalAccounts"] = True
    assert arm.wait(arm.put(path, shown))["status"] == "Succeeded"
    assert arm.post(path + "/listClusterAdminCredential").status_code == 400
    locked = kubectl(server, admin, tmp_path, "get", "nodes")
    assert locked.returncode != 0 and "Unauthorized" in locked.stderr


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("akslocal.kubelogin.main") is None
                    or importlib.util.find_spec("akslocal.webhook.review") is None,
                    reason="the akslocal-kubelogin plugin or the token webhook is not in this tree yet")
@pytest.mark.parametrize("kind", ["legacy", "managed"])
def test_user_kubeconfig_signs_in_with_the_device_code(env, tmp_path: Path, kind: str) -> None:
    server, s, arm = env
    if kind == "legacy":
        profile = {"clientAppID": s.client_app_id, "serverAppID": s.server_app_id,
                   "serverAppSecret": s.server_secret, "tenantID": s.tenant_id}
    else:  # alice is in aks-admins, which the cluster binds to cluster-admin
        profile = {"managed": True, "adminGroupObjectIDs": [s.group_id]}
    path = create(arm, s, f"dc{kind}", aadProfile=profile)
    if kind == "legacy":
        admin = decode(arm.post(path + "/listClusterAdminCredential"))
        made = kubectl(server, admin, tmp_path, "create", "clusterrolebinding", "alice-is-admin", "--clusterrole",
                       "cluster-admin", "--user", "alice@akslocal.onmicrosoft.com")
        assert made.returncode == 0, made.stderr
    user = decode(arm.post(path + "/listClusterUserCredential"))
    config = tmp_path / "user-kubeconfig"
    config.write_text(yaml.safe_dump(user))
    process = subprocess.Popen(["kubectl", "--kubeconfig", str(config), "get", "pods", "-A"], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=server.env(HOME=str(tmp_path), KUBECACHEDIR=str(tmp_path / "cache"),
                                              PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"))
    code = re.compile(r"enter the code ([A-Z0-9]{9}) to authenticate")
    prompt = ""
    while (line := process.stderr.readline()):
        prompt += line
        if match := code.search(line):
            signin = subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code",
                                     match.group(1), "--username", "alice@akslocal.onmicrosoft.com", "--password",
                                     PASSWORD], capture_output=True, text=True, env=server.env(), timeout=60)
            if signin.returncode != 0:
                process.kill()
                raise AssertionError(prompt + signin.stdout + signin.stderr)
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, prompt + err
    assert "coredns-" in out


def test_state_survives_a_restart(tmp_path: Path) -> None:
    server, s = start_seeded(tmp_path / "data")
    try:
        banner = server.banner_value("Subscription:")
        arm = Arm(server, user_token(server, s.tenant_id))
        make_group(arm, s, "keepRG")
        path = cluster_path(s, "keepRG", "kept")
        arm.wait(arm.put(path, cluster_body(aadProfile={"managed": True})))
    finally:
        server.stop()
    again = LiveServer.start(tmp_path / "data", env={"AKSLOCAL_OPERATION_DELAY": "600"})
    try:
        assert again.banner_value("Subscription:") == banner == s.subscription_id
        arm = Arm(again, user_token(again, s.tenant_id))
        shown = arm.get(path).json()
        assert shown["properties"]["provisioningState"] == "Succeeded"
        assert shown["properties"]["aadProfile"]["managed"] is True
        admin = decode(arm.post(path + "/listClusterAdminCredential"))
        assert admin["clusters"][0]["cluster"]["server"].startswith(again.url + "/clusters/")
        assert kubectl(again, admin, tmp_path, "get", "nodes").returncode == 0
        # An operation in progress when the server stops is still in progress after the restart, then ends.
        deleting = arm.delete(path)
        assert deleting.status_code == 202
    finally:
        again.stop()
    third = LiveServer.start(tmp_path / "data", env={"AKSLOCAL_OPERATION_DELAY": "600"})
    try:
        arm = Arm(third, user_token(third, s.tenant_id))
        assert arm.get(path).json()["properties"]["provisioningState"] == "Deleting"
        control_key(third.data_dir)  # the key file is made on first use; make sure it exists
        third.advance_clock(601)
        assert arm.get(path).status_code == 404
    finally:
        third.stop()
