"""ManagedCluster as az prints it: the Python SDK's names (``clientAppId``, ``enableRbac``), ``properties``
flattened to the root, ``resourceGroup`` added, and every ``aadProfile`` field present (null when unset)."""

from __future__ import annotations

import re
from typing import Any

_ACRONYM = re.compile(r"([A-Z])([A-Z]+)(?=[A-Z][a-z]|$)")
_MAPS = {"tags", "addonProfiles", "config", "nodeLabels", "identityProfile", "userAssignedIdentities"}
AAD_FIELDS = ("adminGroupObjectIDs", "adminUsers", "clientAppId", "enableAzureRbac", "managed", "serverAppId",
              "serverAppSecret", "tenantId")


def sdk_name(key: str) -> str:
    """ARM's wire name → the SDK attribute's camelCase (``clientAppID`` → ``clientAppId``; ``…IDs`` stays)."""
    return _ACRONYM.sub(lambda m: m.group(1) + m.group(2).lower(), key)


def sdk_names(value: Any, in_map: bool = False) -> Any:
    if isinstance(value, list):
        return [sdk_names(v) for v in value]
    if isinstance(value, dict):
        return {(k if in_map else sdk_name(k)): sdk_names(v, in_map=k in _MAPS and not in_map) for k, v in
                value.items()}
    return value


def resource_group_of(resource_id: str) -> str | None:
    match = re.search(r"/resourcegroups/([^/]+)", resource_id or "", re.IGNORECASE)
    return match.group(1) if match else None


def cluster(wire: dict | None) -> dict | None:
    if not isinstance(wire, dict):
        return wire
    flat = {k: v for k, v in wire.items() if k != "properties"}
    flat.update(wire.get("properties") or {})
    out = sdk_names(flat)
    if out.get("aadProfile") is not None:
        profile = {name: out["aadProfile"].get(name) for name in AAD_FIELDS}
        profile.update({k: v for k, v in out["aadProfile"].items() if k not in profile})
        out["aadProfile"] = profile
    else:
        out["aadProfile"] = None
    out.setdefault("resourceGroup", resource_group_of(out.get("id", "")))
    return dict(sorted(out.items()))
