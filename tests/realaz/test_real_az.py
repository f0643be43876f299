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
import yaml

from tests.support.live import LiveServer
from tests.support.realaz import Az, ensure_az

pytestmark = pytest.mark.slow

ADMIN = "admin@akslocal.onmicrosoft.com"
PASSWORD = "Adm1n-Passw0rd!"
GRAPH = "00000003-0000-0000-c000-000000000000"
CODE = re.compile(r"enter the code ([A-Z0-9]{9}) to authenticate")


def az_config(server: LiveServer, config: Path) -> None:
    subprocess.run([sys.executable, "-m", "akslocal.server.main", "az-config", "--endpoint", server.url,
                    "--data-dir", str(server.data_dir), "--config-dir", str(config)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    az_path = ensure_az()
    root = tmp_path_factory.mktemp("realaz")
    server = LiveServer.start(root / "data")
    home = root / "home"
    home.mkdir()
    config = root / "azcfg"
    az_config(server, config)
    az = Az(az_path, server.env(AZURE_CONFIG_DIR=str(config), HOME=str(home), AZURE_CORE_COLLECT_TELEMETRY="false",
                                 AZURE_CORE_NO_COLOR="true", KUBECONFIG=str(home / "kubeconfig"),
                                 PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin"))
    state: dict[str, str] = {"root": str(root)}
    try:
        yield server, az, state
    finally:
        server.stop()


def devicelogin(server: LiveServer, code: str) -> None:
    subprocess.run([sys.executable, "-m", "akslocal.server.main", "devicelogin", "--code", code, "--username", ADMIN,
                    "--password", PASSWORD], check=True, capture_output=True, text=True, env=server.env(), timeout=60)


def kubectl_signing_in(server: LiveServer, env: dict[str, str], *args: str) -> str:
    """Runs the real kubectl; when akslocal-kubelogin prompts for a device code, signs in as the admin."""
    process = subprocess.Popen(["kubectl", *args], env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    prompt = ""
    while (line := process.stderr.readline()):
        prompt += line
        if match := CODE.search(line):
            devicelogin(server, match.group(1))
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, prompt + err
    return out


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


def claims_of(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def test_account_list_and_access_tokens(env) -> None:
    server, az, state = env
    accounts = json.loads(az("account", "list").stdout)
    assert [(a["id"], a["tenantId"], a["isDefault"], a["state"], a["cloudName"]) for a in accounts] == [
        (state["subscription"], state["tenant"], True, "Enabled", "akslocal")]
    assert accounts[0]["user"] == {"name": ADMIN, "type": "user"}
    arm = json.loads(az("account", "get-access-token", "--resource", "https://management.core.windows.net/").stdout)
    assert arm["tokenType"] == "Bearer" and arm["tenant"] == state["tenant"]
    assert arm["subscription"] == state["subscription"]
    assert claims_of(arm["accessToken"])["aud"] == "https://management.core.windows.net/"
    # az's Graph resource is akslocal's own URL (the cloud's microsoftGraphResourceId).
    graph = json.loads(az("account", "get-access-token", "--resource", server.url + "/").stdout)
    claims = claims_of(graph["accessToken"])
    assert claims["aud"] == server.url + "/" and claims["upn"] == ADMIN and claims["tid"] == state["tenant"]
    assert claims["appid"] == "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


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
    assert json.loads(az("ad", "group", "member", "check", "--group", group["id"], "--member-id", me).stdout) == {
        "value": True}
    state.update(server_app=server_app, client_app=client_app, secret=secret["password"], group=group["id"], me=me)


def test_app_show(env) -> None:
    _, az, state = env
    app = json.loads(az("ad", "app", "show", "--id", state["client_app"]).stdout)
    assert app["appId"] == state["client_app"] and app["displayName"] == "realazclusterClient"
    assert app["isFallbackPublicClient"] is True
    assert app["publicClient"]["redirectUris"] == ["https://realazclusterClient"]
    assert [r["resourceAppId"] for r in app["requiredResourceAccess"]] == [state["server_app"]]
    server = json.loads(az("ad", "app", "show", "--id", state["server_app"]).stdout)
    assert server["identifierUris"] == ["https://realazclusterServer"]
    state["server_object_id"] = server["id"]


def test_admin_consent_needs_the_graph_action_instead(env) -> None:
    server, az, state = env
    # az refuses every cloud but AzureCloud before it sends anything (its request would go to
    # main.iam.ad.ext.azure.com, a portal API that is not Graph).
    refused = az("ad", "app", "permission", "admin-consent", "--id", state["server_app"], check=False)
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        1, "", "ERROR: This command is not yet supported on sovereign clouds\n")
    # The same effect through akslocal's Graph action; --resource because the URL also matches Resource Manager.
    consent = json.loads(az("rest", "--method", "post", "--url",
                            f"{server.url}/v1.0/applications/{state['server_object_id']}/akslocal.adminConsent",
                            "--resource", server.url + "/").stdout)
    assert consent["appId"] == state["server_app"]
    assert [g["scope"] for g in consent["oauth2PermissionGrants"]] == ["User.Read Directory.Read.All"]
    assert [g["consentType"] for g in consent["oauth2PermissionGrants"]] == ["AllPrincipals"]
    assert [a["appRoleId"] for a in consent["appRoleAssignments"]] == ["7ab1d382-f21e-4acd-a863-ba3e13f7da61"]
    sp = az("ad", "sp", "show", "--id", state["server_app"], "--query", "id", "-o", "tsv").stdout.strip()
    roles = json.loads(az("rest", "--method", "get", "--url",
                          f"{server.url}/v1.0/servicePrincipals/{sp}/appRoleAssignments",
                          "--resource", server.url + "/").stdout)
    assert [(a["appRoleId"], a["resourceDisplayName"]) for a in roles["value"]] == [
        ("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Microsoft Graph")]
    state["server_sp"] = sp


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
    got = az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "managed1", "--file", str(kubeconfig))
    assert f'WARNING: Merged "managed1" as current context in {kubeconfig}\n' in got.stderr
    # az looks for Microsoft's kubelogin on PATH (to convert the entry); the entry runs akslocal-kubelogin.
    assert "WARNING: The kubeconfig uses devicecode authentication which requires kubelogin." in got.stderr
    kubectl_env = dict(az.env, KUBECONFIG=str(kubeconfig), KUBECACHEDIR=str(tmp_path / "cache"))
    out = kubectl_signing_in(server, kubectl_env, "get", "pods", "--all-namespaces")
    assert re.search(r"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", out, re.M)
    assert "coredns-" in out
    # --admin: AKS names the context after the cluster and az adds -admin for the clusterAdmin user.
    got = az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "managed1", "--admin", "--file",
             str(kubeconfig))
    assert f'WARNING: Merged "managed1-admin" as current context in {kubeconfig}\n' in got.stderr
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["current-context"] == "managed1-admin"
    assert sorted((c["name"], c["context"]["cluster"], c["context"]["user"]) for c in config["contexts"]) == [
        ("managed1", "managed1", "clusterUser_myResourceGroup_managed1"),
        ("managed1-admin", "managed1", "clusterAdmin_myResourceGroup_managed1")]
    nodes = subprocess.run(["kubectl", "get", "nodes", "-o", "name"], env=kubectl_env, capture_output=True,
                           text=True, timeout=60)
    assert nodes.returncode == 0, nodes.stderr
    assert re.fullmatch(r"node/aks-nodepool1-\d{8}-vmss000000\n", nodes.stdout)
    az("aks", "delete", "-g", "myResourceGroup", "-n", "managed1", "--yes", timeout=300)
    assert az("aks", "list", "-g", "myResourceGroup", "--query", "length(@)", "-o", "tsv").stdout.strip() == "0"


def test_role_assignment_lets_the_service_principal_read_the_group(env) -> None:
    server, az, state = env
    # The service principal gets its own AZURE_CONFIG_DIR so the user's login stays as it is.
    config = Path(state["root"]) / "azcfg-sp"
    az_config(server, config)
    sp_az = Az(az.executable, dict(az.env, AZURE_CONFIG_DIR=str(config)))
    login = ("login", "--service-principal", "-u", state["server_app"], "-p", state["secret"], "--tenant",
             state["tenant"])
    refused = sp_az(*login, check=False)
    assert refused.returncode == 1 and refused.stderr == f"ERROR: No subscriptions found for {state['server_app']}.\n"

    scope = f"/subscriptions/{state['subscription']}/resourceGroups/myResourceGroup"
    made = json.loads(az("role", "assignment", "create", "--assignee", state["server_app"], "--role", "Reader",
                         "--scope", scope).stdout)
    assert (made["principalId"], made["principalType"], made["scope"]) == (state["server_sp"], "ServicePrincipal",
                                                                           scope)
    assert made["roleDefinitionId"] == (f"/subscriptions/{state['subscription']}/providers/Microsoft.Authorization/"
                                        "roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
    assert made["createdBy"] == state["me"]
    listed = json.loads(az("role", "assignment", "list", "--assignee", state["server_app"], "--scope", scope).stdout)
    assert [(a["roleDefinitionName"], a["principalName"]) for a in listed] == [("Reader", state["server_app"])]

    accounts = json.loads(sp_az(*login).stdout)
    assert [(a["id"], a["user"]["type"]) for a in accounts] == [(state["subscription"], "servicePrincipal")]
    shown = json.loads(sp_az("group", "show", "-n", "myResourceGroup").stdout)
    assert shown["id"] == scope and shown["properties"] == {"provisioningState": "Succeeded"}
    denied = (f"(AuthorizationFailed) The client '{state['server_app']}' with object id '{state['server_sp']}' does "
              "not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/{}' over "
              "scope '/subscriptions/" + state["subscription"] + "/resourceGroups/{}' or the scope is invalid. If "
              "access was recently granted, please refresh your credentials.")
    write = sp_az("group", "create", "-n", "spGroup", "-l", "eastus", check=False)
    assert write.returncode == 1 and "ERROR: " + denied.format("write", "spGroup") + "\n" in write.stderr

    az("role", "assignment", "delete", "--assignee", state["server_app"], "--role", "Reader", "--scope", scope)
    read = sp_az("group", "show", "-n", "myResourceGroup", check=False)
    assert read.returncode == 1 and "ERROR: " + denied.format("read", "myResourceGroup") + "\n" in read.stderr
    debug = sp_az("group", "show", "-n", "myResourceGroup", "--debug", check=False).stderr
    assert "Response status: 403\n" in debug and '"code":"AuthorizationFailed"' in debug.replace(" ", "")


def test_legacy_cluster_by_az_rest_kubectl_then_migration(env, tmp_path: Path) -> None:
    server, az, state = env
    body = tmp_path / "legacy.json"
    body.write_text(json.dumps({"location": "eastus", "properties": {
        "dnsPrefix": "legacy1", "enableRBAC": True,
        "agentPoolProfiles": [{"name": "nodepool1", "count": 1, "mode": "System", "vmSize": "Standard_DS2_v2",
                               "osType": "Linux"}],
        "aadProfile": {"clientAppID": state["client_app"], "serverAppID": state["server_app"],
                       "serverAppSecret": state["secret"], "tenantID": state["tenant"]}}}))
    url = (f"{server.url}/subscriptions/{state['subscription']}/resourceGroups/myResourceGroup/providers/"
           "Microsoft.ContainerService/managedClusters/legacy1?api-version=2024-05-01")
    put = json.loads(az("rest", "--method", "put", "--url", url, "--resource", "https://management.core.windows.net/",
                        "--body", f"@{body}").stdout)
    assert put["properties"]["aadProfile"]["serverAppSecret"] is None
    shown = json.loads(az("aks", "show", "-g", "myResourceGroup", "-n", "legacy1").stdout)
    assert shown["provisioningState"] == "Succeeded"
    assert shown["aadProfile"] == {"adminGroupObjectIDs": None, "clientAppId": state["client_app"],
                                   "enableAzureRbac": False, "managed": False, "serverAppId": state["server_app"],
                                   "serverAppSecret": None, "tenantId": state["tenant"]}

    # The seed's ClusterRoleBinding for the signed-in user, made with the admin credentials.
    kubeconfig = tmp_path / "kc"
    kubectl_env = dict(az.env, KUBECONFIG=str(kubeconfig), KUBECACHEDIR=str(tmp_path / "cache"))
    az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "legacy1", "--admin", "--file", str(kubeconfig))
    binding = tmp_path / "basic-azure-ad-binding.yaml"
    binding.write_text(yaml.safe_dump({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "contoso-cluster-admins"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": ADMIN}]}))
    applied = subprocess.run(["kubectl", "apply", "-f", str(binding)], env=kubectl_env, capture_output=True,
                             text=True, timeout=60)
    assert applied.stdout == "clusterrolebinding.rbac.authorization.k8s.io/contoso-cluster-admins created\n", (
        applied.stderr)
    got = az("aks", "get-credentials", "-g", "myResourceGroup", "-n", "legacy1", "--overwrite-existing", "--file",
             str(kubeconfig))
    assert f'WARNING: Merged "legacy1" as current context in {kubeconfig}\n' in got.stderr
    user = next(u for u in yaml.safe_load(kubeconfig.read_text())["users"]
                if u["name"] == "clusterUser_myResourceGroup_legacy1")["user"]["exec"]
    assert user["command"] == "akslocal-kubelogin" and user["args"][-1] == "--legacy"
    assert user["args"][user["args"].index("--server-id") + 1] == state["server_app"]
    out = kubectl_signing_in(server, kubectl_env, "get", "pods", "--all-namespaces")
    assert re.search(r"^kube-system\s+coredns-\S+\s+1/1\s+Running\s", out, re.M)

    # Migration to the managed integration (AKS FAQ: the profile is managed afterwards).
    az("aks", "update", "-g", "myResourceGroup", "-n", "legacy1", "--enable-aad", "--aad-admin-group-object-ids",
       state["group"], timeout=300)
    profile = json.loads(az("aks", "show", "-g", "myResourceGroup", "-n", "legacy1", "--query", "aadProfile").stdout)
    assert profile["managed"] is True and profile["adminGroupObjectIDs"] == [state["group"]]
    assert profile["serverAppId"] is None and profile["clientAppId"] is None and profile["serverAppSecret"] is None
    az("aks", "delete", "-g", "myResourceGroup", "-n", "legacy1", "--yes", timeout=300)
    gone = az("aks", "show", "-g", "myResourceGroup", "-n", "legacy1", check=False)
    assert gone.returncode == 3 and ("ERROR: (ResourceNotFound) The Resource 'Microsoft.ContainerService/"
                                     "managedClusters/legacy1' under resource group 'myResourceGroup' was not found."
                                     in gone.stderr)


def test_app_delete_and_group_delete(env) -> None:
    _, az, state = env
    az("ad", "app", "delete", "--id", state["client_app"])
    gone = az("ad", "app", "show", "--id", state["client_app"], check=False)
    assert (gone.returncode, gone.stderr) == (3, f"ERROR: Resource '{state['client_app']}' does not exist or one of "
                                                 "its queried reference-property objects are not present.\n")
    az("group", "delete", "-n", "myResourceGroup", "--yes", timeout=300)
    shown = az("group", "show", "-n", "myResourceGroup", check=False)
    assert shown.returncode == 3
    assert shown.stderr.startswith("ERROR: (ResourceGroupNotFound) Resource group 'myResourceGroup' could not be "
                                   "found.\n")
    assert az("group", "exists", "-n", "myResourceGroup").stdout.strip() == "false"


def test_service_principal_login(env) -> None:
    _, az, state = env
    result = az("login", "--service-principal", "-u", state["server_app"], "-p", state["secret"], "--tenant",
                state["tenant"], "--allow-no-subscriptions", check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(az("account", "show").stdout)["user"] == {"name": state["server_app"],
                                                                 "type": "servicePrincipal"}
