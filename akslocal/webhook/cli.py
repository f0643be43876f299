"""``akslocal webhook serve`` and ``akslocal webhook kubeconfig``: the webhook for a real kube-apiserver.

``serve`` runs the HTTPS listener with settings from flags, ``AKSLOCAL_WEBHOOK_*`` variables
or ``--config FILE``; ``kubeconfig`` prints the file for kube-apiserver's
``--authentication-token-webhook-config-file``, with a client certificate the webhook accepts.
Both keep the webhook's CA and certificates in ``--state-dir`` (default
``<AKSLOCAL_DATA_DIR or ~/.akslocal>/webhook``). See docs/webhook.md.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from pathlib import Path

DEFAULT_PORT = 9443


def _data_dir() -> Path:
    return Path(os.environ.get("AKSLOCAL_DATA_DIR", "~/.akslocal")).expanduser()


def _state_dir(args: argparse.Namespace) -> Path:
    return Path(args.state_dir).expanduser() if args.state_dir else _data_dir() / "webhook"


def _hosts(args: argparse.Namespace) -> list[str]:
    hosts = [h for h in (args.san or [])]
    if args.host not in ("0.0.0.0", "::", "127.0.0.1", "localhost"):
        hosts.append(args.host)
    return hosts


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("webhook", help="The Entra token webhook (guard) for a real kube-apiserver.")
    commands = p.add_subparsers(dest="webhook_command", metavar="COMMAND")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--host", default="127.0.0.1", help="address (serve) or host name (kubeconfig) "
                                                           "(default %(default)s)")
        q.add_argument("--port", type=int, default=DEFAULT_PORT, help="HTTPS port (default %(default)s)")
        q.add_argument("--state-dir", default=None, help="where the webhook's CA and certificates live")
        q.add_argument("--san", action="append", default=[], metavar="HOST",
                       help="extra host name or IP for the server certificate (e.g. the address kind's "
                            "control plane reaches this machine at); repeatable")

    serve = commands.add_parser("serve", help="Serve POST /tokenreviews over HTTPS (client certificate required).")
    common(serve)
    serve.add_argument("--tenant", dest="tenant_id", help="the Entra tenant id (GUID)")
    serve.add_argument("--server-app-id", help="the server application's appId (managed: the AKS server app)")
    serve.add_argument("--client-secret", dest="server_app_secret",
                       help="the server application's secret (env AZURE_CLIENT_SECRET), for Graph on group overage")
    serve.add_argument("--client-app-id", help="the client application's appId (informational)")
    serve.add_argument("--mode", choices=["legacy", "managed"], default=None, help="default legacy")
    serve.add_argument("--authority", default=None,
                       help="Entra's base URL (default $AKSLOCAL_ENDPOINT or https://127.0.0.1:8443)")
    serve.add_argument("--graph-url", default=None, help="Microsoft Graph's base URL (default: the authority)")
    serve.add_argument("--ca-bundle", default=None, help="CA file for HTTPS to Entra and Graph "
                                                         "(default $AKSLOCAL_CA_BUNDLE)")
    serve.add_argument("--identifier-uri", dest="identifier_uris", action="append", default=[],
                       help="another accepted audience: the server app's identifier URI; repeatable")
    serve.add_argument("--config", default=None, help="YAML/JSON file with the same settings")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(func=run_serve)

    kubeconfig = commands.add_parser("kubeconfig",
                                     help="Print the kubeconfig for --authentication-token-webhook-config-file.")
    common(kubeconfig)
    kubeconfig.add_argument("--server", default=None,
                            help="the webhook URL as the API server reaches it "
                                 "(default https://<host>:<port>/tokenreviews)")
    kubeconfig.set_defaults(func=run_kubeconfig)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from akslocal.webhook.config import ConfigError, from_sources
    from akslocal.webhook.review import Authenticator, SystemClock
    from akslocal.webhook.server import serve
    from akslocal.webhook.tlsfiles import ensure_tls

    flags = {name: getattr(args, name) for name in ("tenant_id", "server_app_id", "server_app_secret",
                                                    "client_app_id", "mode", "authority", "graph_url",
                                                    "ca_bundle", "identifier_uris")}
    flags["authority"] = flags["authority"] or os.environ.get("AKSLOCAL_ENDPOINT")
    flags["ca_bundle"] = flags["ca_bundle"] or os.environ.get("AKSLOCAL_CA_BUNDLE")
    try:
        config = from_sources(flags, file=args.config)
    except (ConfigError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tls = ensure_tls(_state_dir(args), _hosts(args))
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(message)s")
    data_dir = Path(os.environ["AKSLOCAL_DATA_DIR"]) if os.environ.get("AKSLOCAL_DATA_DIR") else None
    clock = SystemClock(data_dir)  # follows the emulator's clock when it is akslocal's
    authenticator = Authenticator.from_config(config, clock)
    print(f"akslocal webhook: https://{args.host}:{args.port}/tokenreviews ({config.mode}, tenant "
          f"{config.tenant_id}, audiences {', '.join(config.audiences)})", file=sys.stderr, flush=True)
    serve(authenticator, tls, args.host, args.port, args.log_level)
    return 0


def kubeconfig_text(tls, server: str) -> str:
    import yaml

    def data(path: Path) -> str:
        return base64.b64encode(path.read_bytes()).decode()

    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "akslocal-webhook",
                      "cluster": {"certificate-authority-data": data(tls.ca), "server": server}}],
        "users": [{"name": "kube-apiserver", "user": {"client-certificate-data": data(tls.client_cert),
                                                      "client-key-data": data(tls.client_key)}}],
        "current-context": "webhook",
        "contexts": [{"name": "webhook", "context": {"cluster": "akslocal-webhook", "user": "kube-apiserver"}}],
    }
    return yaml.safe_dump(doc, sort_keys=False)


def run_kubeconfig(args: argparse.Namespace) -> int:
    from akslocal.webhook.tlsfiles import ensure_tls

    hosts = _hosts(args)
    server = args.server or f"https://{args.host}:{args.port}/tokenreviews"
    from urllib.parse import urlsplit

    named = urlsplit(server).hostname
    if named and named not in hosts:
        hosts.append(named)
    tls = ensure_tls(_state_dir(args), hosts)
    sys.stdout.write(kubeconfig_text(tls, server))
    return 0
