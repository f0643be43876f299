"""azlocal's Resource Manager commands against a live akslocal: today's managed Entra ID cluster, role
assignments, deletes (confirmation, --no-wait), az's progress indicator on a terminal, install-cli."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cli.support import AzLocal

RG = "armGroup"


@pytest.fixture(scope="module")
def az(admin_cli: AzLocal) -> AzLocal:
    admin_cli("group", "create", "-n", RG, "-l", "westeurope", "-o", "none")
    return admin_cli


def test_managed_entra_cluster_in_todays_syntax(az: AzLocal, tmp_path: Path) -> None:
    group = az.json("ad", "group", "create", "--display-name", "cluster-admins", "--mail-nickname", "cadmins")
    cluster = az.json("aks", "create", "-g", RG, "-n", "managed", "--enable-aad", "--aad-admin-group-object-ids",
                      group["id"], "--enable-azure-rbac", "--disable-local-accounts", "--node-count", "2",
                      "--no-ssh-key", "--only-show-errors")
    assert cluster["location"] == "westeurope"  # the group's
    assert cluster["aadProfile"]["managed"] is True
    assert cluster["aadProfile"]["enableAzureRbac"] is True
    assert cluster["aadProfile"]["adminGroupObjectIDs"] == [group["id"]]
    assert cluster["disableLocalAccounts"] is True
    assert cluster["agentPoolProfiles"][0]["count"] == 2
    refused = az("aks", "get-credentials", "-g", RG, "-n", "managed", "--admin", "-f", str(tmp_path / "kc"),
                 check=False)
    assert refused.returncode == 1
    assert "disable local accounts" in refused.stderr
    az("aks", "get-credentials", "-g", RG, "-n", "managed", "-f", str(tmp_path / "kc"), "--format", "exec")
    user = yaml.safe_load((tmp_path / "kc").read_text())["users"][0]["user"]["exec"]
    assert user["command"] == "akslocal-kubelogin"
    assert "6dae42f8-4368-4678-94ff-3960e28e3630" in user["args"]
    assert "--legacy" not in user["args"]


def test_legacy_flags_on_update_are_refused(az: AzLocal) -> None:
    result = az("aks", "update", "-g", RG, "-n", "managed", check=False)
    assert result.returncode == 2
    assert "Please specify one or more of" in result.stderr


def test_role_assignment_for_a_service_principal(az: AzLocal) -> None:
    app_id = az("ad", "app", "create", "--display-name", "deployer", "--query", "appId", "-o", "tsv").stdout.strip()
    az("ad", "sp", "create", "--id", app_id, "-o", "none")
    created = az.json("role", "assignment", "create", "--assignee", app_id, "--role", "Contributor", "-g", RG)
    assert created["principalType"] == "ServicePrincipal"
    assert created["scope"].endswith(f"/resourceGroups/{RG}")
    listed = az.json("role", "assignment", "list", "-g", RG, "--assignee", app_id)
    assert [(a["roleDefinitionName"], a["principalName"]) for a in listed] == [("Contributor", app_id)]
    assert az("role", "assignment", "create", "--assignee", app_id, "--role", "NoSuchRole",
              check=False).stderr.strip() == "ERROR: Role 'NoSuchRole' doesn't exist."
    az("role", "assignment", "delete", "--assignee", app_id, "-g", RG)
    assert az.json("role", "assignment", "list", "-g", RG, "--assignee", app_id) == []


def test_delete_needs_yes_without_a_terminal(az: AzLocal) -> None:
    result = az("group", "delete", "-n", RG, check=False)
    assert result.returncode == 1
    assert "Unable to prompt for confirmation as no tty available. Use --yes." in result.stderr
    assert "ERROR: Operation cancelled." in result.stderr
    assert az("group", "exists", "-n", RG).stdout.strip() == "true"


def test_aks_delete_no_wait_returns_at_once_and_the_cluster_goes(az: AzLocal) -> None:
    az("aks", "create", "-g", RG, "-n", "shortlived", "--node-count", "1", "--no-ssh-key", "--no-wait")
    az("aks", "delete", "-g", RG, "-n", "shortlived", "--yes")
    result = az("aks", "show", "-g", RG, "-n", "shortlived", check=False)
    assert result.returncode == 3


def test_progress_is_shown_on_a_terminal_only(az: AzLocal) -> None:
    parent, child = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "akslocal.cli.main", "aks", "create", "-g", RG, "-n",
                                    "ttycluster", "--node-count", "1", "--no-ssh-key", "-o", "none"],
                                   env=az.environment(), stdout=subprocess.PIPE, stderr=child, text=True)
        os.close(child)
        child = -1
        chunks = []
        while True:
            try:
                data = os.read(parent, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert process.wait(120) == 0
    finally:
        os.close(parent)
        if child != -1:
            os.close(child)
    terminal = b"".join(chunks).decode()
    assert "- Running .." in terminal, terminal
    quiet = az("aks", "delete", "-g", RG, "-n", "ttycluster", "--yes")
    assert "Running" not in quiet.stderr


def test_group_delete_with_yes(az: AzLocal) -> None:
    az("group", "create", "-n", "scratch", "-l", "eastus", "-o", "none")
    az("group", "delete", "-n", "scratch", "--yes")
    assert az("group", "exists", "-n", "scratch").stdout.strip() == "false"


def test_install_cli_checks_the_path(az: AzLocal) -> None:
    ok = az.shell("azlocal aks install-cli")
    assert "kubectl and akslocal-kubelogin are installed." in ok.stderr
    missing = az.shell(f"PATH={Path(sys.executable).parent}:/nonexistent azlocal aks install-cli", check=False)
    assert missing.returncode == 1
    assert "ERROR: kubectl is not on PATH" in missing.stderr


def test_get_versions(az: AzLocal) -> None:
    versions = az.json("aks", "get-versions", "-l", "eastus")
    assert any(v.get("isDefault") for v in versions["values"])
