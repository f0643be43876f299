"""Kubeconfigs for ``listClusterAdminCredential`` and ``listClusterUserCredential``.

- admin: user ``clusterAdmin_<rg>_<name>`` with the cluster's client certificate (CN
  ``masterclient``, O ``system:masters``) and static token; refused when local accounts are off.
- user, cluster without Entra: ``clusterUser_<rg>_<name>`` with the same static credentials.
- user, Entra cluster, ``format=exec`` (default): an exec entry for ``akslocal-kubelogin``
  (legacy: ``--legacy`` with the customer's server and client app ids; managed: AKS's ids).
- user, Entra cluster, ``format=azure``: the old ``auth-provider: azure`` block (managed adds
  ``config-mode: '1'``), which today's kubectl refuses, as it does against AKS.

The cluster entry is named after the cluster, carries the edge CA as
``certificate-authority-data`` and the cluster's URL on the edge; the context is the cluster name.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml

from akslocal.arm import aad_profile, errors

FORMATS = ("exec", "azure")
INSTALL_HINT = ("\nakslocal-kubelogin is not installed which is required to connect to AAD enabled cluster.\n\n"
                "It comes with akslocal: pip install -e . in the akslocal checkout puts it on PATH.\n")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _kubeconfig(doc: dict, creds, user_name: str, user: dict[str, Any]) -> str:
    name = doc["name"]
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": name,
        "clusters": [{"name": name, "cluster": {"certificate-authority-data": _b64(creds.ca_pem),
                                                "server": creds.server_url}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user_name}}],
        "users": [{"name": user_name, "user": user}],
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


def _static_user(creds) -> dict[str, Any]:
    return {"client-certificate-data": _b64(creds.admin_cert_pem), "client-key-data": _b64(creds.admin_key_pem),
            "token": creds.admin_token}


def admin_kubeconfig(doc: dict, creds) -> str:
    if doc["properties"].get("disableLocalAccounts"):
        raise errors.bad_request("Getting static credential is not allowed because this cluster is set to disable "
                                 "local accounts.")
    return _kubeconfig(doc, creds, f"clusterAdmin_{doc['resourceGroup']}_{doc['name']}", _static_user(creds))


def exec_user(server_id: str, client_id: str, tenant_id: str, *, legacy: bool, public_url: str, ca_path: str,
              data_dir: str) -> dict[str, Any]:
    args = ["get-token", "--environment", "AzurePublicCloud", "--server-id", server_id, "--client-id", client_id,
            "--tenant-id", tenant_id, "--authority-host", public_url.rstrip("/") + "/", "--login", "devicecode"]
    if legacy:
        args.append("--legacy")
    return {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "akslocal-kubelogin", "args": args,
        "env": [{"name": "AKSLOCAL_CA_BUNDLE", "value": ca_path}, {"name": "AKSLOCAL_DATA_DIR", "value": data_dir}],
        "installHint": INSTALL_HINT, "provideClusterInfo": False, "interactiveMode": "IfAvailable",
    }}


def azure_auth_provider(server_id: str, client_id: str, tenant_id: str, *, legacy: bool) -> dict[str, Any]:
    config = {"apiserver-id": server_id, "client-id": client_id, "environment": "AzurePublicCloud",
              "tenant-id": tenant_id}
    if not legacy:
        config["config-mode"] = "1"
    return {"auth-provider": {"name": "azure", "config": config}}


def user_kubeconfig(doc: dict, creds, fmt: str | None, *, public_url: str, ca_path: str, data_dir: str) -> str:
    if fmt is not None and fmt.lower() not in FORMATS:
        raise errors.invalid_parameter(f"The value of parameter format '{fmt[:20]}' is invalid: it must be 'azure' "
                                       "or 'exec'.", "format")
    fmt = (fmt or "exec").lower()
    user_name = f"clusterUser_{doc['resourceGroup']}_{doc['name']}"
    profile = doc["properties"].get("aadProfile")
    if profile is None:
        return _kubeconfig(doc, creds, user_name, _static_user(creds))
    legacy = not profile.get("managed")
    if legacy:
        server_id, client_id = profile["serverAppID"], profile["clientAppID"]
    else:
        server_id, client_id = aad_profile.AKS_SERVER_APP_ID, aad_profile.AKS_CLIENT_APP_ID
    tenant_id = profile["tenantID"]
    if fmt == "azure":
        user = azure_auth_provider(server_id, client_id, tenant_id, legacy=legacy)
    else:
        user = exec_user(server_id, client_id, tenant_id, legacy=legacy, public_url=public_url, ca_path=ca_path,
                         data_dir=data_dir)
    return _kubeconfig(doc, creds, user_name, user)


def credential_results(name: str, kubeconfig: str) -> dict[str, Any]:
    return {"kubeconfigs": [{"name": name, "value": _b64(kubeconfig)}]}
