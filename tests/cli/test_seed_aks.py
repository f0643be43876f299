"""Every az command of the seed document, verbatim (az → azlocal), against a fresh live akslocal: the Entra
steps, the resource group, the legacy-Entra cluster, admin and user kubeconfigs, and the FAQ's aadProfile query."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import ADMIN, PASSWORD, client_for
from tests.cli.seedrun import GUID, az_commands, run_steps
from tests.support.live import LiveServer

FAQ = 'az aks show -g <RGName> -n <ClusterName> --query "aadProfile"'


@pytest.fixture(scope="module")
def seed(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("seed-home")
    az = client_for(live_server, home)
    az("login", "-u", ADMIN, "-p", PASSWORD, "-o", "none", "--only-show-errors")
    faq = FAQ.replace("<RGName>", "myResourceGroup").replace("<ClusterName>", "$aksname")
    steps, values = run_steps(az, [*az_commands(), faq], tmp_path_factory.mktemp("seed-steps"))
    return az, home, steps, values


def step(steps, prefix: str):
    return next(s for s in steps if s.command.startswith(prefix))


def test_every_az_command_of_the_seed_ran(seed) -> None:
    _, _, steps, _ = seed
    commands = [s.command for s in steps]
    assert commands[:-1] == az_commands()
    assert any(c.startswith("az aks create") and "--aad-server-app-secret $serverApplicationSecret" in c
               for c in commands)


def test_resource_group_output(seed) -> None:
    _, _, steps, _ = seed
    group = json.loads(step(steps, "az group create").stdout)
    assert group["name"] == "myResourceGroup"
    assert group["location"] == "eastus"
    assert group["properties"] == {"provisioningState": "Succeeded"}
    assert group["type"] == "Microsoft.Resources/resourceGroups"


def test_tenant_id_is_the_accounts(seed, live_server: LiveServer) -> None:
    _, _, _, values = seed
    assert values["tenantId"] == live_server.banner_value("Tenant:")


def test_the_cluster_was_created_with_the_legacy_aad_profile(seed) -> None:
    _, _, steps, values = seed
    cluster = json.loads(step(steps, "az aks create").stdout)
    assert cluster["provisioningState"] == "Succeeded"
    assert cluster["name"] == "myakscluster" and cluster["resourceGroup"] == "myResourceGroup"
    assert cluster["agentPoolProfiles"][0]["count"] == 1
    assert cluster["enableRbac"] is True
    assert cluster["aadProfile"]["serverAppId"] == values["serverApplicationId"]
    assert cluster["aadProfile"]["clientAppId"] == values["clientApplicationId"]
    assert cluster["aadProfile"]["tenantId"] == values["tenantId"]
    assert cluster["aadProfile"]["serverAppSecret"] in (None, "")  # write-only
    assert cluster["linuxProfile"]["ssh"]["publicKeys"][0]["keyData"].startswith("ssh-rsa ")


def test_generate_ssh_keys_wrote_a_key_pair(seed) -> None:
    _, home, steps, _ = seed
    private, public = home / ".ssh" / "id_rsa", home / ".ssh" / "id_rsa.pub"
    assert public.read_text().startswith("ssh-rsa ")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "SSH key files" in step(steps, "az aks create").stderr


def test_get_credentials_merged_admin_then_user_contexts(seed) -> None:
    _, home, steps, _ = seed
    path = home / ".kube" / "config"
    admin_step = step(steps, "az aks get-credentials --resource-group myResourceGroup --name $aksname --admin")
    user_step = step(steps, "az aks get-credentials --resource-group myResourceGroup --name $aksname "
                            "--overwrite-existing")
    assert f'Merged "myakscluster-admin" as current context in {path}' in admin_step.stderr
    assert f'Merged "myakscluster" as current context in {path}' in user_step.stderr
    config = yaml.safe_load(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config["current-context"] == "myakscluster"
    contexts = {c["name"]: c["context"] for c in config["contexts"]}
    assert contexts["myakscluster-admin"]["user"] == "clusterAdmin_myResourceGroup_myakscluster"
    assert contexts["myakscluster"]["user"] == "clusterUser_myResourceGroup_myakscluster"
    users = {u["name"]: u["user"] for u in config["users"]}
    assert "client-certificate-data" in users["clusterAdmin_myResourceGroup_myakscluster"]
    exec_ = users["clusterUser_myResourceGroup_myakscluster"]["exec"]
    assert exec_["command"] == "akslocal-kubelogin"
    assert "--legacy" in exec_["args"]


def test_signed_in_user_is_the_admin(seed) -> None:
    _, _, steps, _ = seed
    assert step(steps, "az ad signed-in-user show").stdout == ADMIN + "\n"


def test_faq_aad_profile_query_shows_the_sdk_shape(seed) -> None:
    _, _, steps, values = seed
    profile = json.loads(steps[-1].stdout)
    assert sorted(profile) == ["adminGroupObjectIDs", "adminUsers", "clientAppId", "enableAzureRbac", "managed",
                               "serverAppId", "serverAppSecret", "tenantId"]
    assert profile["managed"] in (None, False)
    assert profile["serverAppId"] == values["serverApplicationId"]


def test_the_admin_kubeconfig_reaches_the_cluster(seed) -> None:
    _, home, _, _ = seed
    import ssl

    import httpx

    config = yaml.safe_load((home / ".kube" / "config").read_text())
    cluster = config["clusters"][0]["cluster"]
    admin = next(u["user"] for u in config["users"] if u["name"].startswith("clusterAdmin"))
    ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
    context = ssl.create_default_context(cadata=ca)
    token = admin.get("token")
    if token is None:
        pytest.skip("the admin kubeconfig carries no token")
    response = httpx.get(cluster["server"] + "/api/v1/namespaces", headers={"Authorization": f"Bearer {token}"},
                         verify=context)
    assert response.status_code == 200, response.text


def test_list_show_table_and_not_found(seed) -> None:
    az, _, _, _ = seed
    table = az("aks", "list", "-o", "table").stdout.splitlines()
    assert table[0].split() == ["Name", "Location", "ResourceGroup", "KubernetesVersion", "CurrentKubernetesVersion",
                                "ProvisioningState", "Fqdn"]
    assert table[2].split()[:3] == ["myakscluster", "eastus", "myResourceGroup"]
    missing = az("aks", "show", "-g", "myResourceGroup", "-n", "nope", check=False)
    assert (missing.returncode == 3 and missing.stderr.startswith("ERROR: (ResourceNotFound)")) or \
        missing.stderr.startswith("ERROR: (")
    assert az("group", "show", "-n", "nope", check=False).returncode == 3


def test_get_credentials_to_stdout_and_a_conflict_without_overwrite(seed, tmp_path: Path) -> None:
    az, _, _, _ = seed
    printed = az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "myakscluster", "--file", "-").stdout
    assert yaml.safe_load(printed)["users"][0]["name"] == "clusterUser_myResourceGroup_myakscluster"
    target = tmp_path / "kc"
    changed = yaml.safe_load(printed)
    changed["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1/other"
    target.write_text(yaml.safe_dump(changed))
    os.chmod(target, 0o600)
    conflict = az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "myakscluster", "-f", str(target),
                  check=False)
    assert conflict.returncode == 1
    assert "ERROR: A different object named myakscluster already exists in clusters in your kubeconfig file." \
        in conflict.stderr
    az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "myakscluster", "-f", str(target),
       "--overwrite-existing", "--context", "renamed")
    merged = yaml.safe_load(target.read_text())
    assert merged["current-context"] == "renamed"


def test_ids_are_guids(seed) -> None:
    _, _, _, values = seed
    for name in ("serverApplicationId", "clientApplicationId", "oAuthPermissionId", "tenantId"):
        assert GUID.match(values[name]), (name, values[name])


def test_reset_aad_with_new_legacy_apps(seed) -> None:
    az, _, _, values = seed
    server = az("ad", "app", "create", "--display-name", "myaksclusterServer2", "--identifier-uris",
                "https://myaksclusterServer2", "--query", "appId", "-o", "tsv").stdout.strip()
    az("ad", "sp", "create", "--id", server, "-o", "none")
    secret = az("ad", "sp", "credential", "reset", "--id", server, "--query", "password", "-o", "tsv",
                "--only-show-errors").stdout.strip()
    result = az("aks", "update-credentials", "-g", "myResourceGroup", "-n", "myakscluster", "--reset-aad",
                "--aad-server-app-id", server, "--aad-server-app-secret", secret, "--aad-client-app-id",
                values["clientApplicationId"], "--aad-tenant-id", values["tenantId"])
    assert result.stdout == ""
    profile = az.json("aks", "show", "-g", "myResourceGroup", "-n", "myakscluster", "--query", "aadProfile")
    assert profile["serverAppId"] == server
    assert profile["clientAppId"] == values["clientApplicationId"]
    usage = az("aks", "update-credentials", "-g", "myResourceGroup", "-n", "myakscluster", "--reset-aad",
               check=False)
    assert usage.returncode == 2


@pytest.mark.slow
def test_migration_to_managed_entra_id(seed) -> None:
    az, _, _, _ = seed
    group = az.json("ad", "group", "create", "--display-name", "aks-admins-m", "--mail-nickname", "aksadminsm")
    updated = az.json("aks", "update", "-g", "myResourceGroup", "-n", "myakscluster", "--enable-aad",
                      "--aad-admin-group-object-ids", group["id"])
    assert updated["aadProfile"]["managed"] is True
    assert updated["aadProfile"]["adminGroupObjectIDs"] == [group["id"]]
    assert updated["aadProfile"]["serverAppId"] is None
    again = az("aks", "update", "-g", "myResourceGroup", "-n", "myakscluster", "--enable-aad", check=False)
    assert again.returncode == 2
    assert 'Cannot specify "--enable-aad" if managed AAD is already enabled' in again.stderr
