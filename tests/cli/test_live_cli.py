"""azlocal against a live akslocal: sign-in flows, output formats, not-found and permission errors, users and groups."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import ADMIN, PASSWORD, client_for
from tests.cli.support import AzLocal
from tests.support.live import LiveServer

BOB, BOB_PASSWORD = "bob@akslocal.onmicrosoft.com", "B0b-Passw0rd!x"
GRAPH = "00000003-0000-0000-c000-000000000000"


@pytest.fixture(scope="module")
def bob(admin_cli: AzLocal, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> AzLocal:
    admin_cli("ad", "user", "create", "--display-name", "Bob", "--user-principal-name", BOB, "--password",
              BOB_PASSWORD, "-o", "none")
    az = client_for(live_server, tmp_path_factory.mktemp("bob-home"))
    az("login", "-u", BOB, "-p", BOB_PASSWORD, "--allow-no-subscriptions", "-o", "none")
    return az


def test_account_show_after_password_login(admin_cli: AzLocal, live_server: LiveServer) -> None:
    account = admin_cli.json("account", "show")
    assert account["tenantId"] == live_server.banner_value("Tenant:")
    assert account["user"] == {"name": ADMIN, "type": "user"}
    assert account["isDefault"] is True
    assert admin_cli("account", "show", "--query", "tenantId", "-o", "tsv").stdout.strip() == account["tenantId"]


def test_get_access_token_for_graph_and_arm(admin_cli: AzLocal) -> None:
    import jwt

    graph = admin_cli.json("account", "get-access-token", "--resource", "https://graph.microsoft.com")
    arm = admin_cli.json("account", "get-access-token")
    assert graph["tokenType"] == "Bearer" and isinstance(graph["expires_on"], int)
    assert jwt.decode(graph["accessToken"], options={"verify_signature": False})["aud"].startswith(
        "https://graph.microsoft.com")
    claims = jwt.decode(arm["accessToken"], options={"verify_signature": False})
    assert claims["aud"] == "https://management.core.windows.net/"
    assert claims["upn"] == ADMIN


def test_output_formats(admin_cli: AzLocal) -> None:
    table = admin_cli("ad", "signed-in-user", "show", "-o", "table").stdout.splitlines()
    assert "UserPrincipalName" in table[0] and set(table[1]) <= {"-", " "}
    assert ADMIN in table[2]
    tsv = admin_cli("ad", "signed-in-user", "show", "--query", "[userPrincipalName, objectId]", "-o", "tsv").stdout
    upn, object_id = tsv.splitlines()
    assert upn == ADMIN and re.match(r"^[0-9a-f-]{36}$", object_id)
    shown = yaml.safe_load(admin_cli("ad", "signed-in-user", "show", "-o", "yaml").stdout)
    assert shown["userPrincipalName"] == ADMIN and shown["objectId"] == shown["id"]
    assert admin_cli("ad", "signed-in-user", "show", "-o", "none").stdout == ""
    jsonc = re.sub(r"\x1b\[[0-9;]*m", "", admin_cli("ad", "signed-in-user", "show", "-o", "jsonc").stdout)
    assert json.loads(jsonc)["id"] == object_id


def test_a_query_error_at_run_time_is_az_message(admin_cli: AzLocal) -> None:
    result = admin_cli("ad", "signed-in-user", "show", "--query", "abs(userPrincipalName)", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR: Invalid jmespath query supplied for `--query`: In function abs()")


@pytest.mark.parametrize("args", [
    pytest.param(["ad", "app", "show", "--id", "11111111-2222-3333-4444-555555555555"], id="app-by-guid"),
    pytest.param(["ad", "app", "show", "--id", "https://nope"], id="app-by-identifier-uri"),
    pytest.param(["ad", "sp", "show", "--id", "https://nope"], id="sp"),
    pytest.param(["ad", "user", "show", "--id", "nobody@akslocal.onmicrosoft.com"], id="user"),
    pytest.param(["ad", "group", "show", "--group", "no-such-group"], id="group"),
])
def test_not_found_exits_3(admin_cli: AzLocal, args: list[str]) -> None:
    result = admin_cli(*args, check=False)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("ERROR: ")
    assert "Traceback" not in result.stderr


def test_users_groups_and_members(admin_cli: AzLocal, bob: AzLocal) -> None:
    bob_id = admin_cli("ad", "user", "show", "--id", BOB, "--query", "id", "-o", "tsv").stdout.strip()
    group = admin_cli.json("ad", "group", "create", "--display-name", "aks-admins", "--mail-nickname", "aks-admins")
    assert group["objectId"] == group["id"] and group["securityEnabled"] is True
    admin_cli("ad", "group", "member", "add", "--group", "aks-admins", "--member-id", bob_id)
    assert admin_cli.json("ad", "group", "member", "check", "--group", group["id"], "--member-id", bob_id) == \
        {"value": True}
    members = admin_cli.json("ad", "group", "member", "list", "--group", "aks-admins")
    assert [m["userPrincipalName"] for m in members] == [BOB]
    admin_cli("ad", "group", "member", "remove", "--group", "aks-admins", "--member-id", bob_id)
    assert admin_cli.json("ad", "group", "member", "check", "--group", "aks-admins", "--member-id", bob_id) == \
        {"value": False}
    assert BOB in admin_cli("ad", "user", "list", "--query", "[].userPrincipalName", "-o", "tsv").stdout.split()
    admin_cli("ad", "group", "delete", "--group", "aks-admins")
    assert admin_cli("ad", "group", "show", "--group", group["id"], check=False).returncode == 3


@pytest.mark.parametrize("command", [
    pytest.param(["ad", "app", "permission", "grant", "--api", GRAPH], id="grant"),
    pytest.param(["ad", "app", "permission", "admin-consent"], id="admin-consent"),
])
def test_a_user_who_is_not_a_global_administrator_cannot_consent(admin_cli: AzLocal, bob: AzLocal,
                                                                 command: list[str]) -> None:
    app = admin_cli.json("ad", "app", "create", "--display-name", f"consent-{command[3]}")
    admin_cli("ad", "sp", "create", "--id", app["appId"], "-o", "none")
    admin_cli("ad", "app", "permission", "add", "--id", app["appId"], "--api", GRAPH, "--api-permissions",
              "e1fe6dd8-ba31-4d61-89e7-88639da4683d=Scope", "--only-show-errors")
    result = bob(*command, "--id", app["appId"], check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR: Insufficient privileges to complete the operation.")
    assert "needs a Global Administrator" in result.stderr
    assert admin_cli.json("ad", "app", "permission", "list-grants", "--id", app["appId"]) == []


def test_service_principal_login(admin_cli: AzLocal, live_server: LiveServer, tmp_path: Path) -> None:
    app_id = admin_cli("ad", "app", "create", "--display-name", "automation", "--query", "appId", "-o",
                       "tsv").stdout.strip()
    admin_cli("ad", "sp", "create", "--id", app_id, "-o", "none")
    secret = admin_cli("ad", "sp", "credential", "reset", "--id", app_id, "--query", "password", "-o", "tsv",
                       "--only-show-errors").stdout.strip()
    tenant = live_server.banner_value("Tenant:")
    robot = client_for(live_server, tmp_path)
    wrong = robot("login", "--service-principal", "-u", app_id, "-p", "wrong", "--tenant", tenant, check=False)
    assert wrong.returncode == 1 and wrong.stderr.startswith("ERROR: AADSTS")
    robot("login", "--service-principal", "-u", app_id, "-p", secret, "--tenant", tenant,
          "--allow-no-subscriptions", "-o", "none")
    assert robot.json("account", "show")["user"] == {"name": app_id, "type": "servicePrincipal"}
    token = robot.json("account", "get-access-token")
    assert token["tenant"] == tenant
    robot("logout")
    assert robot("account", "show", check=False).stderr.strip() == \
        "ERROR: Please run 'azlocal login' to setup account."
    config = tmp_path / ".akslocal-cli"
    assert secret not in (config / "service_principal_entries.json").read_text()
    cached = json.loads((config / "msal_token_cache.json").read_text())
    assert [t for t in cached.get("AccessToken", {}).values() if t["client_id"] == app_id] == []


def test_device_code_login_prints_entras_message(live_server: LiveServer, tmp_path: Path) -> None:
    az = client_for(live_server, tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "akslocal.cli.main", "login", "--allow-no-subscriptions",
                                "-o", "none"], env=az.environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stderr.readline()
        match = re.match(rf"To sign in, use a web browser to open the page {re.escape(live_server.url)}/devicelogin "
                         r"and enter the code ([A-Z0-9]+) to authenticate\.", line)
        assert match, line
        subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code", match.group(1),
                        "--username", ADMIN, "--password", PASSWORD, "--endpoint", live_server.url,
                        "--ca-bundle", str(live_server.ca_path)], check=True, capture_output=True, timeout=60)
        assert process.wait(60) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert az.json("account", "show")["user"]["name"] == ADMIN
    assert az("ad", "signed-in-user", "show", "--query", "userPrincipalName", "-o", "tsv").stdout.strip() == ADMIN


def test_an_expired_login_asks_to_log_in_again(tmp_path: Path) -> None:
    server = LiveServer.start(tmp_path / "data")
    try:
        az = client_for(server, tmp_path / "home")
        (tmp_path / "home").mkdir()
        az("login", "-u", ADMIN, "-p", PASSWORD, "--allow-no-subscriptions", "-o", "none", "--only-show-errors")
        assert az("ad", "signed-in-user", "show", "-o", "none").returncode == 0
        with server.client() as client:  # the server writes its control key on the first control request
            client.post("/_akslocal/clock", json={})
        server.advance_clock(91 * 86400)  # past the refresh token's 90 days
        time.sleep(1.1)  # the server re-reads its clock offset at most once a second
        result = az("ad", "signed-in-user", "show", check=False)
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith("ERROR: AADSTS"), result.stderr
        assert "Run the command below to authenticate interactively" in result.stderr
        assert result.stderr.rstrip().endswith("azlocal login"), result.stderr
    finally:
        server.stop()


def test_account_list_set_and_logout(live_server: LiveServer, bob: AzLocal, tmp_path: Path) -> None:
    az = client_for(live_server, tmp_path)
    printed = az.json("login", "-u", ADMIN, "-p", PASSWORD, "--only-show-errors")
    assert [a["cloudName"] for a in printed] == ["AzureCloud"]  # az's login output says cloudName,
    assert "environmentName" in az.json("account", "show")  # its profile environmentName
    az("login", "-u", BOB, "-p", BOB_PASSWORD, "--allow-no-subscriptions", "-o", "none", "--only-show-errors")
    accounts = az.json("account", "list")
    assert {a["user"]["name"] for a in accounts} >= {ADMIN, BOB}
    assert [a["user"]["name"] for a in accounts if a["isDefault"]] == [BOB]  # the last login is current
    assert az("ad", "signed-in-user", "show", "--query", "userPrincipalName", "-o", "tsv").stdout.strip() == BOB
    az("logout")
    assert [a["user"]["name"] for a in az.json("account", "list")] == [ADMIN] or \
        ADMIN in [a["user"]["name"] for a in az.json("account", "list")]
    assert az("ad", "signed-in-user", "show", "--query", "userPrincipalName", "-o", "tsv").stdout.strip() == ADMIN
    missing = az("account", "set", "-s", "no-such-subscription", check=False)
    assert missing.returncode == 1
    assert "Subscription 'no-such-subscription' not found" in missing.stderr


def test_generic_update_of_an_application(admin_cli: AzLocal) -> None:
    app_id = admin_cli("ad", "app", "create", "--display-name", "generic", "--identifier-uris", "api://generic",
                       "--query", "appId", "-o", "tsv").stdout.strip()
    admin_cli("ad", "app", "update", "--id", app_id, "--add", "identifierUris", "api://generic2")
    admin_cli("ad", "app", "update", "--id", app_id, "--set", 'replyUrls=["https://r1"]',
              "web.homePageUrl=https://home")  # an AAD Graph era name and a Graph path
    admin_cli("ad", "app", "update", "--id", app_id, "--add", "web.redirectUris", "https://r2")
    admin_cli("ad", "app", "update", "--id", app_id, "--remove", "identifierUris", "0")
    shown = admin_cli.json("ad", "app", "show", "--id", app_id)
    assert shown["identifierUris"] == ["api://generic2"]
    assert shown["web"]["redirectUris"] == ["https://r1", "https://r2"] == shown["replyUrls"]
    assert shown["homepage"] == "https://home"
    bad = admin_cli("ad", "app", "update", "--id", app_id, "--set", "noequals", check=False)
    assert bad.returncode == 2 and "usage error: --set property=value" in bad.stderr
    admin_cli("ad", "app", "delete", "--id", app_id)
    assert admin_cli("ad", "app", "show", "--id", app_id, check=False).returncode == 3


def test_application_credentials(admin_cli: AzLocal) -> None:
    app_id = admin_cli("ad", "app", "create", "--display-name", "withsecret", "--query", "appId", "-o",
                       "tsv").stdout.strip()
    first = admin_cli("ad", "app", "credential", "reset", "--id", app_id, "--display-name", "one", "-o", "json")
    assert first.stderr.startswith("WARNING: The output includes credentials that you must protect.")
    assert sorted(json.loads(first.stdout)) == ["appId", "password", "tenant"]
    admin_cli("ad", "app", "credential", "reset", "--id", app_id, "--append", "--years", "2", "-o", "none",
              "--only-show-errors")
    listed = admin_cli.json("ad", "app", "credential", "list", "--id", app_id)
    assert len(listed) == 2 and all(c.get("secretText") is None for c in listed)
    admin_cli("ad", "app", "credential", "reset", "--id", app_id, "-o", "none", "--only-show-errors")
    assert len(admin_cli.json("ad", "app", "credential", "list", "--id", app_id)) == 1
