"""ManagedCluster domain rules with a fake provisioner: bodies, defaults, aadProfile, updates, deletes."""

from __future__ import annotations

import pytest

from akslocal.arm import lifecycle, managed_clusters, resource_groups, subscriptions
from akslocal.arm.aad_profile import AKS_CLIENT_APP_ID, AKS_SERVER_APP_ID
from akslocal.arm.errors import ArmError

SSH = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host"


def body(**props) -> dict:
    base = {"location": "EastUS", "properties": {
        "dnsPrefix": "myaks", "enableRBAC": True,
        "agentPoolProfiles": [{"name": "nodepool1", "count": 1, "vmSize": "Standard_DS2_v2", "mode": "System"}],
        "linuxProfile": {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": SSH}]}}}}
    base["properties"].update(props)
    return base


def legacy(s, **extra) -> dict:
    return {"clientAppID": s.client_app_id, "serverAppID": s.server_app_id, "serverAppSecret": s.server_secret,
            "tenantID": s.tenant_id, **extra}


@pytest.fixture
def env(seeded, fake):
    services, s = seeded
    with services.store.transaction() as tx:
        sub = subscriptions.require_subscription(tx, s.subscription_id)
        resource_groups.put_group(tx, s.subscription_id, "myResourceGroup", {"location": "eastus"})
    return services, s, sub, fake


def put(env, name="myakscluster", b=None):
    services, _, sub, fake = env
    doc, created, op = managed_clusters.put_cluster(services, sub, "myResourceGroup", name, b or body(), fake)
    lifecycle.settle(services)
    return doc, created, op


def show(env, name="myakscluster") -> dict:
    services, s, _, _ = env
    with services.store.transaction(write=False) as tx:
        return managed_clusters.render(managed_clusters.require_cluster(tx, s.subscription_id, "myresourcegroup",
                                                                        name))


def error_of(fn) -> ArmError:
    with pytest.raises(ArmError) as info:
        fn()
    return info.value


def test_create_fills_in_what_aks_computes(env) -> None:
    doc, created, op = put(env)
    assert created and doc["provisioningState"] == "Creating" and op["status"] == "InProgress"
    shown = show(env)
    p = shown["properties"]
    assert shown["type"] == "Microsoft.ContainerService/ManagedClusters" and shown["location"] == "eastus"
    assert shown["id"].endswith("/resourcegroups/myResourceGroup/providers/Microsoft.ContainerService/"
                                "managedClusters/myakscluster")
    assert p["provisioningState"] == "Succeeded" and p["powerState"] == {"code": "Running"}
    assert p["kubernetesVersion"] == "1.32" and p["currentKubernetesVersion"].startswith("1.32.")
    assert p["nodeResourceGroup"] == "MC_myResourceGroup_myakscluster_eastus"
    assert p["fqdn"].startswith("myaks-") and p["fqdn"].endswith(".hcp.eastus.azmk8s.io")
    assert p["agentPoolProfiles"][0]["count"] == 1 and p["agentPoolProfiles"][0]["osType"] == "Linux"
    assert p["linuxProfile"]["ssh"]["publicKeys"][0]["keyData"] == SSH
    assert p["enableRBAC"] is True and p["aadProfile"] is None and p["networkProfile"]["networkPlugin"] == "azure"
    assert shown["identity"]["type"] == "SystemAssigned"
    spec = next(iter(env[3].clusters.values()))
    assert (spec.name, spec.resource_group, spec.node_count, spec.auth.mode) == ("myakscluster", "myResourceGroup",
                                                                                1, "none")
    with env[0].store.transaction(write=False) as tx:  # the node resource group is there, managed by the cluster
        node_rg = resource_groups.get_group(tx, env[1].subscription_id, p["nodeResourceGroup"])
    assert node_rg["managedBy"].lower() == shown["id"].lower()


def test_legacy_profile_at_creation_keeps_the_secret_out_of_arm(env) -> None:
    _, s, _, fake = env
    put(env, b=body(aadProfile=legacy(s)))
    profile = show(env)["properties"]["aadProfile"]
    assert profile["serverAppID"] == s.server_app_id and profile["clientAppID"] == s.client_app_id
    assert profile["serverAppSecret"] is None and profile["tenantID"] == s.tenant_id and not profile["managed"]
    auth = next(iter(fake.clusters.values())).auth
    assert (auth.mode, auth.server_app_id, auth.server_app_secret) == ("legacy", s.server_app_id, s.server_secret)
    with env[0].store.transaction(write=False) as tx:
        stored = tx.get(managed_clusters.MANAGED_CLUSTERS, managed_clusters.key(s.subscription_id, "myResourceGroup",
                                                                                "myakscluster"))
    assert s.server_secret not in repr(stored)


def test_legacy_tenant_defaults_to_the_subscription_tenant(env) -> None:
    _, s, _, _ = env
    profile = legacy(s)
    del profile["tenantID"]
    put(env, b=body(aadProfile=profile))
    assert show(env)["properties"]["aadProfile"]["tenantID"] == s.tenant_id


@pytest.mark.parametrize("change, code, target", [
    pytest.param({"enableRBAC": False}, "BadRequest", "aadProfile", id="legacy-needs-rbac"),
    pytest.param({"aadProfile": {"serverAppID": "11111111-1111-4111-8111-111111111111"}}, "InvalidParameter",
                 "aadProfile.serverAppID", id="unknown-server-app"),
    pytest.param({"aadProfile": {"serverAppSecret": None}}, "InvalidParameter", "aadProfile.serverAppSecret",
                 id="secret-required"),
    pytest.param({"aadProfile": {"serverAppID": "not-a-guid"}}, "InvalidParameter", "aadProfile.serverAppID",
                 id="malformed-app-id"),
])
def test_legacy_profile_refusals(env, change, code, target) -> None:
    _, s, _, fake = env
    change = dict(change)  # params are shared between the backends
    props = {"aadProfile": legacy(s, **change.pop("aadProfile", {})), **change}
    err = error_of(lambda: put(env, b=body(**props)))
    assert (err.status, err.code, err.target) == (400, code, target)
    assert not fake.clusters  # nothing half-made


def test_server_app_must_be_in_the_profiles_tenant(env) -> None:
    _, s, _, _ = env
    err = error_of(lambda: put(env, b=body(aadProfile=legacy(s, tenantID=s.other_tenant_id))))
    assert err.code == "InvalidParameter" and s.other_tenant_id in err.message


def test_managed_profile_at_creation(env) -> None:
    _, s, _, fake = env
    put(env, b=body(aadProfile={"managed": True, "adminGroupObjectIDs": [s.group_id]}))
    profile = show(env)["properties"]["aadProfile"]
    assert profile == {"managed": True, "enableAzureRBAC": False, "adminGroupObjectIDs": [s.group_id],
                       "adminUsers": None, "clientAppID": None, "serverAppID": None, "serverAppSecret": None,
                       "tenantID": s.tenant_id}
    spec = next(iter(fake.clusters.values()))
    assert spec.auth.mode == "managed" and spec.auth.server_app_id == AKS_SERVER_APP_ID
    assert spec.auth.client_app_id == AKS_CLIENT_APP_ID and spec.admin_group_ids == (s.group_id,)


def test_disable_local_accounts_needs_managed_aad(env) -> None:
    err = error_of(lambda: put(env, b=body(disableLocalAccounts=True)))
    assert err.code == "BadRequest" and err.target == "disableLocalAccounts"
    put(env, b=body(disableLocalAccounts=True, aadProfile={"managed": True}))
    spec = next(iter(env[3].clusters.values()))
    assert spec.local_accounts is False


def test_legacy_profile_cannot_be_added_after_creation(env) -> None:
    _, s, _, _ = env
    put(env)
    err = error_of(lambda: put(env, b=body(aadProfile=legacy(s))))
    assert (err.code, err.target) == ("PropertyChangeNotAllowed", "aadProfile")


def test_managed_profile_can_be_added_later(env) -> None:
    _, s, _, fake = env
    put(env)
    put(env, b=body(aadProfile={"managed": True, "adminGroupObjectIDs": [s.group_id]}))
    assert show(env)["properties"]["aadProfile"]["managed"] is True
    assert fake.updates[-1][1]["auth"].mode == "managed"


def test_migration_legacy_to_managed_drops_apps_and_secret(env) -> None:
    _, s, _, fake = env
    put(env, b=body(aadProfile=legacy(s)))
    echoed = show(env)  # what `az aks update --enable-aad --aad-admin-group-object-ids` sends back: GET + change
    echoed["properties"]["aadProfile"] = {"managed": True, "adminGroupObjectIDs": [s.group_id]}
    doc, created, _ = put(env, b=echoed)
    assert not created and doc["provisioningState"] == "Updating"
    profile = show(env)["properties"]["aadProfile"]
    assert profile["managed"] is True and profile["adminGroupObjectIDs"] == [s.group_id]
    assert profile["serverAppID"] is None and profile["clientAppID"] is None and profile["serverAppSecret"] is None
    assert profile["tenantID"] == s.tenant_id
    changes = fake.updates[-1][1]
    assert changes["auth"].mode == "managed" and changes["auth"].server_app_secret is None
    assert changes["admin_group_ids"] == (s.group_id,)


def test_managed_cannot_go_back_to_legacy(env) -> None:
    _, s, _, _ = env
    put(env, b=body(aadProfile={"managed": True}))
    err = error_of(lambda: put(env, b=body(aadProfile=legacy(s, managed=False))))
    assert (err.code, err.message) == ("PropertyChangeNotAllowed", "Changing property 'aadProfile.managed' is not "
                                                                   "allowed.")


def test_unchanged_legacy_profile_echoed_without_secret_is_accepted(env) -> None:
    _, s, _, fake = env
    put(env, b=body(aadProfile=legacy(s)))
    echoed = show(env)
    echoed["properties"]["agentPoolProfiles"][0]["count"] = 3
    put(env, b=echoed)
    assert show(env)["properties"]["aadProfile"]["serverAppID"] == s.server_app_id
    assert fake.updates[-1][1] == {"node_count": 3}


def test_legacy_app_ids_cannot_change_by_put(env) -> None:
    _, s, _, _ = env
    put(env, b=body(aadProfile=legacy(s)))
    err = error_of(lambda: put(env, b=body(aadProfile=legacy(s, clientAppID=s.server_app_id, serverAppSecret=None))))
    assert (err.code, err.target) == ("PropertyChangeNotAllowed", "aadProfile.clientAppID")


def test_reset_aad_profile(env) -> None:
    services, s, sub, fake = env
    put(env, b=body(aadProfile=legacy(s)))
    managed_clusters.reset_aad_profile(services, sub, "myResourceGroup", "myakscluster",
                                       legacy(s, serverAppSecret="new-secret"), fake)
    assert fake.updates[-1][1]["auth"].server_app_secret == "new-secret"
    put(env, "managed", body(aadProfile={"managed": True}))
    err = error_of(lambda: managed_clusters.reset_aad_profile(services, sub, "myResourceGroup", "managed", legacy(s),
                                                              fake))
    assert err.message == "Operation 'resetAADProfile' is not allowed for managed AAD enabled cluster."


@pytest.mark.parametrize("props, target", [
    pytest.param({"agentPoolProfiles": []}, "agentPoolProfiles", id="no-pools"),
    pytest.param({"agentPoolProfiles": [{"name": "Pool!", "count": 1}]}, "agentPoolProfiles[0].name", id="pool-name"),
    pytest.param({"agentPoolProfiles": [{"name": "np", "count": "3"}]}, "agentPoolProfiles[0].count", id="count-str"),
    pytest.param({"agentPoolProfiles": [{"name": "np", "count": 0}]}, "agentPoolProfiles[0].count", id="count-0"),
    pytest.param({"kubernetesVersion": "banana"}, "kubernetesVersion", id="version-shape"),
    pytest.param({"dnsPrefix": "-bad-"}, "dnsPrefix", id="dns-prefix"),
    pytest.param({"enableRBAC": "yes"}, "enableRBAC", id="rbac-type"),
    pytest.param({"linuxProfile": {"ssh": {"publicKeys": [{"keyData": "not a key"}]}}},
                 "linuxProfile.ssh.publicKeys.keyData", id="ssh-key"),
    pytest.param({"aadProfile": "managed"}, "aadProfile", id="aad-type"),
    pytest.param({"aadProfile": {"managed": True, "adminGroupObjectIDs": ["x"]}}, "aadProfile.adminGroupObjectIDs",
                 id="admin-groups"),
    pytest.param({"networkProfile": {"networkPlugin": "flannel"}}, "networkProfile.networkPlugin", id="plugin"),
])
def test_malformed_bodies_are_invalid_parameter(env, props, target) -> None:
    err = error_of(lambda: put(env, b=body(**props)))
    assert (err.status, err.target) == (400, target) and err.code in ("InvalidParameter", "K8sVersionNotSupported")


def test_unsupported_version_and_missing_location(env) -> None:
    err = error_of(lambda: put(env, b=body(kubernetesVersion="1.20.1")))
    assert err.code == "K8sVersionNotSupported"
    b = body()
    del b["location"]
    assert error_of(lambda: put(env, b=b)).code == "LocationRequired"
    assert error_of(lambda: put(env, "bad name")).code == "InvalidParameter"


@pytest.mark.parametrize("version, patch", [("1.30", "1.30."), ("1.31.8", "1.31.8"), ("1.32", "1.32.")])
def test_supported_versions(env, version, patch) -> None:
    put(env, b=body(kubernetesVersion=version))
    assert show(env)["properties"]["currentKubernetesVersion"].startswith(patch)


def test_immutable_properties(env) -> None:
    put(env)
    b = body()
    b["location"] = "westus2"
    assert error_of(lambda: put(env, b=b)).target == "location"
    assert error_of(lambda: put(env, b=body(enableRBAC=False))).target == "enableRBAC"


def test_missing_group_and_cluster(env) -> None:
    services, s, sub, fake = env
    err = error_of(lambda: managed_clusters.put_cluster(services, sub, "nope", "c", body(), fake))
    assert (err.status, err.code) == (404, "ResourceGroupNotFound")
    with services.store.transaction(write=False) as tx:
        err = error_of(lambda: managed_clusters.require_cluster(tx, s.subscription_id, "myResourceGroup", "nope"))
    assert (err.status, err.code) == (404, "ResourceNotFound")


def test_failed_provisioning_is_a_failed_operation(env) -> None:
    env[3].fail_with = RuntimeError("boom")
    _, _, op = put(env)
    assert show(env)["properties"]["provisioningState"] == "Failed"
    with env[0].store.transaction(write=False) as tx:
        finished = lifecycle.require_operation(tx, env[1].subscription_id, op["id"])
    assert finished["status"] == "Failed" and "boom" in finished["error"]["message"]


def test_a_put_on_a_failed_cluster_reconciles_it(env) -> None:
    env[3].fail_with = RuntimeError("boom")
    put(env)
    env[3].fail_with = None
    _, created, _ = put(env, b=show(env))
    assert not created and show(env)["properties"]["provisioningState"] == "Succeeded"
    assert len(env[3].clusters) == 1


def test_domain_modules_import_no_http_framework() -> None:
    import subprocess
    import sys

    code = ("import sys, akslocal.arm.managed_clusters, akslocal.arm.credentials, akslocal.arm.lifecycle; "
            "print([m for m in ('starlette', 'httpx', 'uvicorn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_delete_cluster_and_group(env) -> None:
    services, s, sub, fake = env
    put(env)
    put(env, "second")
    op = managed_clusters.delete_cluster(services, sub, "myResourceGroup", "myakscluster", fake)
    lifecycle.settle(services)
    assert op is not None and len(fake.deleted) == 1
    with services.store.transaction(write=False) as tx:
        assert managed_clusters.get_cluster(tx, s.subscription_id, "myResourceGroup", "myakscluster") is None
        assert resource_groups.get_group(tx, s.subscription_id, "MC_myResourceGroup_myakscluster_eastus") is None
    assert managed_clusters.delete_cluster(services, sub, "myResourceGroup", "myakscluster", fake) is None
    lifecycle.delete_group(services, sub, "myResourceGroup", fake)
    lifecycle.settle(services)
    assert len(fake.deleted) == 2
    with services.store.transaction(write=False) as tx:
        assert managed_clusters.list_in_subscription(tx, s.subscription_id) == []
        assert resource_groups.get_group(tx, s.subscription_id, "myResourceGroup") is None
