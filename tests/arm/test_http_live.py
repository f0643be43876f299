"""Resource Manager over HTTP against a live akslocal: tokens from our token service, long-running polling."""

from __future__ import annotations

import base64
import os
import uuid

import pytest
import yaml

from tests.arm.live import Arm, alice_token, cluster_path, sp_token, start_seeded, user_token
from tests.arm.seed import PASSWORD

SSH = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 azureuser@akslocal"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    server, s = start_seeded(tmp_path_factory.mktemp("armlive") / "data")
    old = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(server.ca_path)
    try:
        yield server, s, Arm(server, user_token(server, s.tenant_id))
    finally:
        server.stop()
        if old is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = old


def cluster_body(**props) -> dict:
    p = {"kubernetesVersion": "", "dnsPrefix": "myaks", "enableRBAC": True,
         "agentPoolProfiles": [{"name": "nodepool1", "count": 1, "vmSize": "Standard_DS2_v2", "osType": "Linux",
                                "mode": "System"}],
         "linuxProfile": {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": SSH}]}}}
    p.update(props)
    return {"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": p}


def make_group(arm: Arm, s, name: str) -> None:
    r = arm.put(f"/subscriptions/{s.subscription_id}/resourcegroups/{name}", {"location": "EastUS"})
    assert r.status_code in (200, 201), r.text


def decode(response) -> dict:
    assert response.status_code == 200, response.text
    return yaml.safe_load(base64.b64decode(response.json()["kubeconfigs"][0]["value"]))


def test_login_sequence_tenants_and_subscriptions(env) -> None:
    _, s, arm = env
    tenants = arm.get("/tenants", params={"api-version": "2022-12-01"}).json()
    assert tenants["value"][0]["tenantId"] == s.tenant_id and tenants["value"][0]["id"] == f"/tenants/{s.tenant_id}"
    assert tenants["value"][0]["defaultDomain"] == "akslocal.onmicrosoft.com"
    subs = arm.get("/subscriptions", params={"api-version": "2022-12-01"}).json()
    assert subs["count"] == {"type": "Total", "value": 1}
    sub = subs["value"][0]
    assert sub == arm.get(f"/subscriptions/{s.subscription_id}").json()
    assert (sub["id"], sub["tenantId"], sub["state"]) == (f"/subscriptions/{s.subscription_id}", s.tenant_id,
                                                          "Enabled")


def test_metadata_endpoints_is_one_cloud_object(env) -> None:
    server, _, _ = env
    with server.client() as client:
        doc = client.get("/metadata/endpoints", params={"api-version": "2022-09-01"}).json()
    assert isinstance(doc, dict) and doc["resourceManager"] == server.url + "/"
    assert doc["authentication"]["loginEndpoint"] == server.url + "/"
    assert doc["microsoftGraphResourceId"] == server.url + "/"
    assert doc["authentication"]["audiences"][0] == "https://management.core.windows.net/"


def test_resource_group_lifecycle(env) -> None:
    _, s, arm = env
    base = f"/subscriptions/{s.subscription_id}/resourcegroups/rgLife"
    created = arm.put(base, {"location": "EastUS", "tags": {"team": "aks"}})
    assert created.status_code == 201
    assert created.json() == {"id": f"/subscriptions/{s.subscription_id}/resourceGroups/rgLife", "name": "rgLife",
                              "type": "Microsoft.Resources/resourceGroups", "location": "eastus", "managedBy": None,
                              "tags": {"team": "aks"}, "properties": {"provisioningState": "Succeeded"}}
    assert arm.put(base, {"location": "eastus"}).status_code == 200
    camel = f"/subscriptions/{s.subscription_id}/resourceGroups/RGLIFE"
    assert arm.get(camel).json()["name"] == "rgLife"
    assert arm.request("HEAD", camel).status_code == 204
    assert arm.request("HEAD", base + "nope").status_code == 404
    assert arm.request("PATCH", base, json={"tags": {"a": "b"}}).json()["tags"] == {"a": "b"}
    moved = arm.put(base, {"location": "westus2"})
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "InvalidResourceGroupLocation"
    names = [g["name"] for g in arm.get(f"/subscriptions/{s.subscription_id}/resourcegroups").json()["value"]]
    assert "rgLife" in names
    deleting = arm.delete(base)
    assert deleting.status_code == 202 and "Retry-After" in deleting.headers
    with arm.server.client() as client:
        done = client.get(deleting.headers["Location"], headers={"Authorization": f"Bearer {arm.token}"})
    assert done.status_code == 200
    gone = arm.get(base)
    assert gone.status_code == 404 and gone.json() == {"error": {
        "code": "ResourceGroupNotFound", "message": "Resource group 'rgLife' could not be found."}}


def test_cluster_create_show_list_delete_with_polling(env) -> None:
    _, s, arm = env
    make_group(arm, s, "myResourceGroup")
    path = cluster_path(s, "myResourceGroup", "myakscluster")
    created = arm.put(path, cluster_body())
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["provisioningState"] == "Creating"
    for header in ("Azure-AsyncOperation", "Location", "Retry-After"):
        assert header in created.headers
    assert "/providers/Microsoft.ContainerService/locations/eastus/operations/" in created.headers[
        "Azure-AsyncOperation"]
    status = arm.wait(created)
    assert status["status"] == "Succeeded" and status["startTime"] and status["endTime"]
    with arm.server.client() as client:
        result = client.get(created.headers["Location"], headers={"Authorization": f"Bearer {arm.token}"})
    assert result.status_code == 200 and result.json()["name"] == "myakscluster"
    shown = arm.get(path).json()
    assert shown["properties"]["provisioningState"] == "Succeeded"
    assert shown["properties"]["nodeResourceGroup"] == "MC_myResourceGroup_myakscluster_eastus"
    in_group = arm.get(f"/subscriptions/{s.subscription_id}/resourceGroups/myResourceGroup/providers/"
                       "Microsoft.ContainerService/managedClusters").json()["value"]
    in_sub = arm.get(f"/subscriptions/{s.subscription_id}/providers/Microsoft.ContainerService/managedClusters"
                     ).json()["value"]
    assert [c["name"] for c in in_group] == ["myakscluster"] and "myakscluster" in [c["name"] for c in in_sub]
    updated = arm.put(path, shown)
    assert updated.status_code == 200 and arm.wait(updated)["status"] == "Succeeded"
    pools = arm.get(path + "/agentPools").json()["value"]
    assert [p["name"] for p in pools] == ["nodepool1"] and pools[0]["properties"]["count"] == 1
    assert arm.get(path + "/agentPools/nodepool1").json()["id"].endswith("/agentPools/nodepool1")
    assert arm.get(path + "/agentPools/nope").status_code == 404
    upgrades = arm.get(path + "/upgradeProfiles/default").json()["properties"]["controlPlaneProfile"]
    assert upgrades["kubernetesVersion"] == shown["properties"]["currentKubernetesVersion"]
    deleting = arm.delete(path)
    assert deleting.status_code == 202 and arm.wait(deleting)["status"] == "Succeeded"
    missing = arm.get(path)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    assert arm.delete(path).status_code == 204


def test_versions_and_orchestrators(env) -> None:
    _, s, arm = env
    base = f"/subscriptions/{s.subscription_id}/providers/Microsoft.ContainerService/locations/eastus"
    values = arm.get(base + "/kubernetesVersions").json()["values"]
    assert {v["version"] for v in values} >= {"1.30", "1.31", "1.32"}
    assert [v["version"] for v in values if v["isDefault"]] == ["1.32"]
    orchestrators = arm.get(base + "/orchestrators", params={"resource-type": "managedClusters"}).json()
    versions = [o["orchestratorVersion"] for o in orchestrators["properties"]["orchestrators"]]
    assert any(v.startswith("1.30.") for v in versions) and any(v.startswith("1.32.") for v in versions)


def test_legacy_cluster_credentials(env) -> None:
    server, s, arm = env
    make_group(arm, s, "legacyRG")
    path = cluster_path(s, "legacyRG", "legacy1")
    profile = {"clientAppID": s.client_app_id, "serverAppID": s.server_app_id, "serverAppSecret": s.server_secret,
               "tenantID": s.tenant_id}
    created = arm.put(path, cluster_body(aadProfile=profile))
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["aadProfile"]["serverAppSecret"] is None
    assert s.server_secret not in created.text
    arm.wait(created)
    user = decode(arm.post(path + "/listClusterUserCredential"))
    assert user["users"][0]["name"] == "clusterUser_legacyRG_legacy1"
    assert user["contexts"][0]["name"] == "legacy1" and user["current-context"] == "legacy1"
    assert user["users"][0]["user"]["exec"] == {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "akslocal-kubelogin",
        "args": ["get-token", "--environment", "AzurePublicCloud", "--server-id", s.server_app_id, "--client-id",
                 s.client_app_id, "--tenant-id", s.tenant_id, "--authority-host", server.url + "/", "--login",
                 "devicecode", "--legacy"],
        "env": [{"name": "AKSLOCAL_CA_BUNDLE", "value": str(server.ca_path)},
                {"name": "AKSLOCAL_DATA_DIR", "value": str(server.data_dir)}],
        "installHint": user["users"][0]["user"]["exec"]["installHint"], "provideClusterInfo": False,
        "interactiveMode": "IfAvailable"}
    cluster = user["clusters"][0]["cluster"]
    assert cluster["server"].startswith(server.url + "/clusters/")
    assert base64.b64decode(cluster["certificate-authority-data"]).decode() == server.ca_path.read_text()
    azure = decode(arm.post(path + "/listClusterUserCredential", params={"format": "azure"}))
    assert azure["users"][0]["user"] == {"auth-provider": {"name": "azure", "config": {
        "apiserver-id": s.server_app_id, "client-id": s.client_app_id, "environment": "AzurePublicCloud",
        "tenant-id": s.tenant_id}}}
    bad = arm.post(path + "/listClusterUserCredential", params={"format": "yaml"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidParameter"
    admin = decode(arm.post(path + "/listClusterAdminCredential"))
    assert admin["users"][0]["name"] == "clusterAdmin_legacyRG_legacy1"
    assert set(admin["users"][0]["user"]) == {"client-certificate-data", "client-key-data", "token"}
    # Legacy only at creation: a second legacy PUT on a plain cluster is refused.
    plain = cluster_path(s, "legacyRG", "plain")
    arm.wait(arm.put(plain, cluster_body()))
    refused = arm.put(plain, cluster_body(aadProfile=profile))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "PropertyChangeNotAllowed"


def test_migration_changes_the_user_kubeconfig(env) -> None:
    _, s, arm = env
    make_group(arm, s, "migrateRG")
    path = cluster_path(s, "migrateRG", "mig")
    profile = {"clientAppID": s.client_app_id, "serverAppID": s.server_app_id, "serverAppSecret": s.server_secret,
               "tenantID": s.tenant_id}
    arm.wait(arm.put(path, cluster_body(aadProfile=profile)))
    before = decode(arm.post(path + "/listClusterUserCredential"))["users"][0]["user"]["exec"]["args"]
    shown = arm.get(path).json()
    shown["properties"]["aadProfile"] = {"managed": True, "adminGroupObjectIDs": [s.group_id]}
    updated = arm.put(path, shown)
    assert updated.status_code == 200 and arm.wait(updated)["status"] == "Succeeded"
    profile_after = arm.get(path).json()["properties"]["aadProfile"]
    assert profile_after["managed"] is True and profile_after["serverAppID"] is None
    after = decode(arm.post(path + "/listClusterUserCredential"))["users"][0]["user"]["exec"]["args"]
    assert "--legacy" in before and "--legacy" not in after
    assert after[after.index("--server-id") + 1] == "6dae42f8-4368-4678-94ff-3960e28e3630"
    assert after[after.index("--client-id") + 1] == "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
    back = dict(shown)
    back["properties"] = dict(shown["properties"], aadProfile={**profile, "managed": False})
    refused = arm.put(path, back)
    assert refused.status_code == 400 and refused.json()["error"] == {
        "code": "PropertyChangeNotAllowed", "message": "Changing property 'aadProfile.managed' is not allowed.",
        "target": "aadProfile.managed"}
    reset = arm.post(path + "/resetAADProfile", json=profile)
    assert reset.status_code == 400 and "not allowed for managed AAD" in reset.json()["error"]["message"]


def test_disable_local_accounts_refuses_admin_credentials(env) -> None:
    _, s, arm = env
    make_group(arm, s, "localRG")
    path = cluster_path(s, "localRG", "nolocal")
    arm.wait(arm.put(path, cluster_body(aadProfile={"managed": True}, disableLocalAccounts=True)))
    refused = arm.post(path + "/listClusterAdminCredential")
    assert refused.status_code == 400 and refused.json() == {"error": {
        "code": "BadRequest",
        "message": "Getting static credential is not allowed because this cluster is set to disable local accounts."}}
    assert arm.post(path + "/listClusterUserCredential").status_code == 200


@pytest.mark.parametrize("headers, code", [
    pytest.param({}, "AuthenticationFailed", id="no-header"),
    pytest.param({"Authorization": "Basic abc"}, "AuthenticationFailed", id="not-bearer"),
    pytest.param({"Authorization": "Bearer not.a.jwt"}, "InvalidAuthenticationToken", id="garbage"),
])
def test_unauthenticated_callers(env, headers, code) -> None:
    server, s, _ = env
    with server.client() as client:
        r = client.get(f"/subscriptions/{s.subscription_id}/resourcegroups", params={"api-version": "2024-11-01"},
                       headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == code
    assert r.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")


def test_graph_token_is_not_an_arm_token(env) -> None:
    server, s, _ = env
    graph = Arm(server, user_token(server, s.tenant_id, resource="https://graph.microsoft.com"))
    r = graph.get(f"/subscriptions/{s.subscription_id}")
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"


def test_wrong_tenant(env) -> None:
    server, s, arm = env
    carol = Arm(server, user_token(server, s.other_tenant_id, "carol@contoso.onmicrosoft.com", PASSWORD))
    r = carol.get(f"/subscriptions/{s.subscription_id}/resourcegroups")
    assert r.status_code == 401 and r.json()["error"] == {"code": "InvalidAuthenticationTokenTenant", "message": (
        f"The access token is from the wrong issuer 'https://sts.windows.net/{s.other_tenant_id}/'. It must match the "
        f"tenant 'https://sts.windows.net/{s.tenant_id}/' associated with this subscription. Please use the authority "
        f"(URL) '{server.url}/{s.tenant_id}' to get the token.")}
    assert [x["subscriptionId"] for x in carol.get("/subscriptions").json()["value"]] == [s.other_subscription_id]
    assert carol.put(f"/subscriptions/{s.other_subscription_id}/resourcegroups/contosoRG",
                     {"location": "westeurope"}).status_code == 201
    r = arm.get(f"/subscriptions/{s.other_subscription_id}/resourcegroups/contosoRG")
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenTenant"
    missing = arm.get(f"/subscriptions/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "SubscriptionNotFound"


def test_service_principal_needs_a_role_assignment(env) -> None:
    server, s, arm = env
    make_group(arm, s, "robotRG")
    robot = Arm(server, sp_token(server, s))
    rg = f"/subscriptions/{s.subscription_id}/resourceGroups/robotRG"
    assert robot.get("/subscriptions").json()["value"] == []
    denied = robot.get(rg)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "AuthorizationFailed"
    assert "Microsoft.Resources/subscriptions/resourceGroups/read" in denied.json()["error"]["message"]
    reader = arm.get(rg + "/providers/Microsoft.Authorization/roleDefinitions",
                     params={"$filter": "roleName eq 'Reader'"}).json()["value"]
    assert [d["name"] for d in reader] == [READER]
    name = str(uuid.uuid4())
    assignment = arm.put(f"{rg}/providers/Microsoft.Authorization/roleAssignments/{name}", {"properties": {
        "roleDefinitionId": reader[0]["id"], "principalId": s.robot_sp_id, "principalType": "ServicePrincipal"}})
    assert assignment.status_code == 201, assignment.text
    assert assignment.json()["properties"]["scope"] == rg
    duplicate = arm.put(f"{rg}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}", {"properties": {
        "roleDefinitionId": reader[0]["id"], "principalId": s.robot_sp_id, "principalType": "ServicePrincipal"}})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "RoleAssignmentExists"
    assert robot.get(rg).status_code == 200
    assert [x["subscriptionId"] for x in robot.get("/subscriptions").json()["value"]] == [s.subscription_id]
    write = robot.put(cluster_path(s, "robotRG", "robo"), cluster_body())
    assert write.status_code == 403 and "managedClusters/write" in write.json()["error"]["message"]
    contributor = arm.put(f"/subscriptions/{s.subscription_id}/providers/Microsoft.Authorization/roleAssignments/"
                          f"{uuid.uuid4()}", {"properties": {
                              "roleDefinitionId": f"/subscriptions/{s.subscription_id}/providers/"
                                                  f"Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
                              "principalId": s.robot_sp_id}})
    assert contributor.status_code == 201
    created = robot.put(cluster_path(s, "robotRG", "robo"), cluster_body())
    assert created.status_code == 201 and robot.wait(created)["status"] == "Succeeded"
    # Contributor cannot hand out roles.
    grant = robot.put(f"{rg}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}", {"properties": {
        "roleDefinitionId": reader[0]["id"], "principalId": s.alice_id}})
    assert grant.status_code == 403
    listed = arm.get(f"/subscriptions/{s.subscription_id}/providers/Microsoft.Authorization/roleAssignments",
                     params={"$filter": f"principalId eq '{s.robot_sp_id}'"}).json()["value"]
    assert len(listed) == 2
    assert arm.delete(f"{rg}/providers/Microsoft.Authorization/roleAssignments/{name}").status_code == 200
    unknown = arm.put(f"{rg}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}", {"properties": {
        "roleDefinitionId": reader[0]["id"], "principalId": str(uuid.uuid4())}})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "PrincipalNotFound"


def test_tenant_users_are_owners(env) -> None:
    server, s, _ = env
    alice = Arm(server, alice_token(server, s))
    assert alice.put(f"/subscriptions/{s.subscription_id}/resourcegroups/aliceRG",
                     {"location": "eastus"}).status_code == 201


@pytest.mark.parametrize("content, code", [
    pytest.param(b"{not json", "InvalidRequestContent", id="not-json"),
    pytest.param(b"[1, 2]", "InvalidRequestContent", id="array"),
    pytest.param(b"", "InvalidRequestContent", id="empty"),
    pytest.param(b'{"location": 7}', "LocationNotAvailableForResourceGroup", id="location-type"),
    pytest.param(b'{"location": "eastus", "tags": {"a": 1}}', "InvalidTag", id="tag-type"),
])
def test_malformed_group_bodies(env, content, code) -> None:
    _, s, arm = env
    r = arm.request("PUT", f"/subscriptions/{s.subscription_id}/resourcegroups/badRG", content=content,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_api_versions_and_unknown_paths(env) -> None:
    server, s, arm = env
    future = cluster_body()
    future["properties"]["someFutureProperty"] = {"enabled": True}
    make_group(arm, s, "futureRG")
    r = arm.put(cluster_path(s, "futureRG", "future"), future, params={"api-version": "2099-01-01-preview"})
    assert r.status_code == 201
    with server.client() as client:
        r = client.get(f"/subscriptions/{s.subscription_id}", headers={"Authorization": f"Bearer {arm.token}"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "MissingApiVersionParameter"
    r = arm.get(f"/subscriptions/{s.subscription_id}/providers/Microsoft.Nope/things")
    assert r.status_code == 404 and "error" in r.json()
    r = arm.request("POST", f"/subscriptions/{s.subscription_id}/resourcegroups/futureRG")
    assert r.status_code == 405
    huge = arm.request("PUT", f"/subscriptions/{s.subscription_id}/resourcegroups/hugeRG",
                       content=b'{"location": "' + b"x" * (2 << 20) + b'"}')
    assert huge.status_code == 413
    r = arm.get(f"/subscriptions/{s.subscription_id}/providers/Microsoft.ContainerService")
    assert r.json()["registrationState"] == "Registered"


def test_providers_locations_and_role_definitions(env) -> None:
    _, s, arm = env
    base = f"/subscriptions/{s.subscription_id}"
    namespaces = [p["namespace"] for p in arm.get(base + "/providers").json()["value"]]
    assert "Microsoft.ContainerService" in namespaces and "Microsoft.Authorization" in namespaces
    registered = arm.post(base + "/providers/microsoft.containerservice/register")
    assert registered.status_code == 200 and registered.json()["namespace"] == "Microsoft.ContainerService"
    assert arm.get(base + "/providers/Microsoft.Nope").status_code == 404
    assert "eastus" in [loc["name"] for loc in arm.get(base + "/locations").json()["value"]]
    owner = arm.get(base + "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635")
    assert owner.json()["properties"]["roleName"] == "Owner"
    assert owner.json()["properties"]["permissions"][0]["actions"] == ["*"]
    missing = arm.get(base + "/providers/Microsoft.Authorization/roleDefinitions/" + str(uuid.uuid4()))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "RoleDefinitionDoesNotExist"
    names = {d["properties"]["roleName"] for d in arm.get(
        base + "/providers/Microsoft.Authorization/roleDefinitions").json()["value"]}
    assert {"Azure Kubernetes Service Cluster User Role", "Azure Kubernetes Service Cluster Admin Role"} <= names


def test_cluster_user_role_allows_only_user_credentials(env) -> None:
    server, s, arm = env
    make_group(arm, s, "roleRG")
    path = cluster_path(s, "roleRG", "rolec")
    arm.wait(arm.put(path, cluster_body(aadProfile={"managed": True})))
    for old in arm.get(f"/subscriptions/{s.subscription_id}/providers/Microsoft.Authorization/roleAssignments",
                       params={"$filter": f"principalId eq '{s.robot_sp_id}'"}).json()["value"]:
        assert arm.delete(old["id"]).status_code == 200  # only this test's assignment counts
    assignment = f"{path}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    made = arm.put(assignment, {"properties": {
        "roleDefinitionId": f"/subscriptions/{s.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
                            "4abbcc35-e782-43d8-92c5-2d3f1bd2253f", "principalId": s.robot_sp_id}})
    assert made.status_code == 201 and made.json()["properties"]["principalType"] == "ServicePrincipal"
    at_scope = arm.get(path + "/providers/Microsoft.Authorization/roleAssignments",
                       params={"$filter": "atScope()"}).json()["value"]
    # atScope(): at the scope or above it (the subscription-wide Contributor of another test may be there too).
    assert assignment.rsplit("/", 1)[1] in [a["name"] for a in at_scope]
    assert all(path.lower().startswith(a["properties"]["scope"].lower()) for a in at_scope)
    robot = Arm(server, sp_token(server, s))
    assert robot.post(path + "/listClusterUserCredential").status_code == 200
    assert robot.get(path).status_code == 200
    denied = robot.post(path + "/listClusterAdminCredential")
    assert denied.status_code == 403 and "listClusterAdminCredential/action" in denied.json()["error"]["message"]
    assert robot.get(cluster_path(s, "roleRG", "other")).status_code == 403
    assert arm.delete(assignment).status_code == 200 and arm.delete(assignment).status_code == 204
    assert robot.post(path + "/listClusterUserCredential").status_code == 403
