"""Resource groups over Resource Manager: PUT/GET/DELETE ``/subscriptions/{s}/resourcegroups/{rg}`` (§7.3)."""

from __future__ import annotations

from urllib.parse import quote

from akslocal.cli.core.errors import ResourceNotFoundError
from akslocal.cli.core.rest import ARM_API, ArmClient

API = ARM_API["resourcegroups"]


def _arm():
    from akslocal.cli.app import session

    return ArmClient(session())


def _path(arm: ArmClient, name: str) -> str:
    return f"/subscriptions/{arm.subscription}/resourcegroups/{quote(name, safe='')}"


def parse_tags(tags):
    if tags is None:
        return None
    parsed = {}
    for item in tags:
        key, _, value = item.partition("=")
        if key:
            parsed[key] = value
    return parsed


def create_group(name, location, tags=None, managed_by=None):
    """Create a new resource group."""
    arm = _arm()
    body = {"location": location}
    if tags is not None:
        body["tags"] = parse_tags(tags)
    if managed_by:
        body["managedBy"] = managed_by
    return arm.request("PUT", _path(arm, name), API, json=body).json()


def show_group(name):
    """Gets a resource group."""
    arm = _arm()
    return arm.get(_path(arm, name), API)


def list_groups(tag=None):
    """List resource groups."""
    arm = _arm()
    groups = arm.list(f"/subscriptions/{arm.subscription}/resourcegroups", API)
    if tag:
        key, _, value = tag.partition("=")
        groups = [g for g in groups if key in (g.get("tags") or {}) and (not value or g["tags"][key] == value)]
    return groups


def delete_group(name, no_wait=False, force_deletion_types=None):
    """Delete a resource group (and everything in it)."""
    from akslocal.cli.app import session
    from akslocal.cli.core.progress import Progress

    arm = ArmClient(session())
    with Progress() as progress:
        arm.long_running("DELETE", _path(arm, name), API, no_wait=no_wait, progress=progress)


def group_exists(name):
    """Check if a resource group exists (prints true or false)."""
    arm = _arm()
    try:
        arm.request("GET", _path(arm, name), API)
    except ResourceNotFoundError:
        return False
    return True
