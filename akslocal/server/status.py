"""`akslocal status`, `akslocal reset`, `akslocal ca-path`."""

from __future__ import annotations

import argparse
import json
import shutil
import ssl
import urllib.request
from pathlib import Path

from akslocal.server.settings import default_data_dir


def add_parser(sub: argparse._SubParsersAction) -> None:
    for name, func, help_text in (
        ("status", status, "Say whether akslocal is running, and where."),
        ("reset", reset, "Delete the data dir (all tenants, clusters, keys and the CA)."),
        ("ca-path", ca_path, "Print the CA certificate file to trust (REQUESTS_CA_BUNDLE)."),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--data-dir", type=Path, default=None)
        if name == "reset":
            p.add_argument("--yes", action="store_true", help="do not ask")
        p.set_defaults(func=func)


def _data_dir(args: argparse.Namespace) -> Path:
    return (args.data_dir or default_data_dir()).expanduser()


def status(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    state_file = data_dir / "server.json"
    if not state_file.exists():
        print(f"akslocal is not running (no server in {data_dir}).")
        return 1
    state = json.loads(state_file.read_text())
    context = ssl.create_default_context(cafile=state["ca"])
    try:
        with urllib.request.urlopen(state["url"] + "/health", context=context, timeout=3) as response:  # noqa: S310
            ok = response.status == 200
    except OSError:
        ok = False
    if not ok:
        print(f"akslocal is not answering at {state['url']} (pid {state['pid']}).")
        return 1
    print(f"akslocal is running at {state['url']} (pid {state['pid']}, data dir {data_dir}, CA {state['ca']}).")
    return 0


def reset(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if (data_dir / "server.json").exists():
        print(f"akslocal seems to be running on {data_dir}; stop it first.")
        return 1
    if not args.yes:
        print(f"This deletes {data_dir}. Run again with --yes to do it.")
        return 2
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"Deleted {data_dir}.")
    return 0


def ca_path(args: argparse.Namespace) -> int:
    path = _data_dir(args) / "tls" / "ca.pem"
    if not path.exists():
        print(f"No CA yet: run 'akslocal start' first ({path} does not exist).")
        return 1
    print(path)
    return 0
