"""azlocal beside the unmodified az CLI 2.91 against one live akslocal: same commands (today's syntax), same
output fields, same error texts and exit codes (with `az` → `azlocal` in hints)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import ADMIN, PASSWORD, client_for
from tests.support.live import LiveServer
from tests.support.realaz import Az, ensure_az

pytestmark = pytest.mark.slow
CODE = re.compile(r"enter the code ([A-Z0-9]{9}) to authenticate")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):
    az_path = ensure_az()
    root = tmp_path_factory.mktemp("parity")
    server = LiveServer.start(root / "data")
    try:
        home = root / "home"
        home.mkdir()
        config = root / "azcfg"
        subprocess.run([sys.executable, "-m", "akslocal.server.main", "az-config", "--endpoint", server.url,
                        "--data-dir", str(server.data_dir), "--config-dir", str(config)], check=True,
                       capture_output=True)
        az = Az(az_path, server.env(AZURE_CONFIG_DIR=str(config), HOME=str(home), AZURE_CORE_NO_COLOR="true",
                                     AZURE_CORE_COLLECT_TELEMETRY="false", KUBECONFIG=str(home / "kubeconfig"),
                                     PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin"))
        process = subprocess.Popen([str(az.executable), "login", "--use-device-code"], env=az.env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while line := process.stderr.readline():
            if match := CODE.search(line):
                subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code",
                                match.group(1), "--username", ADMIN, "--password", PASSWORD], check=True,
                               capture_output=True, env=server.env(), timeout=60)
                break
        process.communicate(timeout=120)
        assert process.returncode == 0
        azlocal = client_for(server, root / "azlocal-home")
        (root / "azlocal-home").mkdir()
        azlocal("login", "-u", ADMIN, "-p", PASSWORD, "-o", "none", "--only-show-errors")
        yield az, azlocal
    finally:
        server.stop()


def run_both(both, *args: str):
    az, azlocal = both
    return az(*args, check=False), azlocal(*args, check=False)


def test_app_create_prints_at_least_az_fields(both) -> None:
    az, azlocal = both
    real = json.loads(az("ad", "app", "create", "--display-name", "parity-a", "--identifier-uris",
                         "api://parity-a").stdout)
    ours = azlocal.json("ad", "app", "create", "--display-name", "parity-b", "--identifier-uris", "api://parity-b")
    assert set(real) <= set(ours), set(real) - set(ours)
    assert real["api"].keys() <= ours["api"].keys()


def test_sp_credential_reset_same_fields_and_warning(both) -> None:
    _, azlocal = both
    app_id = azlocal("ad", "app", "create", "--display-name", "parity-sp", "--query", "appId", "-o",
                     "tsv").stdout.strip()
    azlocal("ad", "sp", "create", "--id", app_id, "-o", "none")
    real, ours = run_both(both, "ad", "sp", "credential", "reset", "--id", app_id)
    assert sorted(json.loads(real.stdout)) == sorted(json.loads(ours.stdout))
    assert real.stderr.strip() == ours.stderr.strip()


def test_group_create_same_output(both) -> None:
    az, azlocal = both
    azlocal("group", "create", "-n", "parityC", "-l", "eastus", "-o", "none")
    real = json.loads(az("group", "create", "-n", "parityA", "-l", "eastus").stdout)
    ours = azlocal.json("group", "create", "-n", "parityB", "-l", "eastus")
    for item in (real, ours):
        item.pop("id"), item.pop("name")
    assert real == ours


def test_aks_show_uses_az_field_names(both) -> None:
    az, azlocal = both
    azlocal("group", "create", "-n", "parityC", "-l", "eastus", "-o", "none")
    azlocal("aks", "create", "-g", "parityC", "-n", "pc", "--node-count", "1", "--no-ssh-key", "--enable-aad",
            "-o", "none")
    real = json.loads(az("aks", "show", "-g", "parityC", "-n", "pc").stdout)
    ours = azlocal.json("aks", "show", "-g", "parityC", "-n", "pc")
    assert set(ours) - set(real) == set(), "azlocal invents fields az does not print"
    # the seed's FAQ (an older SDK) also prints adminUsers: null, which today's az dropped; azlocal keeps it
    assert ours["aadProfile"].pop("adminUsers") is None
    assert ours["aadProfile"] == real["aadProfile"]
    assert ours["agentPoolProfiles"][0]["count"] == real["agentPoolProfiles"][0]["count"]


@pytest.mark.parametrize("args", [
    pytest.param(["ad", "app", "show", "--id", "11111111-2222-3333-4444-555555555555"], id="app-not-found"),
    pytest.param(["ad", "sp", "show", "--id", "https://nope"], id="sp-not-found"),
    pytest.param(["ad", "app", "show", "--id", "x", "--bogus", "1"], id="unknown-flag"),
    pytest.param(["ad", "app", "create"], id="missing-argument"),
    pytest.param(["account", "show", "--query", "foo["], id="bad-query"),
    pytest.param(["group", "show", "-n", "nope"], id="group-not-found"),
    pytest.param(["aks", "show", "-g", "parityC", "-n", "nope"], id="cluster-not-found"),
])
def test_errors_and_exit_codes_match(both, args: list[str]) -> None:
    real, ours = run_both(both, *args)
    assert ours.returncode == real.returncode, (real.stderr, ours.stderr)
    first = real.stderr.strip().splitlines()[0]
    assert ours.stderr.strip().splitlines()[0] == first.replace("az ", "azlocal ")


@pytest.mark.parametrize("args", [
    pytest.param(["account", "show"], id="account-show"),
    pytest.param(["account", "get-access-token"], id="get-access-token"),
    pytest.param(["ad", "signed-in-user", "show"], id="signed-in-user"),
    pytest.param(["group", "list"], id="group-list"),
])
def test_same_output_fields(both, args: list[str]) -> None:
    real, ours = run_both(both, *args)
    assert real.returncode == ours.returncode == 0, (real.stderr, ours.stderr)
    real_out, our_out = json.loads(real.stdout), json.loads(ours.stdout)
    if isinstance(real_out, list):
        real_out, our_out = real_out[0], our_out[0]
    assert set(real_out) <= set(our_out), set(real_out) - set(our_out)


def test_permission_add_and_grant_messages(both) -> None:
    _, azlocal = both
    app_id = azlocal("ad", "app", "create", "--display-name", "parity-perm", "--query", "appId", "-o",
                     "tsv").stdout.strip()
    azlocal("ad", "sp", "create", "--id", app_id, "-o", "none")
    real, ours = run_both(both, "ad", "app", "permission", "add", "--id", app_id, "--api",
                          "00000003-0000-0000-c000-000000000000", "--api-permissions",
                          "e1fe6dd8-ba31-4d61-89e7-88639da4683d=Scope")
    assert ours.stderr.strip() == real.stderr.strip().replace("`az ", "`azlocal ")
    real, ours = run_both(both, "ad", "app", "permission", "grant", "--id", app_id, "--api",
                          "00000003-0000-0000-c000-000000000000", "--scope", "User.Read")
    assert sorted(json.loads(real.stdout)) == sorted(set(json.loads(ours.stdout)) - {"objectId"})


def test_get_credentials_message_and_file(both, tmp_path: Path) -> None:
    _, azlocal = both
    azlocal("group", "create", "-n", "parityC", "-l", "eastus", "-o", "none")
    azlocal("aks", "create", "-g", "parityC", "-n", "kc", "--node-count", "1", "--no-ssh-key", "-o", "none")
    real, ours = run_both(both, "aks", "get-credentials", "-g", "parityC", "-n", "kc", "--admin", "-f",
                          str(tmp_path / "config"))
    assert real.returncode == ours.returncode == 0
    assert ours.stderr == real.stderr  # the second merge of an identical entry is silent, as the first


@pytest.mark.parametrize("args", [
    pytest.param(["group", "list", "--query", "[?name=='parityC']"], id="group-list"),
    pytest.param(["aks", "list", "-g", "parityC"], id="aks-list"),
])
def test_same_table_headers(both, args: list[str]) -> None:
    _, azlocal = both
    azlocal("group", "create", "-n", "parityC", "-l", "eastus", "-o", "none")
    if not azlocal.json("aks", "list", "-g", "parityC"):
        azlocal("aks", "create", "-g", "parityC", "-n", "tbl", "--node-count", "1", "--no-ssh-key", "-o", "none")
    real, ours = run_both(both, *args, "-o", "table")
    assert real.returncode == ours.returncode == 0, (real.stderr, ours.stderr)
    assert real.stdout.strip()
    assert ours.stdout.splitlines()[0].split() == real.stdout.splitlines()[0].split()


def test_sp_create_and_role_assignment_fields(both) -> None:
    az, azlocal = both
    azlocal("group", "create", "-n", "parityC", "-l", "eastus", "-o", "none")
    first = azlocal("ad", "app", "create", "--display-name", "parity-r1", "--query", "appId", "-o", "tsv")
    second = azlocal("ad", "app", "create", "--display-name", "parity-r2", "--query", "appId", "-o", "tsv")
    real_sp = json.loads(az("ad", "sp", "create", "--id", first.stdout.strip()).stdout)
    our_sp = azlocal.json("ad", "sp", "create", "--id", second.stdout.strip())
    assert set(real_sp) <= set(our_sp)
    scope = azlocal("group", "show", "-n", "parityC", "--query", "id", "-o", "tsv").stdout.strip()
    real = json.loads(az("role", "assignment", "create", "--assignee", first.stdout.strip(), "--role", "Reader",
                         "--scope", scope).stdout)
    ours = azlocal.json("role", "assignment", "create", "--assignee", second.stdout.strip(), "--role", "Reader",
                        "--scope", scope)
    assert set(real) == set(ours), set(real) ^ set(ours)
    assert real["principalType"] == ours["principalType"] == "ServicePrincipal"
    real_list = json.loads(az("role", "assignment", "list", "-g", "parityC").stdout)
    our_list = azlocal.json("role", "assignment", "list", "-g", "parityC")
    assert set(real_list[0]) <= set(our_list[0]), set(real_list[0]) - set(our_list[0])


def test_directory_objects_and_membership(both) -> None:
    az, azlocal = both
    real_user = json.loads(az("ad", "user", "create", "--display-name", "Pat", "--user-principal-name",
                              "pat@akslocal.onmicrosoft.com", "--password", "P4t-Passw0rd!x").stdout)
    our_user = azlocal.json("ad", "user", "create", "--display-name", "Sam", "--user-principal-name",
                            "sam@akslocal.onmicrosoft.com", "--password", "S4m-Passw0rd!x")
    assert set(real_user) <= set(our_user)
    real_group = json.loads(az("ad", "group", "create", "--display-name", "pg1", "--mail-nickname", "pg1").stdout)
    our_group = azlocal.json("ad", "group", "create", "--display-name", "pg2", "--mail-nickname", "pg2")
    assert set(real_group) <= set(our_group)
    for cli, group in ((az, "pg1"), (azlocal, "pg2")):
        result = cli("ad", "group", "member", "add", "--group", group, "--member-id", our_user["id"])
        assert result.stdout == ""
    real, ours = run_both(both, "ad", "group", "member", "check", "--group", "pg1", "--member-id", our_user["id"])
    assert json.loads(real.stdout) == json.loads(ours.stdout) == {"value": True}
    real, ours = run_both(both, "ad", "group", "member", "list", "--group", "pg2", "--query", "[].id", "-o", "tsv")
    assert real.stdout == ours.stdout
    real, ours = run_both(both, "group", "exists", "-n", "no-such-group")
    assert real.stdout == ours.stdout and real.returncode == ours.returncode


def test_app_show_and_update_match(both) -> None:
    _, azlocal = both
    app_id = azlocal("ad", "app", "create", "--display-name", "parity-show", "--query", "appId", "-o",
                     "tsv").stdout.strip()
    real, ours = run_both(both, "ad", "app", "update", "--id", app_id, "--set", "groupMembershipClaims=All")
    assert real.returncode == ours.returncode == 0 and real.stdout == ours.stdout == ""
    real, ours = run_both(both, "ad", "app", "show", "--id", app_id)
    real_app, our_app = json.loads(real.stdout), json.loads(ours.stdout)
    assert set(real_app) <= set(our_app)
    assert real_app["groupMembershipClaims"] == our_app["groupMembershipClaims"] == "All"
