"""az's generic update arguments: ``--set a.b=value``, ``--add list value``, ``--remove list index``.

Paths are dotted, with ``[n]`` list indexes (``web.redirectUris[0]``). Values are parsed
as JSON when they parse (``true``, ``["a"]``, ``{"k": 1}``), else kept as strings, unless
``--force-string``, as az does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from akslocal.cli.core.errors import InvalidArgumentValueError

_PART = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def _parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for match in _PART.finditer(path):
        if path[pos:match.start()] not in ("", "."):
            break
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        pos = match.end()
    if pos != len(path) or not parts:
        raise InvalidArgumentValueError(f"Invalid property path '{path}'.")
    return parts


def _value(text: str, force_string: bool) -> Any:
    if force_string:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _descend(obj: Any, parts: list[str | int], path: str, create: bool) -> Any:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(obj, list) or not -len(obj) <= part < len(obj):
                raise InvalidArgumentValueError(f"index {part} doesn't exist on {path}")
            obj = obj[part]
        else:
            if not isinstance(obj, dict):
                raise InvalidArgumentValueError(f"Couldn't find '{part}' in '{path}'.")
            key = _match_key(obj, part)
            if key is None:
                if not create:
                    raise InvalidArgumentValueError(f"Couldn't find '{part}' in '{path}'.")
                obj[part] = {}
                key = part
            if obj[key] is None and create:
                obj[key] = {}
            obj = obj[key]
    return obj


def _match_key(obj: dict, name: str) -> str | None:
    if name in obj:
        return name
    lowered = name.lower()
    return next((k for k in obj if k.lower() == lowered), None)


def set_property(obj: dict, expression: str, force_string: bool = False) -> None:
    if "=" not in expression:
        raise InvalidArgumentValueError(f"usage error: --set property=value (got '{expression}')")
    path, text = expression.split("=", 1)
    parts = _parse_path(path)
    parent = _descend(obj, parts[:-1], path, create=True)
    last = parts[-1]
    value = _value(text, force_string)
    if isinstance(last, int):
        if not isinstance(parent, list) or not -len(parent) <= last < len(parent):
            raise InvalidArgumentValueError(f"index {last} doesn't exist on {path}")
        parent[last] = value
    elif isinstance(parent, dict):
        parent[_match_key(parent, last) or last] = value
    else:
        raise InvalidArgumentValueError(f"Couldn't find '{last}' in '{path}'.")


def add_property(obj: dict, path: str, values: list[str], force_string: bool = False) -> None:
    parts = _parse_path(path)
    target = _descend(obj, parts, path, create=False)
    if not isinstance(target, list):
        raise InvalidArgumentValueError(f"invalid syntax: --add {path}: '{path}' is not a list.")
    pairs = [v for v in values if "=" in v and not v.lstrip().startswith(("{", "["))]
    if pairs and len(pairs) == len(values):
        target.append({k: _value(v, force_string) for k, v in (p.split("=", 1) for p in pairs)})
    else:
        target.extend(_value(v, force_string) for v in values)


def remove_property(obj: dict, path: str, index: str | None = None) -> None:
    parts = _parse_path(path)
    if index is None:
        parent = _descend(obj, parts[:-1], path, create=False)
        last = parts[-1]
        if isinstance(last, int) and isinstance(parent, list):
            parent.pop(last)
        elif isinstance(parent, dict) and _match_key(parent, str(last)) is not None:
            del parent[_match_key(parent, str(last))]
        else:
            raise InvalidArgumentValueError(f"Couldn't find '{last}' in '{path}'.")
        return
    target = _descend(obj, parts, path, create=False)
    try:
        target.pop(int(index))
    except (AttributeError, ValueError, IndexError) as error:
        raise InvalidArgumentValueError(f"index {index} doesn't exist on {path}") from error


def apply(obj: dict, set_: list | None, add: list | None, remove: list | None, force_string: bool = False) -> dict:
    """Apply az's --set/--add/--remove (each possibly repeated) to ``obj`` in place and return it."""
    for group in set_ or []:
        for expression in group if isinstance(group, list) else [group]:
            set_property(obj, expression, force_string)
    for group in add or []:
        items = group if isinstance(group, list) else [group]
        if len(items) < 2:
            raise InvalidArgumentValueError("usage error: --add LIST_PROPERTY VALUE [VALUE ...]")
        add_property(obj, items[0], items[1:], force_string)
    for group in remove or []:
        items = group if isinstance(group, list) else [group]
        remove_property(obj, items[0], items[1] if len(items) > 1 else None)
    return obj
