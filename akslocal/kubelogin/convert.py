"""convert-kubeconfig: ``auth-provider: azure`` users and kubelogin exec users → akslocal-kubelogin exec users.

Values come, first match wins, from the flags, then the legacy provider's config keys
(``apiserver-id``, ``client-id``, ``tenant-id``, ``environment``), then the existing exec
args (kubelogin's ``pkg/internal/converter``).  ``--legacy`` is added when ``config-mode`` is
absent or ``"0"`` (AAD v1 kubeconfigs) or the exec args already had it.  So that the
converted user can reach akslocal, ``--authority-host`` is taken from the flag, the old exec
args, ``$AZURE_AUTHORITY_HOST`` or ``$AKSLOCAL_ENDPOINT``, and the exec ``env`` gets
``AKSLOCAL_CA_BUNDLE``/``AKSLOCAL_DATA_DIR`` from the old entry or this environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from akslocal.atomicfile import write_atomic
from akslocal.kubelogin.errors import KubeloginError
from akslocal.kubelogin.options import LOGIN_MODES

COMMAND = "akslocal-kubelogin"
API_VERSION = "client.authentication.k8s.io/v1beta1"
INSTALL_HINT = ("\nakslocal-kubelogin is not installed which is required to connect to AAD enabled cluster.\n\n"
                "It comes with akslocal: pip install -e . in the akslocal checkout puts it on PATH.\n")
ENV_PASSED = ("AKSLOCAL_CA_BUNDLE", "AKSLOCAL_DATA_DIR")


def kubeconfig_path(explicit: str | None, env: Mapping[str, str]) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    listed = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    return Path(listed[0]).expanduser() if listed else Path.home() / ".kube" / "config"


def _exec_arg(user: dict[str, Any], name: str) -> str:
    args = (user.get("exec") or {}).get("args") or []
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return str(args[i + 1])
        if isinstance(arg, str) and arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return ""


def _exec_flag(user: dict[str, Any], name: str) -> bool:
    return name in ((user.get("exec") or {}).get("args") or [])


def is_azure_provider(user: dict[str, Any]) -> bool:
    provider = user.get("auth-provider")
    return isinstance(provider, dict) and provider.get("name") == "azure"


def is_kubelogin_exec(user: dict[str, Any]) -> bool:
    exec_ = user.get("exec")
    return isinstance(exec_, dict) and "kubelogin" in str(exec_.get("command", "")).lower()


def convert_user(user: dict[str, Any], flags: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """The new ``user`` entry for one convertible user."""
    provider = is_azure_provider(user)
    config = (user.get("auth-provider") or {}).get("config") or {} if provider else {}
    given = vars(flags)

    def value(attr: str, config_key: str, arg: str) -> str:
        if given.get(attr) is not None:
            return str(given[attr])
        if provider:
            return str(config.get(config_key) or "")
        return _exec_arg(user, arg)

    login = given.get("login") or "devicecode"
    if login not in LOGIN_MODES:
        raise KubeloginError(f"'{login}' is not a supported login method. Supported method is one of "
                             + ", ".join(LOGIN_MODES))
    server_id = value("server_id", "apiserver-id", "--server-id")
    client_id = value("client_id", "client-id", "--client-id")
    tenant_id = value("tenant_id", "tenant-id", "--tenant-id")
    environment = value("environment", "environment", "--environment")
    if given.get("legacy"):
        legacy = True
    elif provider:
        legacy = str(config.get("config-mode", "") or "") in ("", "0")
    else:
        legacy = _exec_flag(user, "--legacy")
    if not server_id:
        raise KubeloginError("--server-id is required")
    args = ["get-token", "--login", login, "--server-id", server_id]
    cache_dir = given.get("cache_dir") or _exec_arg(user, "--cache-dir") or _exec_arg(user, "--token-cache-dir")
    if cache_dir:
        args += ["--cache-dir", cache_dir]
    if login in ("devicecode", "interactive", "spn", "ropc"):
        if not client_id:
            raise KubeloginError("--client-id is required")
        if not tenant_id:
            raise KubeloginError("--tenant-id is required")
        args += ["--client-id", client_id, "--tenant-id", tenant_id]
        if environment:
            args += ["--environment", environment]
    elif given.get("tenant_id"):  # azurecli / workloadidentity: only an explicit tenant is kept
        args += ["--tenant-id", given["tenant_id"]]
    if login == "workloadidentity" and given.get("client_id"):
        args += ["--client-id", given["client_id"]]
    for attr, flag in (("client_secret", "--client-secret"), ("username", "--username"),
                       ("password", "--password"), ("federated_token_file", "--federated-token-file")):
        if given.get(attr) and (login, attr) in (("spn", "client_secret"), ("ropc", "username"),
                                                  ("ropc", "password"),
                                                  ("workloadidentity", "federated_token_file")):
            args += [flag, given[attr]]
    if legacy and login in ("devicecode", "spn", "ropc"):
        args.append("--legacy")
    if login == "spn" and given.get("disable_environment_override"):
        args.append("--disable-environment-override")
    if login == "interactive":
        for attr, flag in (("redirect_url", "--redirect-url"), ("login_hint", "--login-hint")):
            value = given.get(attr) or _exec_arg(user, flag)
            if value:
                args += [flag, value]
    authority = (given.get("authority_host") or _exec_arg(user, "--authority-host")
                 or env.get("AZURE_AUTHORITY_HOST") or (env["AKSLOCAL_ENDPOINT"].rstrip("/") + "/"
                                                        if env.get("AKSLOCAL_ENDPOINT") else ""))
    if authority:
        args += ["--authority-host", authority]
    old_exec = user.get("exec") if isinstance(user.get("exec"), dict) else {}
    exec_env = [e for e in (old_exec.get("env") or []) if isinstance(e, dict) and e.get("name")]
    names = {e["name"] for e in exec_env}
    exec_env += [{"name": n, "value": env[n]} for n in ENV_PASSED if env.get(n) and n not in names]
    new_exec: dict[str, Any] = {"apiVersion": API_VERSION, "command": COMMAND, "args": args,
                                "env": exec_env or None, "installHint": old_exec.get("installHint") or INSTALL_HINT,
                                "provideClusterInfo": False, "interactiveMode": "IfAvailable"}
    rest = {k: v for k, v in user.items() if k not in ("auth-provider", "exec")}
    return {**rest, "exec": new_exec}


def convert(config: dict[str, Any], flags: argparse.Namespace, env: Mapping[str, str]) -> list[str]:
    """Convert in place; returns the names of the users converted."""
    target = None
    context_name = getattr(flags, "context", None)
    if context_name:
        contexts = {c.get("name"): c.get("context") or {} for c in config.get("contexts") or []
                    if isinstance(c, dict)}
        if context_name not in contexts:
            raise KubeloginError(f'no context exists with the name: "{context_name}"')
        target = contexts[context_name].get("user")
    converted = []
    for entry in config.get("users") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("user"), dict):
            continue
        if target is not None and entry.get("name") != target:
            continue
        if not (is_azure_provider(entry["user"]) or is_kubelogin_exec(entry["user"])):
            continue
        entry["user"] = convert_user(entry["user"], flags, env)
        converted.append(str(entry.get("name")))
    return converted


def run(flags: argparse.Namespace, env: Mapping[str, str] = os.environ) -> list[str]:
    import yaml

    path = kubeconfig_path(getattr(flags, "kubeconfig", None), env)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KubeloginError(f"unable to load kubeconfig: {err}") from err
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise KubeloginError(f"unable to load kubeconfig {path}: {err}") from err
    if not isinstance(config, dict):
        raise KubeloginError(f"unable to load kubeconfig {path}: not a kubeconfig")
    converted = convert(config, flags, env)
    out = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
    write_atomic(path, out, mode=path.stat().st_mode & 0o777, fsync=False)
    return converted
