"""`akslocal import FILE.yaml`: load a fixture into the data dir's store (server running or not)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="Import tenants, users, groups and guests from a YAML fixture.")
    p.add_argument("file", type=Path, help="fixture file (format: docs/directory.md)")
    p.add_argument("--data-dir", type=Path, default=None, help="data dir (default ~/.akslocal)")
    p.add_argument("--database-url", default=None, help="postgresql+psycopg://… when the server uses PostgreSQL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from akslocal.directory.fixtures import FixtureError, ensure_default_tenant, import_file
    from akslocal.server.settings import Settings, default_data_dir
    from akslocal.server.start import make_services

    data_dir = (args.data_dir or default_data_dir()).expanduser().resolve()
    settings = Settings(data_dir=data_dir, database_url=args.database_url)
    services = make_services(settings)
    try:
        # A running server records its own URL; only a fresh data dir gets the default tenant from here.
        running = (data_dir / "server.json").exists()
        for line in ensure_default_tenant(services, record_edge=False):
            if "password" in line.lower() or not running:
                print(line)
        try:
            lines = import_file(services, args.file)
        except FixtureError as exc:
            print(f"akslocal import: {args.file}: {exc}", file=sys.stderr)
            return 1
        for line in lines:
            print(line)
    finally:
        services.store.close()
    return 0
