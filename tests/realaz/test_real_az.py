"""The unmodified Azure CLI 2.91 (from PyPI, its own cached venv) against a live akslocal.

One server and one AZURE_CONFIG_DIR per module; the tests run in order, as a user types
them: configure, log in, build the seed's apps in today's syntax, create clusters, and
reach the pods with the real kubectl through akslocal's user kubeconfig.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.live import LiveServer
from tests.support.realaz import Az, ensure_az

pytestmark = pytest.mark.slow

ADMIN = "admin@akslocal.onmicrosoft.com"
PASSWORD = "Adm1n-Passw0rd!"
GRAPH = "00000003-0000-0000-c000-000000000000"
CODE = re.compile(r"enter the code ([A-Z0-9]{9}) to authenticate")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    az_path = ensure_az()
    root = tmp_path_factory.mktemp("realaz")
    server = LiveServer.start(root / "data")
    home = root / "home"
    home.mkdir()
    config = root / "azcfg"
    subprocess.run([sys.executable, "-m", "akslocal.server.main", "az-config", "--endpoint", server.url,
                    "--data-dir", str(server.data_dir), "--config-dir", str(config)], check=True, capture_output=True)
    az = Az(az_path, server.env(AZURE_CONFIG_DIR=str(config), HOME=str(home), AZURE_CORE_COLLECT_TELEMETRY="false",
                                 AZURE_CORE_NO_COLOR="true", KUBECONFIG=str(home / "kubeconfig"),
                                 PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin"))
    state: dict[str, str] = {}
    try:
        yield server, az, state
    finally:
        server.stop()


def devicelogin(server: LiveServer, code: str) -> None:
    subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code", code, "--username", ADMIN,
                    "--password", PASSWORD], check=True, capture_output=True, text=True, env=server.env(), timeout=60)


def test_cloud_is_registered_from_az_config(env) -> None:
    server, az, _ = env
    cloud = json.loads(az("cloud", "show").stdout)
    assert cloud["name"] == "akslocal" and cloud["isActive"] is True
    assert cloud["endpoints"]["activeDirectory"] == server.url
    assert cloud["endpoints"]["microsoftGraphResourceId"] == server.url + "/"
    # Registering another cloud by discovery reads our /metadata/endpoints.
    az("cloud", "register", "-n", "discovered", "--endpoint-resource-manager", server.url + "/")
    discovered = json.loads(az("cloud", "show", "-n", "discovered").stdout)
    assert discovered["endpoints"]["resourceManager"] == server.url + "/"


def test_login_with_device_code(env) -> None:
    server, az, state = env
    process = subprocess.Popen([str(az.executable), "login", "--use-device-code"], env=az.env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    prompt = ""
    while (line := process.stderr.readline()):
        prompt += line
        if match := CODE.search(line):
            devicelogin(server, match.group(1))
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, prompt + err
    assert f"To sign in, use a web browser to open the page {server.url}/devicelogin" in prompt
    accounts = json.loads(out)
    assert accounts[0]["user"] == {"name": ADMIN, "type": "user"}
    state["tenant"] = az("account", "show", "--query", "tenantId", "-o", "tsv").stdout.strip()
    state["subscription"] = az("account", "show", "--query", "id", "-o", "tsv").stdout.strip()
    token = json.loads(az("account", "get-access-token").stdout)
    claims = json.loads(base64.urlsafe_b64decode(token["accessToken"].split(".")[1] + "=="))
    assert claims["aud"] == "https://management.core.windows.net/" and claims["upn"] == ADMIN


def test_signed_in_user(env) -> None:
    _, az, _ = env
    assert az("ad", "signed-in-user", "show", "--query", "userPrincipalName", "-o", "tsv").stdout.strip() == ADMIN


def test_seed_apps_in_todays_syntax(env) -> None:
    _, az, state = env
    aks = "realazcluster"
    server_app = az("ad", "app", "create", "--display-name", f"{aks}Server", "--identifier-uris",
                    f"https://{aks}Server", "--query", "appId", "-o", "tsv").stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", server_app)
    az("ad", "app", "update", "--id", server_app, "--set", "groupMembershipClaims=All")
    assert az("ad", "app", "show", "--id", server_app, "--query", "groupMembershipClaims", "-o",
              "tsv").stdout.strip() == "All"
    az("ad", "sp", "create", "--id", server_app)
    reset = az("ad", "sp", "credential", "reset", "--id", server_app)
    secret = json.loads(reset.stdout)
    assert set(secret) >= {"appId", "password", "tenant"} and secret["appId"] == server_app
    az("ad", "app", "permission", "add", "--id", server_app, "--api", GRAPH, "--api-permissions",
       "e1fe6dd8-ba31-4d61-89e7-88639da4683d=Scope", "06da0dbc-49e2-44d2-8312-53f166ab848a=Scope",
       "7ab1d382-f21e-4acd-a863-ba3e13f7da61=Role")
    az("ad", "app", "permission", "grant", "--id", server_app, "--api", GRAPH, "--scope",
       "User.Read Directory.Read.All")
    client_app = az("ad", "app", "create", "--display-name", f"{aks}Client", "--public-client-redirect-uris",
                    f"https://{aks}Client", "--is-fallback-public-client", "true", "--query", "appId",
                    "-o", "tsv").stdout.strip()
    az("ad", "sp", "create", "--id", client_app)
    scope_id = az("ad", "app", "show", "--id", server_app, "--query", "api.oauth2PermissionScopes[0].id", "-o",
                  "tsv").stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", scope_id)
    az("ad", "app", "permission", "add", "--id", client_app, "--api", server_app, "--api-permissions",
       f"{scope_id}=Scope")
    az("ad", "app", "permission", "grant", "--id", client_app, "--api", server_app, "--scope", "user_impersonation")
    group = json.loads(az("ad", "group", "create", "--display-name", "aks-admins", "--mail-nickname",
                          "aks-admins").stdout)
    me = az("ad", "signed-in-user", "show", "--query", "id", "-o", "tsv").stdout.strip()
    az("ad", "group", "member", "add", "--group", group["id"], "--member-id", me)
    state.update(server_app=server_app, client_app=client_app, secret=secret["password"], group=group["id"])


def test_legacy_flags_are_gone_from_todays_aks_create(env) -> None:
    _, az, _ = env
    result = az("aks", "create", "-g", "rg", "-n", "c", "--aad-server-app-id", "x", check=False)
    assert result.returncode == 2 and "unrecognized arguments: --aad-server-app-id" in result.stderr


def test_managed_cluster_and_kubectl_through_the_user_kubeconfig(env, tmp_path: Path) -> None:
    server, az, state = env
    az("group", "create", "--name", "myResourceGroup", "--location", "EastUS")
    assert az("group", "show", "-n", "myResourceGroup", "--query", "properties.provisioningState", "-o",
              "tsv").stdout.strip() == "Succeeded"
    az("aks", "create", "-g", "myResourceGroup", "-n", "managed1", "--node-count", "1", "--generate-ssh-keys",
       "--enable-aad", "--aad-admin-group-object-ids", state["group"], "--aad-tenant-id", state["tenant"],
       timeout=300)
    profile = json.loads(az("aks", "show", "-g", "myResourceGroup", "-n", "managed1", "--query", "aadProfile").stdout)
    assert profile["managed"] is True and profile["adminGroupObjectIDs"] == [state["group"]]
    kubeconfig = tmp_path / "kc"
    az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "managed1", "--file", str(kubeconfig))
    kubectl_env = dict(az.env, KUBECONFIG=str(kubeconfig), KUBECACHEDIR=str(tmp_path / "cache"))
    process = subprocess.Popen(["kubectl", "get", "pods", "--all-namespaces"], env=kubectl_env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while (line := process.stderr.readline()):
        if match := CODE.search(line):
            devicelogin(server, match.group(1))
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert re.search(r"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", out, re.M)
    assert "coredns-" in out
    az("aks", "delete", "-g", "myResourceGroup", "-n", "managed1", "--yes", timeout=300)
    assert az("aks", "list", "-g", "myResourceGroup", "--query", "length(@)", "-o", "tsv").stdout.strip() == "0"


def test_service_principal_login(env) -> None:
    _, az, state = env
    result = az("login", "--service-principal", "-u", state["server_app"], "-p", state["secret"], "--tenant",
                state["tenant"], "--allow-no-subscriptions", check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(az("account", "show").stdout)["user"] == {"name": state["server_app"],
                                                                 "type": "servicePrincipal"}
