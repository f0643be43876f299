"""The unmodified Azure CLI (tests/support/realaz.py) driving ARM: versions, role assignments, a legacy
cluster made with `az rest`, its credentials, migration with `az aks update --enable-aad`, local accounts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.arm.live import start_seeded
from tests.arm.seed import ADMIN, ADMIN_PASSWORD
from tests.support.realaz import Az, ensure_az

pytestmark = pytest.mark.slow
CODE = re.compile(r"enter the code ([A-Z0-9]{9}) to authenticate")
SSH = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 azureuser@akslocal"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    az_path = ensure_az()
    root = tmp_path_factory.mktemp("armaz")
    server, s = start_seeded(root / "data")
    home, config = root / "home", root / "azcfg"
    home.mkdir()
    subprocess.run([sys.executable, "-m", "akslocal.server.main", "az-config", "--endpoint", server.url,
                    "--data-dir", str(server.data_dir), "--config-dir", str(config)], check=True, capture_output=True)
    az = Az(az_path, server.env(AZURE_CONFIG_DIR=str(config), HOME=str(home), AZURE_CORE_COLLECT_TELEMETRY="false",
                                 AZURE_CORE_NO_COLOR="true", KUBECONFIG=str(home / "kubeconfig"),
                                 PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin"))
    try:
        process = subprocess.Popen([str(az.executable), "login", "--use-device-code", "--tenant", s.tenant_id],
                                   env=az.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while (line := process.stderr.readline()):
            if match := CODE.search(line):
                subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code", match.group(1),
                                "--username", ADMIN, "--password", ADMIN_PASSWORD], check=True, capture_output=True,
                               env=server.env(), timeout=60)
                break
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        az("group", "create", "-n", "azRG", "-l", "eastus")
        yield server, s, az, root
    finally:
        server.stop()


def kubeconfig(az: Az, root: Path, *extra: str) -> dict:
    path = root / f"kc-{len(list(root.iterdir()))}"
    az("aks", "get-credentials", "-g", "azRG", "-n", "legacy1", "--file", str(path), *extra)
    return yaml.safe_load(path.read_text())


def test_get_versions(env) -> None:
    _, _, az, _ = env
    out = json.loads(az("aks", "get-versions", "-l", "eastus").stdout)
    assert {v["version"] for v in out["values"]} >= {"1.30", "1.31", "1.32"}


def test_role_assignment_create_as_az_sends_it(env) -> None:
    _, s, az, _ = env
    scope = f"/subscriptions/{s.subscription_id}/resourceGroups/azRG"
    made = json.loads(az("role", "assignment", "create", "--assignee-object-id", s.robot_sp_id,
                         "--assignee-principal-type", "ServicePrincipal", "--role", "Contributor", "--scope",
                         scope).stdout)
    assert made["principalId"] == s.robot_sp_id and made["scope"] == scope
    assert made["roleDefinitionId"].endswith("b24988ac-6180-42a0-ab88-20f7382dd24c")
    listed = json.loads(az("role", "assignment", "list", "--scope", scope).stdout)
    assert [a["principalId"] for a in listed] == [s.robot_sp_id]


def test_legacy_cluster_by_az_rest_then_migration_by_az_aks_update(env) -> None:
    server, s, az, root = env
    url = (f"{server.url}/subscriptions/{s.subscription_id}/resourceGroups/azRG/providers/"
           "Microsoft.ContainerService/managedClusters/legacy1?api-version=2025-07-01")
    body = {"location": "eastus", "properties": {
        "dnsPrefix": "legacy1", "enableRBAC": True,
        "agentPoolProfiles": [{"name": "nodepool1", "count": 1, "mode": "System", "vmSize": "Standard_DS2_v2"}],
        "linuxProfile": {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": SSH}]}},
        "aadProfile": {"clientAppID": s.client_app_id, "serverAppID": s.server_app_id,
                       "serverAppSecret": s.server_secret, "tenantID": s.tenant_id}}}
    az("rest", "--method", "put", "--url", url, "--body", json.dumps(body))
    profile = json.loads(az("aks", "show", "-g", "azRG", "-n", "legacy1", "--query", "aadProfile").stdout)
    values = {k.lower(): v for k, v in profile.items()}
    assert values["serverappid"] == s.server_app_id and values["serverappsecret"] is None
    assert not values.get("managed")
    args = kubeconfig(az, root)["users"][0]["user"]["exec"]["args"]
    assert "--legacy" in args and args[args.index("--server-id") + 1] == s.server_app_id
    pools = json.loads(az("aks", "nodepool", "list", "-g", "azRG", "--cluster-name", "legacy1").stdout)
    assert [p["name"] for p in pools] == ["nodepool1"] and pools[0]["count"] == 1
    upgrades = json.loads(az("aks", "get-upgrades", "-g", "azRG", "-n", "legacy1").stdout)
    assert upgrades["controlPlaneProfile"]["kubernetesVersion"].startswith("1.32.")

    az("aks", "update", "-g", "azRG", "-n", "legacy1", "--enable-aad", "--aad-admin-group-object-ids", s.group_id,
       timeout=300)
    profile = json.loads(az("aks", "show", "-g", "azRG", "-n", "legacy1", "--query", "aadProfile").stdout)
    values = {k.lower(): v for k, v in profile.items()}
    assert values["managed"] is True and values["admingroupobjectids"] == [s.group_id]
    assert values["serverappid"] is None and values["clientappid"] is None
    config = kubeconfig(az, root, "--overwrite-existing")
    args = config["users"][0]["user"]["exec"]["args"]
    assert "--legacy" not in args and args[args.index("--server-id") + 1] == "6dae42f8-4368-4678-94ff-3960e28e3630"
    assert config["users"][0]["name"] == "clusterUser_azRG_legacy1"


def test_disable_local_accounts_then_admin_credentials_fail(env) -> None:
    _, _, az, root = env
    az("aks", "update", "-g", "azRG", "-n", "legacy1", "--disable-local-accounts", timeout=300)
    result = az("aks", "get-credentials", "-g", "azRG", "-n", "legacy1", "--admin", "--file", str(root / "adm"),
                check=False)
    assert result.returncode != 0
    assert "Getting static credential is not allowed because this cluster is set to disable local accounts" in (
        result.stderr)


def test_delete_cluster_and_group(env) -> None:
    _, _, az, _ = env
    az("aks", "delete", "-g", "azRG", "-n", "legacy1", "--yes", timeout=300)
    assert json.loads(az("aks", "list", "-g", "azRG").stdout) == []
    az("group", "delete", "-n", "azRG", "--yes", timeout=300)
    assert az("group", "exists", "-n", "azRG").stdout.strip() == "false"
