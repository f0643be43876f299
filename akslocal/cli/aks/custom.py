"""``azlocal aks ...`` over Resource Manager's managedClusters (entra-protocol.md §7).

Legacy Entra integration (``--aad-server-app-id`` …) and AKS-managed Entra ID
(``--enable-aad``) map to ``properties.aadProfile``; the service validates them (legacy
only at creation, only with Kubernetes RBAC). Long operations are polled with az's
``- Running ..`` indicator on a terminal.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

from knack.log import get_logger

from akslocal.cli.aks import _format
from akslocal.cli.core.errors import (
    ArgumentUsageError,
    AzLocalError,
    InvalidArgumentValueError,
    ResourceNotFoundError,
)
from akslocal.cli.core.rest import ARM_API, ArmClient

logger = get_logger(__name__)
API = ARM_API["managedClusters"]
RG_API = ARM_API["resourcegroups"]
PROVIDER = "providers/Microsoft.ContainerService"


def _arm() -> ArmClient:
    from akslocal.cli.app import session

    return ArmClient(session())


def _path(arm: ArmClient, resource_group: str, name: str) -> str:
    return (f"/subscriptions/{arm.subscription}/resourceGroups/{quote(resource_group, safe='')}/{PROVIDER}"
            f"/managedClusters/{quote(name, safe='')}")


def _progress():
    from akslocal.cli.core.progress import Progress

    return Progress()


def _dns_prefix(name: str, resource_group: str, subscription: str) -> str:
    name_part = re.sub("[^A-Za-z0-9-]", "", name)[:10]
    if not name_part or not name_part[0].isalpha():
        name_part = ("a" + name_part)[:10]
    group_part = re.sub("[^A-Za-z0-9-]", "", resource_group)[:16]
    return f"{name_part}-{group_part}-{subscription[:6]}"


def _ssh_key(ssh_key_value: str | None, generate: bool, no_ssh_key: bool) -> str | None:
    if no_ssh_key:
        return None
    source = ssh_key_value or os.path.join(os.path.expanduser("~"), ".ssh", "id_rsa.pub")
    if os.path.exists(source):
        return Path(source).read_text().strip()
    if ssh_key_value and ssh_key_value.startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-")):
        return ssh_key_value.strip()
    if not generate:
        if ssh_key_value:
            raise AzLocalError("The SSH key provided is not a valid RSA public key. Provide the contents of a valid "
                               "SSH public key (for example, '~/.ssh/id_rsa.pub'), specify a path to a public key "
                               "file, or add --generate-ssh-keys as a parameter to create a new key pair.")
        return None
    return _generate_ssh_keys(source)


def _generate_ssh_keys(public_path: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_path = public_path[:-4] if public_path.lower().endswith(".pub") else public_path + ".private"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    Path(private_path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(private_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    Path(public_path).write_text(public + "\n")
    logger.warning("SSH key files '%s' and '%s' have been generated under ~/.ssh to allow SSH access to the VM. If "
                   "using machines without permanent storage like Azure Cloud Shell without an attached file share, "
                   "back up your keys to a safe location", private_path, public_path)
    return public


def _group_ids(value: str | None) -> list[str]:
    return [g.strip() for g in (value or "").split(",") if g.strip()]


def aks_create(resource_group, name, location=None, node_count=3, generate_ssh_keys=False, ssh_key_value=None,
               no_ssh_key=False, kubernetes_version=None, dns_name_prefix=None, node_vm_size="Standard_DS2_v2",
               nodepool_name="nodepool1", aad_server_app_id=None, aad_server_app_secret=None, aad_client_app_id=None,
               aad_tenant_id=None, enable_aad=False, aad_admin_group_object_ids=None, enable_azure_rbac=False,
               disable_rbac=False, disable_local_accounts=False, tags=None, no_wait=False):
    """Create a managed Kubernetes cluster."""
    legacy = any((aad_server_app_id, aad_server_app_secret, aad_client_app_id))
    if enable_aad and legacy:
        raise ArgumentUsageError('"--enable-aad" cannot be used together with '
                                 '"--aad-client-app-id/--aad-server-app-id/--aad-server-app-secret"')
    if enable_azure_rbac and not enable_aad:
        raise ArgumentUsageError("--enable-azure-rbac can only be used together with --enable-aad")
    if enable_azure_rbac and disable_rbac:
        raise ArgumentUsageError("--enable-azure-rbac cannot be used together with --disable-rbac")
    if aad_admin_group_object_ids and not enable_aad:
        raise ArgumentUsageError("--aad-admin-group-object-ids can only be used together with --enable-aad")
    arm = _arm()
    if location is None:
        group = arm.get(f"/subscriptions/{arm.subscription}/resourcegroups/{quote(resource_group, safe='')}", RG_API)
        location = group["location"]
    properties: dict = {
        "kubernetesVersion": kubernetes_version or "",
        "dnsPrefix": dns_name_prefix or _dns_prefix(name, resource_group, arm.subscription),
        "agentPoolProfiles": [{"name": nodepool_name, "count": node_count, "vmSize": node_vm_size,
                               "osType": "Linux", "type": "VirtualMachineScaleSets", "mode": "System"}],
        "enableRBAC": not disable_rbac,
        "disableLocalAccounts": bool(disable_local_accounts),
    }
    key = _ssh_key(ssh_key_value, generate_ssh_keys, no_ssh_key)
    if key:
        properties["linuxProfile"] = {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": key}]}}
    if legacy:
        properties["aadProfile"] = {"clientAppID": aad_client_app_id, "serverAppID": aad_server_app_id,
                                    "serverAppSecret": aad_server_app_secret, "tenantID": aad_tenant_id}
    elif enable_aad:
        properties["aadProfile"] = {"managed": True, "enableAzureRBAC": bool(enable_azure_rbac),
                                    "adminGroupObjectIDs": _group_ids(aad_admin_group_object_ids),
                                    "tenantID": aad_tenant_id}
    body = {"location": location, "identity": {"type": "SystemAssigned"}, "properties": properties}
    if tags is not None:
        from akslocal.cli.resource.custom import parse_tags

        body["tags"] = parse_tags(tags)
    with _progress() as progress:
        result = arm.long_running("PUT", _path(arm, resource_group, name), API, json=body, no_wait=no_wait,
                                  progress=progress)
    return _format.cluster(result)


def aks_update(resource_group, name, enable_aad=False, aad_admin_group_object_ids=None, aad_tenant_id=None,
               enable_azure_rbac=False, disable_azure_rbac=False, disable_local_accounts=False,
               enable_local_accounts=False, no_wait=False):
    """Update a managed cluster: migrate to AKS-managed Entra ID, admin groups, Azure RBAC, local accounts."""
    if enable_azure_rbac and disable_azure_rbac:
        raise ArgumentUsageError("--enable-azure-rbac cannot be used together with --disable-azure-rbac")
    if disable_local_accounts and enable_local_accounts:
        raise ArgumentUsageError("--disable-local-accounts cannot be used together with --enable-local-accounts")
    if not any((enable_aad, aad_admin_group_object_ids is not None, aad_tenant_id, enable_azure_rbac,
                disable_azure_rbac, disable_local_accounts, enable_local_accounts)):
        raise ArgumentUsageError('Please specify one or more of "--enable-aad", "--aad-admin-group-object-ids", '
                                 '"--aad-tenant-id", "--enable-azure-rbac", "--disable-azure-rbac", '
                                 '"--disable-local-accounts" or "--enable-local-accounts".')
    arm = _arm()
    path = _path(arm, resource_group, name)
    cluster = arm.get(path, API)
    properties = cluster.setdefault("properties", {})
    profile = dict(properties.get("aadProfile") or {})
    managed = bool(profile.get("managed"))
    if enable_aad:
        if managed:
            raise ArgumentUsageError('Cannot specify "--enable-aad" if managed AAD is already enabled')
        profile = {"managed": True, "adminGroupObjectIDs": [], "enableAzureRBAC": False,
                   "tenantID": profile.get("tenantID")}
        managed = True
    elif (aad_admin_group_object_ids is not None or enable_azure_rbac or disable_azure_rbac) and not managed:
        raise ArgumentUsageError('Cannot specify "--aad-admin-group-object-ids", "--enable-azure-rbac" or '
                                 '"--disable-azure-rbac" if managed AAD is not enabled')
    if aad_admin_group_object_ids is not None:
        profile["adminGroupObjectIDs"] = _group_ids(aad_admin_group_object_ids)
    if aad_tenant_id:
        profile["tenantID"] = aad_tenant_id
    if enable_azure_rbac or disable_azure_rbac:
        profile["enableAzureRBAC"] = bool(enable_azure_rbac)
    if profile:
        properties["aadProfile"] = profile
    if disable_local_accounts or enable_local_accounts:
        properties["disableLocalAccounts"] = bool(disable_local_accounts)
    for read_only in ("provisioningState", "powerState", "fqdn", "azurePortalFQDN", "privateFQDN", "maxAgentPools"):
        properties.pop(read_only, None)
    with _progress() as progress:
        result = arm.long_running("PUT", path, API, json=cluster, no_wait=no_wait, progress=progress)
    return _format.cluster(result)


def aks_update_credentials(resource_group, name, reset_aad=False, aad_server_app_id=None,
                           aad_server_app_secret=None, aad_client_app_id=None, aad_tenant_id=None, no_wait=False):
    """Reset the legacy Entra applications of a cluster (POST resetAADProfile)."""
    if not reset_aad:
        raise ArgumentUsageError("usage error: --reset-aad --aad-server-app-id ID --aad-server-app-secret SECRET "
                                 "--aad-client-app-id ID [--aad-tenant-id TENANT]")
    if not (aad_server_app_id and aad_server_app_secret and aad_client_app_id):
        raise ArgumentUsageError("--reset-aad needs --aad-server-app-id, --aad-server-app-secret and "
                                 "--aad-client-app-id")
    arm = _arm()
    body = {"clientAppID": aad_client_app_id, "serverAppID": aad_server_app_id,
            "serverAppSecret": aad_server_app_secret, "tenantID": aad_tenant_id}
    with _progress() as progress:
        arm.long_running("POST", f"{_path(arm, resource_group, name)}/resetAADProfile", API, json=body,
                         no_wait=no_wait, progress=progress)


def aks_show(resource_group, name):
    """Show the details for a managed Kubernetes cluster."""
    arm = _arm()
    return _format.cluster(arm.get(_path(arm, resource_group, name), API))


def aks_list(resource_group=None):
    """List managed Kubernetes clusters."""
    arm = _arm()
    scope = f"/subscriptions/{arm.subscription}"
    if resource_group:
        scope += f"/resourceGroups/{quote(resource_group, safe='')}"
    return [_format.cluster(c) for c in arm.list(f"{scope}/{PROVIDER}/managedClusters", API)]


def aks_delete(resource_group, name, no_wait=False):
    """Delete a managed Kubernetes cluster."""
    arm = _arm()
    with _progress() as progress:
        arm.long_running("DELETE", _path(arm, resource_group, name), API, no_wait=no_wait, progress=progress)


def aks_get_credentials(resource_group, name, admin=False, path=os.path.join("~", ".kube", "config"),
                        overwrite_existing=False, context_name=None, public_fqdn=False, credential_format=None):
    """Get access credentials for a managed Kubernetes cluster and merge them into a kubeconfig."""
    if credential_format and admin:
        raise InvalidArgumentValueError("--format can only be specified when requesting clusterUser credential.")
    arm = _arm()
    action = "listClusterAdminCredential" if admin else "listClusterUserCredential"
    params = {}
    if public_fqdn:
        params["server-fqdn"] = "public"
    if credential_format and not admin:
        params["format"] = credential_format
    response = arm.request("POST", f"{_path(arm, resource_group, name)}/{action}", API, params=params)
    kubeconfigs = (response.json() or {}).get("kubeconfigs") or []
    if not kubeconfigs:
        raise AzLocalError("No Kubernetes credentials found.")
    try:
        text = base64.b64decode(kubeconfigs[0]["value"]).decode("utf-8")
    except (KeyError, ValueError) as error:
        raise AzLocalError("Fail to find kubeconfig file.") from error
    default = os.path.join("~", ".kube", "config")
    if path == default and os.environ.get("KUBECONFIG"):
        first = os.environ["KUBECONFIG"].split(os.pathsep)[0]
        if first:
            path = first
        else:
            logger.warning("Invalid path '%s' defined in KUBECONFIG.", first)
    if path == "-":
        print(text, file=sys.stdout)
        return None
    from akslocal.cli.aks.kubeconfig import merge_into_file

    target = Path(os.path.expanduser(path))
    current = merge_into_file(target, text, overwrite_existing, context_name, warn=logger.warning)
    logger.warning('Merged "%s" as current context in %s', current, target)
    _check_plugin(text)
    return None


def _check_plugin(kubeconfig_text: str) -> None:
    """az warns when a device-code kubeconfig needs a kubelogin that is not installed; so do we, for ours."""
    import yaml

    try:
        users = (yaml.safe_load(kubeconfig_text) or {}).get("users") or []
        exec_ = (users[0].get("user") or {}).get("exec") or {}
    except (yaml.YAMLError, AttributeError, IndexError):
        return
    command = str(exec_.get("command") or "")
    if "kubelogin" in command and "devicecode" in " ".join(map(str, exec_.get("args") or [])) \
            and shutil.which(command) is None:
        logger.warning("The kubeconfig uses devicecode authentication which requires %s. It is installed with "
                       "akslocal: run 'azlocal aks install-cli' to see how to put it on PATH.", command)


def aks_install_cli(install_location=None, kubelogin_install_location=None, client_version=None,
                    kubelogin_version=None):
    """Check that kubectl and akslocal's credential plugin are on PATH (akslocal downloads nothing)."""
    if install_location or kubelogin_install_location or client_version or kubelogin_version:
        logger.warning("akslocal installs nothing from the internet: the install location and version arguments "
                       "are ignored.")
    problems = []
    kubectl = shutil.which("kubectl")
    if kubectl:
        logger.warning("kubectl: %s", kubectl)
    else:
        problems.append("kubectl is not on PATH: install it from your OS packages or "
                        "https://kubernetes.io/docs/tasks/tools/ and add its directory to PATH.")
    plugin = shutil.which("akslocal-kubelogin")
    if plugin:
        logger.warning("akslocal-kubelogin: %s", plugin)
    else:
        bin_dir = os.path.dirname(sys.executable)
        problems.append(f"akslocal-kubelogin (the kubectl credential plugin) is not on PATH: it is installed with "
                        f"akslocal; add {bin_dir} to PATH (export PATH=\"{bin_dir}:$PATH\").")
    if problems:
        raise AzLocalError(problems[0], "\n".join(problems[1:]) or None)
    logger.warning("kubectl and akslocal-kubelogin are installed.")


def aks_get_versions(location):
    """Get the Kubernetes versions available for new clusters in a location."""
    arm = _arm()
    path = (f"/subscriptions/{arm.subscription}/{PROVIDER}/locations/{quote(location.replace(' ', '').lower())}"
            "/kubernetesVersions")
    try:
        return arm.get(path, API)
    except ResourceNotFoundError as error:
        raise ResourceNotFoundError(f"No Kubernetes versions are available in location '{location}'.") from error
