"""Reading request bodies: camelCase Graph properties to directory fields, with Graph's errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from akslocal.graph.errors import bad_request


def unknown_property(name: str) -> Exception:
    return bad_request(
        f"Property '{str(name)[:100]}' does not exist as a declared property or extension property.",
        "Request_BadRequest",
    )


def wrong_type(name: str, expected: str) -> Exception:
    return bad_request(f"Invalid value specified for property '{name}': expected {expected}.", "Request_BadRequest")


def check_keys(body: dict, allowed: set[str], ignored: set[str] = frozenset()) -> None:
    for key in body:
        if key.startswith("@odata.") or key in ignored:
            continue
        if key not in allowed:
            raise unknown_property(key)


def string(body: dict, name: str, *, required: bool = False, nullable: bool = True) -> Any:
    if name not in body:
        if required:
            raise bad_request(f"Property '{name}' is required.", "Request_BadRequest")
        return None
    value = body[name]
    if value is None and nullable and not required:
        return None
    if not isinstance(value, str):
        raise wrong_type(name, "a string")
    return value


def boolean(body: dict, name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise wrong_type(name, "true or false")
    return value


def string_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wrong_type(name, "a list of strings")
    return value


def obj(value: Any, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise wrong_type(name, "an object")
    return value


def timestamp(value: Any, name: str) -> float | None:
    """ISO 8601 as Graph clients send it (``Z`` or an offset, up to 7 fractional digits)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise wrong_type(name, "an ISO 8601 date and time")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        text = head + "." + digits[:6].ljust(6, "0") + rest[len(digits) :]
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise wrong_type(name, "an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()
