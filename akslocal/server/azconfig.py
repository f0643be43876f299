"""`akslocal az-config`: an isolated configuration for the real Azure CLI, pointed at akslocal.

It writes what `az config set core.instance_discovery=false`, `az cloud register` and
`az cloud set` would write (``config`` and ``clouds.config`` in ``AZURE_CONFIG_DIR``), so
it works before `az` is even installed, and prints the two variables to export.

Resource ids: Resource Manager tokens are for ``https://management.core.windows.net/``
(as in Azure); Microsoft Graph's resource id is the edge URL with a trailing slash, which
the CLI uses both as Graph's base URL and as the token resource.
"""

from __future__ import annotations

import argparse
import configparser
import os
from pathlib import Path

from akslocal.server.settings import DEFAULT_PORT, default_data_dir

CLOUD_NAME = "akslocal"
ARM_RESOURCE_ID = "https://management.core.windows.net/"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("az-config", help="Prepare an AZURE_CONFIG_DIR so the real az CLI talks to akslocal.")
    p.add_argument("--endpoint", default=os.environ.get("AKSLOCAL_ENDPOINT", f"https://127.0.0.1:{DEFAULT_PORT}"),
                   help="akslocal's URL (default $AKSLOCAL_ENDPOINT or %(default)s)")
    p.add_argument("--data-dir", type=Path, default=None, help="akslocal's data dir (for the CA path)")
    p.add_argument("--config-dir", type=Path, default=None,
                   help="the AZURE_CONFIG_DIR to prepare (default <data dir>/az)")
    p.set_defaults(func=run)


def cloud_endpoints(endpoint: str) -> dict[str, str]:
    base = endpoint.rstrip("/")
    return {
        "endpoint_active_directory": base,
        "endpoint_active_directory_resource_id": ARM_RESOURCE_ID,
        "endpoint_resource_manager": base + "/",
        "endpoint_microsoft_graph_resource_id": base + "/",
    }


def _update_ini(path: Path, sections: dict[str, dict[str, str]], mode: int) -> None:
    parser = configparser.ConfigParser()
    if path.exists():
        parser.read(path)
    for section, values in sections.items():
        if not parser.has_section(section):
            parser.add_section(section)
        for key, value in values.items():
            parser.set(section, key, value)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        parser.write(handle)
    os.replace(tmp, path)


def write_az_config(config_dir: Path, endpoint: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _update_ini(config_dir / "clouds.config", {CLOUD_NAME: cloud_endpoints(endpoint)}, 0o644)
    _update_ini(
        config_dir / "config",
        {"cloud": {"name": CLOUD_NAME}, "core": {"instance_discovery": "false", "collect_telemetry": "false"}},
        0o600,
    )
    # MSAL keeps OIDC documents across runs; a stale one would point at an old port.
    (config_dir / "msal_http_cache.bin").unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    data_dir = (args.data_dir or default_data_dir()).expanduser().resolve()
    config_dir = (args.config_dir or data_dir / "az").expanduser().resolve()
    ca = Path(os.environ.get("AKSLOCAL_CA_BUNDLE") or data_dir / "tls" / "ca.pem")
    write_az_config(config_dir, args.endpoint)
    print(f"# The az CLI configuration for akslocal at {args.endpoint} is in {config_dir}.")
    if not ca.exists():
        print(f"# {ca} does not exist yet: run 'akslocal start' first.")
    print(f"export AZURE_CONFIG_DIR={config_dir}")
    print(f"export REQUESTS_CA_BUNDLE={ca}")
    print("# then: az login --use-device-code   (complete it with 'akslocal devicelogin --code …')")
    return 0
