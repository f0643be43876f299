"""``Microsoft.ContainerService/managedClusters``: create, update, read, list, delete, reset AAD.

Each cluster is an ``arm.managed_cluster`` record plus a Kubernetes API server made by the
cluster piece (``akslocal.kube.provision``, passed in as ``provisioner`` so domain tests can
use a fake).  The API server is provisioned when the PUT is accepted; the long-running
operation then reports the time AKS would take (see ``operations``).
"""

from __future__ import annotations

from typing import Any

from akslocal.arm import aad_profile, cluster_body, errors, operations, resource_groups, role_assignments
from akslocal.arm.kinds import MANAGED_CLUSTERS
from akslocal.store import AlreadyExists

TYPE = "Microsoft.ContainerService/managedClusters"
CREATE, UPDATE, DELETE = "cluster.create", "cluster.update", "cluster.delete"


def default_provisioner():
    from akslocal.kube import provision

    return provision


def key(subscription_id: str, group: str, name: str) -> str:
    return f"{subscription_id}/{group.lower()}/{name.lower()}"


def cluster_id(doc: dict) -> str:
    return (f"/subscriptions/{doc['subscriptionId']}/resourcegroups/{doc['resourceGroup']}/providers/"
            f"Microsoft.ContainerService/managedClusters/{doc['name']}")


def node_resource_group(group: str, name: str, location: str) -> str:
    return f"MC_{group}_{name}_{location}"[:80]


def get_cluster(tx, subscription_id: str, group: str, name: str) -> dict | None:
    if not isinstance(name, str) or not cluster_body.CLUSTER_NAME.fullmatch(name):
        return None
    return tx.get(MANAGED_CLUSTERS, key(subscription_id, group, name))


def require_cluster(tx, subscription_id: str, group: str, name: str) -> dict:
    resource_groups.require_group(tx, subscription_id, group)
    doc = get_cluster(tx, subscription_id, group, name)
    if doc is None:
        raise errors.resource_not_found(TYPE, name, group)
    return doc


def list_in_group(tx, subscription_id: str, group: str) -> list[dict]:
    return sorted((r.doc for r in tx.find(MANAGED_CLUSTERS, "group", f"{subscription_id}/{group.lower()}")),
                  key=lambda d: d["name"].lower())


def list_in_subscription(tx, subscription_id: str) -> list[dict]:
    return sorted((r.doc for r in tx.find(MANAGED_CLUSTERS, "subscription", subscription_id)),
                  key=lambda d: (d["resourceGroup"].lower(), d["name"].lower()))


def _auth(profile: dict | None, secret: str | None):
    from akslocal.kube.provision import ClusterAuth

    if profile is None:
        return ClusterAuth("none")
    if profile.get("managed"):
        return ClusterAuth("managed", tenant_id=profile["tenantID"], server_app_id=aad_profile.AKS_SERVER_APP_ID,
                           client_app_id=aad_profile.AKS_CLIENT_APP_ID)
    return ClusterAuth("legacy", tenant_id=profile["tenantID"], server_app_id=profile["serverAppID"],
                       server_app_secret=secret, client_app_id=profile["clientAppID"])


def _system_pool(pools: list[dict]) -> dict:
    return next(p for p in pools if p["mode"] == "System")


def _busy(tx, doc: dict) -> None:
    op = operations.get(tx, doc.get("operationId") or "")
    if op is not None and op["status"] == operations.IN_PROGRESS:
        verb = {CREATE: "Creating", UPDATE: "Updating", DELETE: "Deleting"}.get(op["kind"], "Updating")
        raise errors.ArmError(409, "OperationNotAllowed",
                              f"Operation is not allowed because there's an in progress {verb.lower()} operation "
                              f"({op['id']}) on the managed cluster. Please wait for it to finish.")


def _failure(exc: Exception) -> dict:
    return {"code": "InternalOperationError", "message": f"Provisioning the cluster failed: {str(exc)[:300]}"}


def put_cluster(services, subscription: dict, group: str, name: str, body: Any,
                provisioner=None) -> tuple[dict, bool, dict]:
    """PUT: create or update. Returns (cluster, created, operation)."""
    provisioner = provisioner or default_provisioner()
    sub_id = subscription["subscriptionId"]
    cluster_body.check_name(name)
    req = cluster_body.parse(body)
    store, now, entropy = services.store, services.clock.now(), services.entropy
    with store.transaction(write=False) as tx:
        rg = resource_groups.require_group(tx, sub_id, group)
        existing = get_cluster(tx, sub_id, group, name)
        if existing is None:
            profile = aad_profile.for_create(tx, req.aad, subscription_tenant=subscription["tenantId"],
                                             enable_rbac=req.enable_rbac)
        else:
            _busy(tx, existing)
            profile, migrated = aad_profile.for_update(tx, existing["properties"].get("aadProfile"), req.aad,
                                                       subscription_tenant=subscription["tenantId"],
                                                       enable_rbac=req.enable_rbac)
    aad_profile.check_azure_rbac(profile)
    aad_profile.check_local_accounts(profile, req.disable_local_accounts)
    if existing is None:
        return _create(services, provisioner, subscription, rg, name, req, profile, now, entropy)
    return _update(services, provisioner, existing, req, profile, migrated, now, entropy)


def _create(services, provisioner, subscription, rg, name, req, profile, now, entropy):
    from akslocal.kube.provision import ClusterSpec

    sub_id, group = subscription["subscriptionId"], rg["name"]
    dns_prefix = req.dns_prefix or cluster_body.default_dns_prefix(name, group, sub_id)
    suffix = entropy.token_bytes(4).hex()
    identity = dict(req.identity) if req.identity else None
    if identity is not None:
        identity.update(principalId=entropy.guid(), tenantId=subscription["tenantId"])
    kube_id = entropy.guid()
    pool = _system_pool(req.agent_pools)
    secret = req.aad.server_app_secret if req.aad is not None and profile and not profile.get("managed") else None
    error = None
    try:
        provisioner.provision_cluster(services, ClusterSpec(
            cluster_id=kube_id, name=name, resource_group=group, kubernetes_version=req.current_version,
            node_count=pool["count"], auth=_auth(profile, secret),
            admin_group_ids=tuple((profile or {}).get("adminGroupObjectIDs") or ()),
            local_accounts=not req.disable_local_accounts, node_pool=pool["name"]))
    except Exception as exc:
        error = _failure(exc)
    node_rg = node_resource_group(group, name, req.location)
    doc = {
        "subscriptionId": sub_id, "resourceGroup": group, "name": name, "location": req.location, "tags": req.tags,
        "sku": req.sku, "identity": identity, "kubeClusterId": kube_id, "provisioningState": "Creating",
        "properties": {
            "kubernetesVersion": req.kubernetes_version, "currentKubernetesVersion": req.current_version,
            "dnsPrefix": dns_prefix, "fqdn": f"{dns_prefix}-{suffix}.hcp.{req.location}.azmk8s.io".lower(),
            "azurePortalFQDN": f"{dns_prefix}-{suffix}.portal.hcp.{req.location}.azmk8s.io".lower(),
            "agentPoolProfiles": req.agent_pools, "linuxProfile": req.linux_profile,
            "servicePrincipalProfile": {"clientId": req.service_principal_client_id or "msi"},
            "addonProfiles": req.addon_profiles, "nodeResourceGroup": node_rg, "enableRBAC": req.enable_rbac,
            "networkProfile": req.network_profile, "aadProfile": profile,
            "disableLocalAccounts": req.disable_local_accounts,
        },
    }
    if identity is not None:
        # The kubelet's user-assigned identity in the node resource group (az reads it on update).
        doc["kubeletIdentity"] = {
            "resourceId": f"/subscriptions/{sub_id}/resourcegroups/{node_rg}/providers/"
                          f"Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool",
            "clientId": entropy.guid(), "objectId": entropy.guid()}
    op_id = entropy.guid()
    doc["operationId"] = op_id
    try:
        with services.store.transaction() as tx:
            tx.create(MANAGED_CLUSTERS, key(sub_id, group, name), doc)
            op = operations.start(tx, op_id=op_id, now=now, delay=services.settings.operation_delay, kind=CREATE,
                                  resource_key=key(sub_id, group, name), subscription_id=sub_id,
                                  location=req.location, error=error)
            if resource_groups.get_group(tx, sub_id, node_rg) is None:
                resource_groups.put_group(tx, sub_id, node_rg, {"location": req.location},
                                          managed_by=cluster_id(doc))
    except AlreadyExists as exc:
        if error is None:
            provisioner.delete_cluster(services, kube_id)
        raise errors.ArmError(409, "Conflict", f"The managed cluster '{name}' is being created by another "
                                               "request.") from exc
    return doc, True, op


def _reprovision(services, provisioner, existing: dict, req, profile: dict | None) -> dict | None:
    from akslocal.kube.provision import ClusterSpec

    pool = _system_pool(req.agent_pools)
    secret = req.aad.server_app_secret if req.aad is not None and profile and not profile.get("managed") else None
    if profile and not profile.get("managed") and not secret:
        return {"code": "InvalidParameter", "message": "Reconciling a failed legacy Azure AD cluster needs "
                                                       "aadProfile.serverAppSecret again."}
    try:
        provisioner.delete_cluster(services, existing["kubeClusterId"])
        provisioner.provision_cluster(services, ClusterSpec(
            cluster_id=existing["kubeClusterId"], name=existing["name"], resource_group=existing["resourceGroup"],
            kubernetes_version=existing["properties"]["currentKubernetesVersion"], node_count=pool["count"],
            auth=_auth(profile, secret), admin_group_ids=tuple((profile or {}).get("adminGroupObjectIDs") or ()),
            local_accounts=not req.disable_local_accounts, node_pool=pool["name"]))
    except Exception as exc:
        return _failure(exc)
    return None


def _same(field: str, old: Any, new: Any) -> None:
    if new is not None and old != new:
        raise errors.ArmError(400, "PropertyChangeNotAllowed", f"Changing property '{field}' is not allowed.", field)


def _update(services, provisioner, existing, req, profile, migrated, now, entropy):
    props = existing["properties"]
    _same("location", existing["location"], req.location)
    _same("dnsPrefix", props["dnsPrefix"], req.dns_prefix)
    _same("enableRBAC", props["enableRBAC"], req.enable_rbac)
    if req.current_version != props["currentKubernetesVersion"] and req.kubernetes_version != props[
            "kubernetesVersion"]:
        raise errors.ArmError(400, "OperationNotAllowed", "Upgrading the Kubernetes version is not emulated by "
                              "akslocal; create a new cluster with the version you want.", "kubernetesVersion")
    old_profile = props.get("aadProfile")
    pool = _system_pool(req.agent_pools)
    changes: dict[str, Any] = {}
    if profile != old_profile:
        changes["auth"] = _auth(profile, None)
        changes["admin_group_ids"] = tuple((profile or {}).get("adminGroupObjectIDs") or ())
    if req.disable_local_accounts != props.get("disableLocalAccounts", False):
        changes["local_accounts"] = not req.disable_local_accounts
    if pool["count"] != _system_pool(props["agentPoolProfiles"])["count"]:
        changes["node_count"] = pool["count"]
    error = None
    if existing["provisioningState"] == "Failed":
        # A PUT on a failed cluster reconciles it, as on AKS: provision what is missing.
        error = _reprovision(services, provisioner, existing, req, profile)
    elif changes:
        try:
            provisioner.update_cluster(services, existing["kubeClusterId"], **changes)
        except Exception as exc:
            error = _failure(exc)
    k = key(existing["subscriptionId"], existing["resourceGroup"], existing["name"])
    op_id = entropy.guid()
    with services.store.transaction() as tx:
        doc = tx.get(MANAGED_CLUSTERS, k)
        if doc is None:
            raise errors.resource_not_found(TYPE, existing["name"], existing["resourceGroup"])
        doc["tags"] = req.tags if req.tags is not None else doc.get("tags")
        doc["sku"] = req.sku
        p = doc["properties"]
        p.update(agentPoolProfiles=req.agent_pools, aadProfile=profile,
                 disableLocalAccounts=req.disable_local_accounts, addonProfiles=req.addon_profiles,
                 networkProfile={**p["networkProfile"], **{k2: v for k2, v in req.network_profile.items()
                                                           if k2 not in cluster_body.DEFAULT_NETWORK}})
        if req.linux_profile is not None:
            p["linuxProfile"] = req.linux_profile
        if migrated:
            doc["migratedToManagedAt"] = now
        doc["provisioningState"] = "Updating"
        doc["operationId"] = op_id
        tx.put(MANAGED_CLUSTERS, k, doc)
        op = operations.start(tx, op_id=op_id, now=now, delay=services.settings.operation_delay, kind=UPDATE,
                              resource_key=k, subscription_id=doc["subscriptionId"], location=doc["location"],
                              error=error)
    return doc, False, op


def reset_aad_profile(services, subscription: dict, group: str, name: str, body: Any, provisioner=None) -> dict:
    """POST resetAADProfile (legacy clusters only): new app ids and secret. Returns the operation."""
    provisioner = provisioner or default_provisioner()
    sub_id = subscription["subscriptionId"]
    with services.store.transaction(write=False) as tx:
        doc = require_cluster(tx, sub_id, group, name)
        _busy(tx, doc)
        profile, secret = aad_profile.for_reset(tx, doc["properties"].get("aadProfile"), body)
    error = None
    try:
        provisioner.update_cluster(services, doc["kubeClusterId"], auth=_auth(profile, secret))
    except Exception as exc:
        error = _failure(exc)
    k = key(sub_id, doc["resourceGroup"], doc["name"])
    op_id = services.entropy.guid()
    with services.store.transaction() as tx:
        current = tx.require(MANAGED_CLUSTERS, k)
        current["properties"]["aadProfile"] = profile
        current["provisioningState"] = "Updating"
        current["operationId"] = op_id
        tx.put(MANAGED_CLUSTERS, k, current)
        return operations.start(tx, op_id=op_id, now=services.clock.now(), delay=services.settings.operation_delay,
                                kind=UPDATE, resource_key=k, subscription_id=sub_id, location=current["location"],
                                error=error)


def delete_cluster(services, subscription: dict, group: str, name: str, provisioner=None) -> dict | None:
    """DELETE. Returns the operation, or None when there was no such cluster (204)."""
    provisioner = provisioner or default_provisioner()
    sub_id = subscription["subscriptionId"]
    with services.store.transaction(write=False) as tx:
        resource_groups.require_group(tx, sub_id, group)
        doc = get_cluster(tx, sub_id, group, name)
        if doc is None:
            return None
        if doc["provisioningState"] == "Deleting":
            return operations.get(tx, doc["operationId"])
        _busy(tx, doc)
    provisioner.delete_cluster(services, doc["kubeClusterId"])
    k = key(sub_id, doc["resourceGroup"], doc["name"])
    op_id = services.entropy.guid()
    with services.store.transaction() as tx:
        current = tx.get(MANAGED_CLUSTERS, k)
        if current is None:
            return None
        current["provisioningState"] = "Deleting"
        current["operationId"] = op_id
        tx.put(MANAGED_CLUSTERS, k, current)
        return operations.start(tx, op_id=op_id, now=services.clock.now(), delay=services.settings.operation_delay,
                                kind=DELETE, resource_key=k, subscription_id=sub_id, location=current["location"])


def remove_record(tx, doc: dict) -> None:
    """The last step of a delete: the record, its node resource group and role assignments at its scope."""
    k = key(doc["subscriptionId"], doc["resourceGroup"], doc["name"])
    if tx.get(MANAGED_CLUSTERS, k) is not None:
        tx.delete(MANAGED_CLUSTERS, k)
    node_rg = resource_groups.get_group(tx, doc["subscriptionId"], doc["properties"]["nodeResourceGroup"])
    if node_rg is not None and (node_rg.get("managedBy") or "").lower() == cluster_id(doc).lower():
        resource_groups.remove(tx, doc["subscriptionId"], node_rg["name"])
    role_assignments.delete_under(tx, doc["subscriptionId"], cluster_id(doc))


def complete(tx, op: dict) -> None:
    """Operation completer for the cluster kinds."""
    doc = tx.get(MANAGED_CLUSTERS, op["resourceKey"])
    if doc is None or doc.get("operationId") != op["id"]:
        return
    if op["kind"] == DELETE:
        remove_record(tx, doc)
        return
    doc["provisioningState"] = "Failed" if op["status"] == operations.FAILED else "Succeeded"
    tx.put(MANAGED_CLUSTERS, op["resourceKey"], doc)


def render(doc: dict) -> dict[str, Any]:
    """The ManagedCluster as GET returns it (no secrets)."""
    p = doc["properties"]
    state = doc["provisioningState"]
    pools = [dict(pool, provisioningState=state) for pool in p["agentPoolProfiles"]]
    props = {
        "provisioningState": state, "powerState": {"code": "Running"},
        "kubernetesVersion": p["kubernetesVersion"], "currentKubernetesVersion": p["currentKubernetesVersion"],
        "dnsPrefix": p["dnsPrefix"], "fqdn": p["fqdn"], "azurePortalFQDN": p["azurePortalFQDN"],
        "agentPoolProfiles": pools, "linuxProfile": p["linuxProfile"],
        "servicePrincipalProfile": p["servicePrincipalProfile"], "addonProfiles": p["addonProfiles"],
        "nodeResourceGroup": p["nodeResourceGroup"], "enableRBAC": p["enableRBAC"], "supportPlan": "KubernetesOfficial",
        "networkProfile": p["networkProfile"], "aadProfile": aad_profile.render(p.get("aadProfile")),
        "maxAgentPools": 100, "disableLocalAccounts": p.get("disableLocalAccounts", False),
        "autoUpgradeProfile": {"upgradeChannel": "none", "nodeOSUpgradeChannel": "NodeImage"},
        "oidcIssuerProfile": {"enabled": False}, "securityProfile": {}, "storageProfile": {
            "diskCSIDriver": {"enabled": True}, "fileCSIDriver": {"enabled": True},
            "snapshotController": {"enabled": True}},
        "resourceUID": doc["kubeClusterId"],
    }
    out = {"id": cluster_id(doc), "location": doc["location"], "name": doc["name"], "tags": doc.get("tags"),
           "type": "Microsoft.ContainerService/ManagedClusters", "kind": "Base", "sku": doc["sku"],
           "properties": props}
    if doc.get("identity"):
        out["identity"] = doc["identity"]
    if doc.get("kubeletIdentity"):
        props["identityProfile"] = {"kubeletidentity": doc["kubeletIdentity"]}
    return out


def render_agent_pools(doc: dict) -> list[dict[str, Any]]:
    """The cluster's pools as ``…/agentPools`` resources (``az aks nodepool list``)."""
    return [{"id": f"{cluster_id(doc)}/agentPools/{pool['name']}", "name": pool["name"],
             "type": "Microsoft.ContainerService/managedClusters/agentPools",
             "properties": {**{k: v for k, v in pool.items() if k != "name"},
                            "provisioningState": doc["provisioningState"]}}
            for pool in doc["properties"]["agentPoolProfiles"]]


def render_upgrade_profile(doc: dict) -> dict[str, Any]:
    """``…/upgradeProfiles/default`` (``az aks get-upgrades``)."""
    from akslocal.arm import versions

    current = doc["properties"]["currentKubernetesVersion"]
    upgrades = [{"kubernetesVersion": v, "isPreview": None} for v in versions.upgrades(current)] or None
    return {"id": f"{cluster_id(doc)}/upgradeprofiles/default", "name": "default",
            "type": "Microsoft.ContainerService/managedClusters/upgradeprofiles",
            "properties": {
                "controlPlaneProfile": {"kubernetesVersion": current, "name": None, "osType": "Linux",
                                        "upgrades": upgrades},
                "agentPoolProfiles": [{"kubernetesVersion": current, "name": p["name"], "osType": p["osType"],
                                       "upgrades": upgrades} for p in doc["properties"]["agentPoolProfiles"]]}}
