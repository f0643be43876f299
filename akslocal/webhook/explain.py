"""``akslocal explain TOKEN`` / ``akslocal explain --kubeconfig F [--context C]``: why a token
is (not) accepted by a cluster — issuer, audience, expiry, UPN vs object id, group overage and
Graph's answer, and which bindings would match.

With a kubeconfig of one of our clusters the token comes from its user entry (the exec plugin
is run non-interactively with the token cache that belongs to that kubeconfig: ``~/.kube/cache``
next to ``~/.kube/config``), and the checks run in the server against the cluster's real
configuration (``POST /_akslocal/webhook/explain`` with the control key of the data dir).
With ``--tenant`` and ``--server-app-id`` the checks run here, for any webhook configuration.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EXEC_TIMEOUT = 60.0
_MARK = {True: "[ok]  ", False: "[FAIL]", None: "[--]  "}


class ExplainError(Exception):
    pass


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="Explain why a token is (not) accepted by a cluster, check by check.")
    p.add_argument("token", nargs="?", help="the access token (JWT); '-' reads it from stdin")
    p.add_argument("--kubeconfig", default=None, help="take the token and the cluster from this kubeconfig")
    p.add_argument("--context", default=None, help="kubeconfig context (default: the current one)")
    p.add_argument("--cluster", default=None, help="our cluster's id or server URL (with a bare TOKEN)")
    p.add_argument("--endpoint", default=None, help="akslocal's URL (default $AKSLOCAL_ENDPOINT)")
    p.add_argument("--data-dir", default=None, help="akslocal's data dir, for the control key")
    p.add_argument("--tenant", dest="tenant_id", default=None, help="check locally: the tenant id")
    p.add_argument("--server-app-id", default=None, help="check locally: the server application id")
    p.add_argument("--client-secret", dest="server_app_secret", default=None, help="check locally: its secret")
    p.add_argument("--mode", choices=["legacy", "managed"], default=None)
    p.add_argument("--authority", default=None, help="check locally: Entra's base URL")
    p.add_argument("--ca-bundle", default=None, help="CA file for HTTPS")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def _kubeconfig_entry(path: Path, context: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    import yaml

    doc = yaml.safe_load(path.read_text()) or {}
    name = context or doc.get("current-context")
    ctx = next((c.get("context") or {} for c in doc.get("contexts") or [] if c.get("name") == name), None)
    if ctx is None:
        raise ExplainError(f"{path}: no context {name!r}")
    cluster = next((c.get("cluster") or {} for c in doc.get("clusters") or [] if c.get("name") == ctx.get("cluster")),
                   {})
    user = next((u.get("user") or {} for u in doc.get("users") or [] if u.get("name") == ctx.get("user")), {})
    return cluster, user


def _exec_token(path: Path, spec: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Run the credential plugin without a terminal; a sign-in prompt means there is no cached token."""
    env = dict(os.environ)
    for item in spec.get("env") or []:
        if isinstance(item, dict) and "name" in item:
            env[str(item["name"])] = str(item.get("value", ""))
    if path.parent.name == ".kube":  # the token cache that belongs to this kubeconfig: <home>/.kube/cache
        env["HOME"] = str(path.parent.parent)
    env["KUBERNETES_EXEC_INFO"] = json.dumps({"apiVersion": spec.get("apiVersion"), "kind": "ExecCredential",
                                              "spec": {"interactive": False}})
    command = [str(spec.get("command")), *[str(a) for a in spec.get("args") or []]]
    import shutil

    beside = Path(sys.executable).parent / command[0]
    if shutil.which(command[0], path=env.get("PATH")) is None and "/" not in command[0] and beside.exists():
        command[0] = str(beside)  # our own plugin, installed next to akslocal
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env)
    except OSError as exc:
        raise ExplainError(f"cannot run the credential plugin {command[0]!r}: {exc}") from None
    prompted = threading.Event()
    err: list[str] = []

    def watch() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            err.append(line)
            if "To sign in" in line:
                prompted.set()
                process.kill()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out = process.stdout.read() if process.stdout else ""
        process.wait(EXEC_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise ExplainError("the credential plugin did not answer") from None
    watcher.join(2)
    if prompted.is_set():
        raise ExplainError("no cached token for this kubeconfig: the plugin asks for a sign-in. Run kubectl once "
                           "(or pass the token: akslocal explain TOKEN --cluster …)")
    if process.returncode != 0:
        raise ExplainError(f"the credential plugin failed ({process.returncode}): {''.join(err)[-500:]}")
    try:
        return str(json.loads(out)["status"]["token"]), env
    except (ValueError, KeyError, TypeError):
        raise ExplainError("the credential plugin printed no ExecCredential token") from None


def token_from_kubeconfig(path: Path, context: str | None) -> tuple[str, str, str | None, dict[str, str]]:
    """(token, cluster server URL, CA PEM, environment of the plugin)."""
    cluster, user = _kubeconfig_entry(path, context)
    ca = base64.b64decode(cluster["certificate-authority-data"]).decode() \
        if cluster.get("certificate-authority-data") else None
    if user.get("token"):
        return str(user["token"]), str(cluster.get("server", "")), ca, dict(os.environ)
    if isinstance(user.get("exec"), dict):
        token, env = _exec_token(path, user["exec"])
        return token, str(cluster.get("server", "")), ca, env
    if user.get("client-certificate-data") or user.get("client-certificate"):
        raise ExplainError("this kubeconfig's user has a client certificate (admin credentials): no token to "
                           "explain; it bypasses Entra and the webhook")
    raise ExplainError("this kubeconfig's user has no token and no exec plugin")


def _remote(args: argparse.Namespace, token: str, server: str, ca_pem: str | None, env: dict[str, str]) -> dict:
    import ssl

    import httpx

    parts = urlsplit(server) if "://" in server else None
    endpoint = (args.endpoint or (f"{parts.scheme}://{parts.netloc}" if parts and "/clusters/" in server else None)
                or os.environ.get("AKSLOCAL_ENDPOINT") or "https://127.0.0.1:8443").rstrip("/")
    data_dir = Path(args.data_dir or env.get("AKSLOCAL_DATA_DIR") or os.environ.get("AKSLOCAL_DATA_DIR")
                    or "~/.akslocal").expanduser()
    from akslocal.server.control import control_key

    try:
        key = control_key(data_dir)  # created on first use, by the server or by us (same file)
    except OSError:
        raise ExplainError(f"no control key in {data_dir} (pass --data-dir, or check locally with --tenant and "
                           "--server-app-id)") from None
    if ca_pem:
        context = ssl.create_default_context(cadata=ca_pem)
    else:
        ca_file = args.ca_bundle or env.get("AKSLOCAL_CA_BUNDLE") or str(data_dir / "tls" / "ca.pem")
        context = ssl.create_default_context(cafile=ca_file)
    body = {"token": token, "server": server} if "/clusters/" in server else {"token": token, "cluster": server}
    try:
        with httpx.Client(verify=context, timeout=60) as client:
            r = client.post(f"{endpoint}/_akslocal/webhook/explain", json=body,
                            headers={"X-Akslocal-Control-Key": key})
    except httpx.HTTPError as exc:
        raise ExplainError(f"cannot reach akslocal at {endpoint}: {exc}") from None
    if r.status_code != 200:
        raise ExplainError(f"akslocal answered {r.status_code}: {r.text[:500]}")
    return r.json()


async def _local(args: argparse.Namespace, token: str) -> dict:
    from akslocal.webhook.config import from_sources
    from akslocal.webhook.diagnose import diagnose
    from akslocal.webhook.review import Authenticator, SystemClock

    config = from_sources({"tenant_id": args.tenant_id, "server_app_id": args.server_app_id,
                           "server_app_secret": args.server_app_secret, "mode": args.mode,
                           "authority": args.authority or os.environ.get("AKSLOCAL_ENDPOINT"),
                           "ca_bundle": args.ca_bundle or os.environ.get("AKSLOCAL_CA_BUNDLE")}, env={},
                          require_secret=False)  # without a secret, an overage shows as "cannot ask Graph"
    data_dir = os.environ.get("AKSLOCAL_DATA_DIR")
    authenticator = Authenticator.from_config(config, SystemClock(Path(data_dir) if data_dir else None))
    return await diagnose(authenticator, token)


def render(report: dict[str, Any]) -> str:
    cluster = report.get("cluster") or {}
    lines = []
    if cluster.get("serverAppId"):
        name = f"{cluster.get('name')} " if cluster.get("name") else ""
        lines.append(f"Cluster {name}({cluster.get('mode')} Entra integration): tenant {cluster.get('tenant')}, "
                     f"server application {cluster.get('serverAppId')}")
    for check in report.get("checks") or []:
        lines.append(f"  {_MARK.get(check.get('ok'), _MARK[None])} {check.get('name'):<11} {check.get('detail')}")
    if "bindings" in report:
        if report["bindings"]:
            lines.append("Bindings that name this user or one of their groups:")
            lines.extend(f"  {b}" for b in report["bindings"])
        else:
            user = (report.get("status") or {}).get("user") or {}
            lines.append(f"No (Cluster)RoleBinding names {user.get('username')} or one of their groups: every "
                         "request is Forbidden until one does.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    import asyncio

    try:
        env = dict(os.environ)
        server, ca_pem = args.cluster or "", None
        if args.kubeconfig:
            token, server, ca_pem, env = token_from_kubeconfig(Path(args.kubeconfig).expanduser(), args.context)
        elif args.token:
            token = sys.stdin.read().strip() if args.token == "-" else args.token
        else:
            raise ExplainError("give a TOKEN or --kubeconfig")
        if args.tenant_id and (args.server_app_id or args.mode == "managed"):
            report = asyncio.run(_local(args, token))
        elif server:
            report = _remote(args, token, server, ca_pem, env)
        else:
            raise ExplainError("which cluster? pass --cluster <id or server URL>, --kubeconfig, or --tenant and "
                               "--server-app-id to check against a webhook configuration")
    except ExplainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(report, indent=2) + "\n" if args.json else render(report))
    return 0 if (report.get("status") or {}).get("authenticated") else 1
