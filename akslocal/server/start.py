"""`akslocal start`: bootstrap the data dir, then serve every piece on one TLS port."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import ssl
import sys
from pathlib import Path
from typing import NamedTuple

from akslocal.server.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, default_data_dir

# Pieces that prepare their state on start, in order; each has bootstrap(services) -> banner lines.
BOOTSTRAPS = [
    "akslocal.directory.bootstrap",
    "akslocal.identity.bootstrap",
    "akslocal.arm.bootstrap",
]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("start", help="Run akslocal in the foreground.")
    p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="TLS port (default %(default)s)")
    p.add_argument("--data-dir", type=Path, default=None, help="where state lives (default ~/.akslocal)")
    p.add_argument("--database-url", default=None, help="postgresql+psycopg://… instead of SQLite in the data dir")
    p.add_argument("--import", dest="import_file", type=Path, default=None, help="fixture file to import on start")
    p.add_argument(
        "--operation-delay",
        type=float,
        default=float(os.environ.get("AKSLOCAL_OPERATION_DELAY", "1")),
        help="seconds a cluster create/update/delete stays in progress (default %(default)s)",
    )
    p.add_argument("--workers", type=_workers, default=1,
                   help="server processes sharing the port (default %(default)s; see docs/server.md)")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=run)


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("must be between 1 and 64")
    return value


def make_services(settings: Settings):  # -> Services
    from akslocal.clock import StoreClock
    from akslocal.entropy import Entropy
    from akslocal.server.context import Services
    from akslocal.store import open_store

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = open_store(settings.store_url)
    return Services(store=store, clock=StoreClock(store, settings.data_dir), entropy=Entropy(), settings=settings)


def bootstrap(services) -> list[str]:
    lines: list[str] = []
    for name in BOOTSTRAPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        lines.extend(module.bootstrap(services))
    return lines


class TlsFiles(NamedTuple):
    ca: Path  # what clients trust
    cert: Path  # the edge's server certificate and key
    key: Path
    client_ca: Path  # the CA of admin client certificates


def tls_context(settings: Settings) -> TlsFiles:
    """The edge's TLS files, made once here, before any worker forks (workers only read them)."""
    from akslocal.pki import load_or_create_client_ca, load_or_create_edge_tls

    ca, cert, key = load_or_create_edge_tls(settings.data_dir, [settings.host])
    return TlsFiles(ca, cert, key, load_or_create_client_ca(settings.data_dir)[1])


def run(args: argparse.Namespace) -> int:
    from akslocal.server.control import control_key

    settings = Settings(
        data_dir=(args.data_dir or default_data_dir()).expanduser().resolve(),
        host=args.host,
        port=args.port,
        database_url=args.database_url,
        operation_delay=args.operation_delay,
    )
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    tls = tls_context(settings)
    services = make_services(settings)
    banner = bootstrap(services)
    if args.import_file is not None:
        from akslocal.directory.fixtures import import_file

        for line in import_file(services, args.import_file):
            banner.append(line)
    control_key(settings.data_dir)  # on disk from the start, as docs/server.md says (scripts cat it)
    sock = None
    if args.workers > 1:
        from akslocal.server import workers

        services.close()  # each worker opens its own connections (none may cross a fork)
        sock = workers.listen(settings.host, settings.port)
    state = settings.data_dir / "server.json"
    print_banner(settings, tls.ca, banner)
    state.write_text(json.dumps({"pid": os.getpid(), "url": settings.public_url, "ca": str(tls.ca)}))
    try:
        if sock is None:
            return serve(settings, args, tls, services)
        return workers.supervise(
            args.workers, lambda shared: serve(settings, args, tls, make_services(settings), shared),
            sock,
        )
    finally:
        try:
            if json.loads(state.read_text()).get("pid") == os.getpid():
                state.unlink()
        except (OSError, ValueError):
            pass


def serve(settings: Settings, args: argparse.Namespace, tls: TlsFiles, services, sock=None) -> int:
    """Serve the edge until stopped (on ``sock`` when given, else by binding host:port); 0."""
    import uvicorn

    from akslocal.server.app import build_app
    from akslocal.server.tls import PeerCertHttpToolsProtocol

    try:
        config = uvicorn.Config(
            build_app(services),
            host=settings.host,
            port=settings.port,
            ssl_certfile=str(tls.cert),
            ssl_keyfile=str(tls.key),
            ssl_ca_certs=str(tls.client_ca),
            ssl_cert_reqs=ssl.CERT_OPTIONAL,
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            timeout_graceful_shutdown=2,
            lifespan="on",
            proxy_headers=False,  # nothing sits in front of akslocal: X-Forwarded-For must not rename the caller
            http=PeerCertHttpToolsProtocol,
        )
        _server_class()(config).run(sockets=[sock] if sock is not None else None)
    finally:
        services.close()
    return 0


def _server_class():
    import contextlib
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGTERM/SIGINT after shutting down; a clean stop should exit 0."""

        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[override]
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


def print_banner(settings: Settings, ca_path: Path, lines: list[str]) -> None:
    url = settings.public_url
    out = [
        f"akslocal is serving on {url}",
        f"  Entra ID (login):      {url}/<tenant>/oauth2/v2.0/token",
        f"  OpenID metadata:       {url}/<tenant>/v2.0/.well-known/openid-configuration",
        f"  Device sign-in page:   {url}/devicelogin",
        f"  Microsoft Graph:       {url}/v1.0/",
        f"  Resource Manager:      {url}/subscriptions",
        f"  Clusters:              {url}/clusters/<cluster id>",
        f"  CA certificate:        {ca_path}   (export REQUESTS_CA_BUNDLE={ca_path})",
        f"  Data dir:              {settings.data_dir}",
        *lines,
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(out), flush=True)
    sys.stdout.flush()
