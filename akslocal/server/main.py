"""`akslocal`: start the emulator and work with it.

Each sub-command lives in the piece it belongs to and is imported only when run,
so `akslocal --help` stays fast.  A command module exposes ``add_parser(subparsers)``
which registers its parser with ``set_defaults(func=…)``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command → module with add_parser(); the order is the order of --help.
COMMANDS = {
    "start": "akslocal.server.start",
    "status": "akslocal.server.status",
    "reset": "akslocal.server.status",
    "ca-path": "akslocal.server.status",
    "import": "akslocal.directory.fixtures_cli",
    "devicelogin": "akslocal.identity.devicelogin",
    "webhook": "akslocal.webhook.cli",
    "explain": "akslocal.webhook.explain",
    "az-config": "akslocal.server.azconfig",
    "demo": "akslocal.demo.command",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akslocal",
        description="Microsoft Entra ID and Azure Kubernetes Service, on this machine.",
    )
    from akslocal import __version__

    parser.add_argument("--version", action="version", version=f"akslocal {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    seen: set[str] = set()
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        if module_name in seen:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        seen.add(module_name)
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(first if COMMANDS.get(first) else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
