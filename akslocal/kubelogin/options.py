"""get-token's options: kubelogin's flags, then its environment overrides, then validation.

Precedence follows kubelogin (``pkg/internal/token/options.go``): a flag is overridden by its
``AAD_*`` variable, which is overridden by its ``AZURE_*`` variable, unless
``--disable-environment-override`` is given.  Service-principal and workload-identity
variables are applied only in the modes that use them, so an ``AZURE_CLIENT_ID`` left in a
CI job cannot change the client id of a device-code sign-in.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from akslocal.kubelogin.errors import KubeloginError

LOGIN_MODES = ("devicecode", "interactive", "spn", "ropc", "azurecli", "workloadidentity")
CACHED_MODES = ("devicecode", "interactive", "ropc")  # kubelogin ≤0.1.9 does not cache spn/azurecli/wi
DEFAULT_TIMEOUT = 60.0
AUTHORITY_HOSTS = {
    "azurepubliccloud": "https://login.microsoftonline.com/",
    "azureusgovernmentcloud": "https://login.microsoftonline.us/",
    "azureusgovernment": "https://login.microsoftonline.us/",
    "azurechinacloud": "https://login.chinacloudapi.cn/",
}
# Hosts MSAL knows; for any other host instance discovery would call login.microsoftonline.com.
PUBLIC_HOSTS = frozenset({"login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
                          "login.microsoftonline.us", "login.usgovcloudapi.net", "login.chinacloudapi.cn",
                          "login.partner.microsoftonline.cn", "login-us.microsoftonline.com"})
UNSUPPORTED_FLAGS = ("--client-certificate", "--client-certificate-password", "--identity-resource-id",
                     "--pop-enabled", "--pop-claims")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def default_cache_dir() -> str:
    return str(Path.home() / ".kube" / "cache" / "kubelogin")


@dataclass
class TokenOptions:
    login: str = "devicecode"
    server_id: str = ""
    client_id: str = ""
    tenant_id: str = ""
    environment: str = "AzurePublicCloud"
    authority_host: str = ""
    legacy: bool = False
    client_secret: str = ""
    username: str = ""
    password: str = ""
    federated_token_file: str = ""
    cache_dir: str = field(default_factory=default_cache_dir)
    timeout: float = DEFAULT_TIMEOUT
    disable_instance_discovery: bool = False
    disable_environment_override: bool = False
    use_azurerm_env_vars: bool = False
    login_hint: str = ""
    redirect_url: str = ""

    @property
    def cached(self) -> bool:
        return self.login in CACHED_MODES

    @property
    def authority(self) -> str:
        """``https://host[:port]`` (no trailing slash) of the token service."""
        host = self.authority_host or AUTHORITY_HOSTS.get(self.environment.lower(), "")
        if not host:
            raise KubeloginError(f"unknown environment {self.environment!r}: use AzurePublicCloud, "
                                 "AzureUSGovernmentCloud or AzureChinaCloud, or give --authority-host")
        if "://" not in host:
            host = "https://" + host
        parts = urlsplit(host)
        if parts.scheme != "https" or not parts.hostname:
            raise KubeloginError(f"--authority-host {host!r} must be an https URL (https://host[:port]/)")
        return host.rstrip("/")

    @property
    def tenant(self) -> str:
        # Without a tenant: ADAL (v1) signs in at "common", azidentity (v2) at "organizations".
        return self.tenant_id or ("common" if self.legacy else "organizations")

    @property
    def instance_discovery(self) -> bool:
        """MSAL's instance discovery: only for Microsoft's own hosts, and not when turned off."""
        return not self.disable_instance_discovery and urlsplit(self.authority).hostname in PUBLIC_HOSTS

    @property
    def resource(self) -> str:
        """v1 ``resource``: the server id without ``/.default``."""
        return self.server_id.removesuffix("/.default")

    @property
    def scope(self) -> str:
        """v2 scope, as kubelogin's GetScope: trailing '/' trimmed, ``/.default`` appended."""
        return self.resource.rstrip("/") + "/.default"


def parse_duration(text: str) -> float:
    """A Go duration (``60s``, ``1m30s``, ``500ms``) or plain seconds, in seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise KubeloginError(f"invalid duration {text!r} for --timeout (e.g. 60s, 2m, 1m30s)")
    return total


def add_token_flags(parser: argparse.ArgumentParser, *, for_convert: bool = False) -> None:
    """kubelogin's get-token flags (convert-kubeconfig takes the same and writes them into the exec args)."""
    default = argparse.SUPPRESS if for_convert else None
    add = parser.add_argument
    add("-l", "--login", default=default, help="login method: " + ", ".join(LOGIN_MODES) + " (env AAD_LOGIN_METHOD)")
    add("--server-id", default=default, help="Entra server application id (the cluster's audience)")
    add("--client-id", default=default, help="Entra client application id (env AAD_SERVICE_PRINCIPAL_CLIENT_ID, "
                                             "AZURE_CLIENT_ID for spn)")
    add("-t", "--tenant-id", default=default, help="Entra tenant id (env AZURE_TENANT_ID)")
    add("-e", "--environment", default=default, help="Azure environment name (default AzurePublicCloud)")
    add("--authority-host", default=default, help="token service, e.g. https://127.0.0.1:8443/ "
                                                  "(env AZURE_AUTHORITY_HOST for workloadidentity)")
    add("--legacy", action="store_true", default=default, help="v1 protocol: token audience 'spn:<server id>'")
    add("--client-secret", default=default, help="client secret for spn (env AAD_SERVICE_PRINCIPAL_CLIENT_SECRET, "
                                                 "AZURE_CLIENT_SECRET)")
    add("--username", default=default, help="user for ropc (env AAD_USER_PRINCIPAL_NAME, AZURE_USERNAME)")
    add("--password", default=default, help="password for ropc (env AAD_USER_PRINCIPAL_PASSWORD, AZURE_PASSWORD)")
    add("--federated-token-file", default=default, help="workload identity token file "
                                                        "(env AZURE_FEDERATED_TOKEN_FILE)")
    add("--cache-dir", "--token-cache-dir", dest="cache_dir", default=default,
        help="token cache directory (default ~/.kube/cache/kubelogin)")
    add("--timeout", default=default, help="timeout of each request and of waiting for another process's "
                                           "sign-in, Go duration (default 60s)")
    add("--disable-instance-discovery", action="store_true", default=default,
        help="never call Microsoft's instance discovery (implied for hosts other than Microsoft's)")
    add("--disable-environment-override", action="store_true", default=default,
        help="ignore the AAD_*/AZURE_* environment variables")
    add("--use-azurerm-env-vars", action="store_true", default=default,
        help="spn: take ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID (Terraform's names) instead")
    add("--login-hint", default=default, help="interactive: the account to preselect")
    add("--redirect-url", default=default, help="interactive: loopback redirect URL, e.g. http://localhost:8400")
    # kubelogin flags for features akslocal-kubelogin does not have: accepted so that kubeconfigs made by
    # kubelogin parse, refused with a clear message when given a value.
    for flag in UNSUPPORTED_FLAGS:
        if flag in ("--pop-enabled",):
            add(flag, action="store_true", default=default, help=argparse.SUPPRESS)
        else:
            add(flag, default=default, help=argparse.SUPPRESS)
    if not for_convert:
        add("-s", "--subscription", default=None, help="ignored (kubelogin uses it for azd)")


def _override(env: Mapping[str, str], opts: TokenOptions, attr: str, *names: str) -> None:
    for name in names:  # later names win, as in kubelogin
        if name in env:
            setattr(opts, attr, env[name])


def from_args(ns: argparse.Namespace, env: Mapping[str, str] = os.environ) -> TokenOptions:
    opts = TokenOptions()
    for attr in ("login", "server_id", "client_id", "tenant_id", "environment", "authority_host", "client_secret",
                 "username", "password", "federated_token_file", "cache_dir", "login_hint", "redirect_url"):
        value = getattr(ns, attr, None)
        if value is not None:
            setattr(opts, attr, value)
    opts.legacy = bool(getattr(ns, "legacy", False))
    opts.disable_instance_discovery = bool(getattr(ns, "disable_instance_discovery", False))
    opts.disable_environment_override = bool(getattr(ns, "disable_environment_override", False))
    opts.use_azurerm_env_vars = bool(getattr(ns, "use_azurerm_env_vars", False))
    for flag in UNSUPPORTED_FLAGS:
        if getattr(ns, flag[2:].replace("-", "_"), None):
            raise KubeloginError(f"{flag} is not supported by akslocal-kubelogin (client certificates, managed "
                                 "identity and PoP tokens are not implemented); use a client secret, ropc or "
                                 "devicecode")
    if getattr(ns, "timeout", None) is not None:
        opts.timeout = parse_duration(ns.timeout)
    if not opts.disable_environment_override:
        apply_environment(opts, env)
    validate(opts)
    return opts


def apply_environment(opts: TokenOptions, env: Mapping[str, str]) -> None:
    _override(env, opts, "login", "AAD_LOGIN_METHOD")
    if opts.use_azurerm_env_vars:
        if opts.login == "spn":
            _override(env, opts, "client_id", "ARM_CLIENT_ID")
            _override(env, opts, "client_secret", "ARM_CLIENT_SECRET")
        _override(env, opts, "tenant_id", "ARM_TENANT_ID")
    else:
        if opts.login == "spn":
            _override(env, opts, "client_id", "AAD_SERVICE_PRINCIPAL_CLIENT_ID", "AZURE_CLIENT_ID")
            _override(env, opts, "client_secret", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "AZURE_CLIENT_SECRET")
        _override(env, opts, "tenant_id", "AZURE_TENANT_ID")
    _override(env, opts, "username", "AAD_USER_PRINCIPAL_NAME", "AZURE_USERNAME")
    _override(env, opts, "password", "AAD_USER_PRINCIPAL_PASSWORD", "AZURE_PASSWORD")
    if opts.login == "workloadidentity":
        _override(env, opts, "client_id", "AZURE_CLIENT_ID")
        _override(env, opts, "federated_token_file", "AZURE_FEDERATED_TOKEN_FILE")
        _override(env, opts, "authority_host", "AZURE_AUTHORITY_HOST")
    if "AZURE_CLI_TIMEOUT" in env:
        try:
            opts.timeout = parse_duration(env["AZURE_CLI_TIMEOUT"])
        except KubeloginError:
            pass


def validate(opts: TokenOptions) -> None:
    if opts.login not in LOGIN_MODES:
        raise KubeloginError(f"'{opts.login}' is not a supported login method. Supported method is one of "
                             + ", ".join(LOGIN_MODES))
    if not opts.server_id:
        raise KubeloginError("server-id is required")
    if opts.timeout <= 0:
        raise KubeloginError("timeout must be greater than 0")
    needs = {"devicecode": ("client_id",), "interactive": ("client_id",), "ropc": ("client_id", "username",
                                                                                    "password"),
             "spn": ("client_id", "client_secret", "tenant_id"),
             "workloadidentity": ("client_id", "federated_token_file", "tenant_id")}
    for attr in needs.get(opts.login, ()):
        if not getattr(opts, attr):
            flag = "--" + attr.replace("_", "-")
            raise KubeloginError(f"{flag} is required for --login {opts.login}")
