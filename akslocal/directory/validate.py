"""Checks on values coming from outside: ids, names, URIs.  Each raises a clear DirectoryError."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from akslocal.directory.errors import bad_request

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Graph limits displayName to 256 characters on users, groups and applications.
MAX_NAME = 256
MAX_URI = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9._%+\-'#!$&*=?^`{|}~]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def is_guid(value: object) -> bool:
    return isinstance(value, str) and bool(GUID.match(value))


def guid(value: object, what: str = "id") -> str:
    if not is_guid(value):
        raise bad_request(
            f"Invalid object identifier '{value}'."
            if what == "id"
            else f"Invalid value for {what}: '{value}' is not a GUID."
        )
    return str(value).lower()


def text(value: object, prop: str, *, required: bool = True, max_len: int = MAX_NAME) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise bad_request(f"Invalid value specified for property '{prop}' of resource: expected a string.")
    if required and not value.strip():
        raise bad_request(f"Invalid value specified for property '{prop}' of resource: it must not be empty.")
    if len(value) > max_len:
        raise bad_request(
            f"Invalid value specified for property '{prop}' of resource: longer than {max_len} characters."
        )
    if _CONTROL.search(value):
        raise bad_request(f"Invalid value specified for property '{prop}' of resource: control characters.")
    return value


def boolean(value: object, prop: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f"Invalid value specified for property '{prop}' of resource: expected true or false.")
    return value


def domain(value: object) -> str:
    if not isinstance(value, str) or not _DOMAIN.match(value):
        raise bad_request(f"Invalid domain name '{value}'.")
    return value.lower()


def upn(value: object) -> str:
    if not isinstance(value, str) or value.count("@") != 1 or len(value) > 113 + 1 + 253:
        raise bad_request("Property userPrincipalName is invalid.")
    local, dom = value.split("@")
    if not local or not _UPN_LOCAL.match(local) or local.startswith(".") or local.endswith("."):
        raise bad_request("Property userPrincipalName is invalid.")
    domain(dom)
    return value


def uri(value: object, prop: str = "identifierUris") -> str:
    """An absolute URI (scheme + authority or path), no spaces, no fragment."""
    if not isinstance(value, str) or not value or len(value) > MAX_URI or _CONTROL.search(value) or " " in value:
        raise bad_request(f"Invalid value specified for property '{prop}' of resource 'Application'.")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise bad_request(f"Invalid value specified for property '{prop}' of resource 'Application'.") from None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*$", parts.scheme or "") or not (parts.netloc or parts.path):
        raise bad_request(f"Invalid value specified for property '{prop}' of resource 'Application'.")
    if parts.fragment or "#" in value:
        raise bad_request(f"Invalid value specified for property '{prop}' of resource 'Application'.")
    return value


def string_list(value: object, prop: str, *, item=None, max_items: int = 256) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > max_items:
        raise bad_request(f"Invalid value specified for property '{prop}' of resource: expected a list.")
    out: list[str] = []
    for entry in value:
        checked = item(entry, prop) if item else text(entry, prop, max_len=MAX_URI)
        if checked not in out:
            out.append(checked)
    return tuple(out)
