"""Argument types shared by the command modules (az's three-state flags, JSON values, name lists)."""

from __future__ import annotations

import argparse


def _boolean(value: str) -> bool:
    lowered = str(value).lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"invalid choice: '{value}' (choose from 'false', 'true')")


_boolean.__name__ = "three_state_flag"


def three_state_flag(help: str) -> dict:
    """``--flag``, ``--flag true`` or ``--flag false``, like az's ``get_three_state_flag``."""
    return {"nargs": "?", "const": True, "type": _boolean, "help": help}


def generic_update(c) -> None:
    """az's --set/--add/--remove/--force-string on an update command."""
    c.argument("set", options_list=["--set"], nargs="+", action="append", metavar="KEY=VALUE",
               help="Update an object by specifying a property path and value to set, e.g. "
                    "groupMembershipClaims=All.")
    c.argument("add", options_list=["--add"], nargs="+", action="append", metavar="LIST KEY=VALUE",
               help="Add an object to a list by specifying a path and key value pairs.")
    c.argument("remove", options_list=["--remove"], nargs="+", action="append", metavar="LIST INDEX",
               help="Remove a property or an element from a list.")
    c.argument("force_string", options_list=["--force-string"], action="store_true",
               help="When using 'set' or 'add', preserve string literals instead of attempting to convert to JSON.")
