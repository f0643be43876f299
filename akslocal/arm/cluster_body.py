"""Parsing a ManagedCluster PUT body once: shapes, types and defaults of everything but aadProfile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akslocal.arm import aad_profile, errors, versions
from akslocal.arm.resource_groups import check_tags, normalise_location

CLUSTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,61}[A-Za-z0-9]$|^[A-Za-z0-9]$")
DNS_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,52}[A-Za-z0-9]$|^[A-Za-z0-9]$")
POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
DEFAULT_NETWORK = {
    "networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "none", "networkDataplane": "azure",
    "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
    "outboundType": "loadBalancer", "loadBalancerSku": "standard", "ipFamilies": ["IPv4"],
    "podCidrs": ["10.244.0.0/16"], "serviceCidrs": ["10.0.0.0/16"],
    "loadBalancerProfile": {"managedOutboundIPs": {"count": 1}, "backendPoolType": "nodeIPConfiguration"},
}
NETWORK_PLUGINS = ("azure", "kubenet", "none")


@dataclass(frozen=True)
class ClusterRequest:
    location: str
    tags: dict[str, str] | None
    kubernetes_version: str  # as requested (minor or patch)
    current_version: str  # the patch that runs
    dns_prefix: str | None
    agent_pools: list[dict[str, Any]]
    linux_profile: dict[str, Any] | None
    enable_rbac: bool
    network_profile: dict[str, Any]
    identity: dict[str, Any] | None
    service_principal_client_id: str | None
    aad: aad_profile.AadRequest | None
    disable_local_accounts: bool
    sku: dict[str, Any]
    addon_profiles: dict[str, Any]


def check_name(name: str) -> None:
    if not CLUSTER_NAME.fullmatch(name):
        raise errors.invalid_parameter(
            f"The value of parameter resourceName '{name[:100]}' is invalid: it must contain between 1 and 63 "
            "characters, only letters, numbers, underscores and hyphens, and start and end with a letter or number.",
            "resourceName")


def _int(value: Any, target: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise errors.invalid_parameter(f"The value of parameter {target} is invalid: it must be an integer from "
                                       f"{low} to {high}.", target)
    return value


def _str(value: Any, target: str, limit: int = 256) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise errors.invalid_parameter(f"The value of parameter {target} is invalid.", target)
    return value


def _agent_pools(raw: Any, current_version: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise errors.invalid_parameter("At least one agent pool (agentPoolProfiles) is required.", "agentPoolProfiles")
    if len(raw) > 100:
        raise errors.invalid_parameter("At most 100 agent pools are allowed.", "agentPoolProfiles")
    pools, names = [], set()
    for i, pool in enumerate(raw):
        target = f"agentPoolProfiles[{i}]"
        if not isinstance(pool, dict):
            raise errors.invalid_parameter(f"The value of parameter {target} is invalid.", target)
        name = pool.get("name") or ("nodepool1" if i == 0 else "")
        if not isinstance(name, str) or not POOL_NAME.fullmatch(name):
            raise errors.invalid_parameter(
                f"The agent pool name '{str(name)[:40]}' is invalid: it must start with a lowercase letter and "
                "contain only lowercase letters and numbers (at most 12).", f"{target}.name")
        if name in names:
            raise errors.invalid_parameter(f"The agent pool name '{name}' is used twice.", f"{target}.name")
        names.add(name)
        mode = pool.get("mode") or ("System" if i == 0 else "User")
        if mode not in ("System", "User"):
            raise errors.invalid_parameter(f"The value of parameter {target}.mode is invalid.", f"{target}.mode")
        count = _int(pool.get("count", 3), f"{target}.count", 1 if mode == "System" else 0, 1000)
        os_type = pool.get("osType") or "Linux"
        if os_type not in ("Linux", "Windows"):
            raise errors.invalid_parameter(f"The value of parameter {target}.osType is invalid.", f"{target}.osType")
        max_pods = _int(pool.get("maxPods", 250), f"{target}.maxPods", 10, 250)
        vm_size = _str(pool.get("vmSize") or "Standard_DS2_v2", f"{target}.vmSize", 64)
        pools.append({
            "name": name, "count": count, "vmSize": vm_size, "osDiskSizeGB": 128, "osDiskType": "Managed",
            "kubeletDiskType": "OS", "maxPods": max_pods, "type": pool.get("type") or "VirtualMachineScaleSets",
            "enableAutoScaling": bool(pool.get("enableAutoScaling", False)), "powerState": {"code": "Running"},
            "orchestratorVersion": current_version, "currentOrchestratorVersion": current_version,
            "enableNodePublicIP": False, "mode": mode, "osType": os_type,
            "osSKU": "Ubuntu" if os_type == "Linux" else "Windows2022",
            "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202505.14.0", "enableFIPS": False,
            "securityProfile": {"enableVTPM": False, "enableSecureBoot": False},
        })
    if not any(p["mode"] == "System" for p in pools):
        raise errors.invalid_parameter("A cluster needs at least one System agent pool.", "agentPoolProfiles")
    return pools


def _linux_profile(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise errors.invalid_parameter("The value of parameter linuxProfile is invalid.", "linuxProfile")
    user = raw.get("adminUsername") or "azureuser"
    if not isinstance(user, str) or not re.fullmatch(r"[A-Za-z][-A-Za-z0-9_]{0,31}", user):
        raise errors.invalid_parameter("The value of parameter linuxProfile.adminUsername is invalid.",
                                       "linuxProfile.adminUsername")
    keys = ((raw.get("ssh") or {}).get("publicKeys") if isinstance(raw.get("ssh"), dict) else None) or []
    if not isinstance(keys, list) or len(keys) != 1 or not isinstance(keys[0], dict):
        raise errors.invalid_parameter("linuxProfile.ssh.publicKeys must hold exactly one key.",
                                       "linuxProfile.ssh.publicKeys")
    data = keys[0].get("keyData")
    if not isinstance(data, str) or len(data) > 16384 or not re.match(r"^(ssh-(rsa|ed25519)|ecdsa-sha2-\S+) \S+",
                                                                        data.strip()):
        raise errors.invalid_parameter("The value of parameter linuxProfile.ssh.publicKeys.keyData is invalid: it "
                                       "must be an OpenSSH public key.", "linuxProfile.ssh.publicKeys.keyData")
    return {"adminUsername": user, "ssh": {"publicKeys": [{"keyData": data.strip()}]}}


def _network(raw: Any) -> dict[str, Any]:
    if raw is None:
        return dict(DEFAULT_NETWORK)
    if not isinstance(raw, dict):
        raise errors.invalid_parameter("The value of parameter networkProfile is invalid.", "networkProfile")
    plugin = raw.get("networkPlugin") or DEFAULT_NETWORK["networkPlugin"]
    if plugin not in NETWORK_PLUGINS:
        raise errors.invalid_parameter(f"The value of parameter networkProfile.networkPlugin is invalid: "
                                       f"'{str(plugin)[:40]}'.", "networkProfile.networkPlugin")
    out = dict(DEFAULT_NETWORK)
    if plugin == "kubenet":
        out.pop("networkPluginMode")
        out["networkDataplane"] = "azure"
    out.update({k: v for k, v in raw.items() if v is not None and isinstance(k, str) and len(k) < 64})
    out["networkPlugin"] = plugin
    return out


def _identity(raw: Any, sp_profile: Any) -> tuple[dict | None, str | None]:
    client_id = sp_profile.get("clientId") if isinstance(sp_profile, dict) else None
    if client_id is not None and client_id != "msi" and not isinstance(client_id, str):
        raise errors.invalid_parameter("The value of parameter servicePrincipalProfile.clientId is invalid.",
                                       "servicePrincipalProfile.clientId")
    if raw is None:
        return ({"type": "SystemAssigned"} if client_id in (None, "msi") else None), client_id
    if not isinstance(raw, dict) or raw.get("type") not in ("SystemAssigned", "UserAssigned", "None"):
        raise errors.invalid_parameter("The value of parameter identity.type is invalid.", "identity.type")
    if raw["type"] == "None":
        return None, client_id
    out = {"type": raw["type"]}
    if raw["type"] == "UserAssigned":
        ids = raw.get("userAssignedIdentities")
        if not isinstance(ids, dict) or len(ids) != 1:
            raise errors.invalid_parameter("identity.userAssignedIdentities must hold exactly one identity.",
                                           "identity.userAssignedIdentities")
        out["userAssignedIdentities"] = {str(k)[:512]: {} for k in ids}
    return out, client_id


def parse(body: Any) -> ClusterRequest:
    if not isinstance(body, dict):
        raise errors.invalid_content("the request body must be a JSON object.")
    props = body.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise errors.invalid_parameter("The value of parameter properties is invalid.", "properties")
    requested, current = versions.resolve(props.get("kubernetesVersion"))
    dns_prefix = props.get("dnsPrefix")
    if dns_prefix is not None and (not isinstance(dns_prefix, str) or not DNS_PREFIX.fullmatch(dns_prefix)):
        raise errors.invalid_parameter(
            f"The value of parameter dnsPrefix '{str(dns_prefix)[:60]}' is invalid: it must contain between 1 and 54 "
            "characters, only letters, numbers and hyphens, and start and end with a letter or number.", "dnsPrefix")
    enable_rbac = props.get("enableRBAC", True)
    if not isinstance(enable_rbac, bool):
        raise errors.invalid_parameter("The value of parameter enableRBAC is invalid.", "enableRBAC")
    disable_local = props.get("disableLocalAccounts", False)
    if disable_local is None:
        disable_local = False
    if not isinstance(disable_local, bool):
        raise errors.invalid_parameter("The value of parameter disableLocalAccounts is invalid.",
                                       "disableLocalAccounts")
    identity, sp_client = _identity(body.get("identity"), props.get("servicePrincipalProfile"))
    sku = body.get("sku") or {"name": "Base", "tier": "Free"}
    if not isinstance(sku, dict) or sku.get("tier", "Free") not in ("Free", "Standard", "Premium"):
        raise errors.invalid_parameter("The value of parameter sku is invalid.", "sku")
    addons = props.get("addonProfiles") or {}
    if not isinstance(addons, dict):
        raise errors.invalid_parameter("The value of parameter addonProfiles is invalid.", "addonProfiles")
    return ClusterRequest(
        location=normalise_location(body.get("location"), "location"), tags=check_tags(body.get("tags")),
        kubernetes_version=requested, current_version=current, dns_prefix=dns_prefix,
        agent_pools=_agent_pools(props.get("agentPoolProfiles"), current),
        linux_profile=_linux_profile(props.get("linuxProfile")), enable_rbac=enable_rbac,
        network_profile=_network(props.get("networkProfile")), identity=identity,
        service_principal_client_id=sp_client, aad=aad_profile.parse(props.get("aadProfile")),
        disable_local_accounts=disable_local,
        sku={"name": sku.get("name") or "Base", "tier": sku.get("tier") or "Free"},
        addon_profiles={str(k)[:64]: v for k, v in addons.items() if isinstance(v, dict)},
    )


def default_dns_prefix(name: str, group: str, subscription_id: str) -> str:
    """As az builds it: ``<name[:10]>-<group[:16]>-<subscription[:6]>``, letters, digits and hyphens only."""
    clean = [re.sub(r"[^A-Za-z0-9-]", "", part) for part in (name[:10], group[:16], subscription_id[:6])]
    prefix = "-".join(p for p in clean if p).strip("-")
    return prefix[:54] or "aks"
