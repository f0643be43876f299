"""Resource groups: named containers in a subscription with a location and tags."""

from __future__ import annotations

import re
from typing import Any

from akslocal.arm import errors
from akslocal.arm.kinds import RESOURCE_GROUPS

NAME = re.compile(r"^[-\w._()]{1,90}$")
TAG_LIMIT = 50


def key(subscription_id: str, name: str) -> str:
    return f"{subscription_id}/{name.lower()}"


def normalise_location(value: object, target: str = "location") -> str:
    """ARM compares locations case- and space-insensitively (``EastUS`` is ``eastus``)."""
    if value is None or value == "":
        raise errors.ArmError(400, "LocationRequired", "The location property is required for this definition.")
    if not isinstance(value, str) or len(value) > 64 or not re.fullmatch(r"[A-Za-z0-9 ]+", value):
        raise errors.ArmError(400, "LocationNotAvailableForResourceGroup" if target == "location" else
                              "InvalidParameter", f"The provided location '{str(value)[:64]}' is not available.",
                              target)
    return value.replace(" ", "").lower()


def check_name(name: str) -> None:
    if not NAME.fullmatch(name) or name.endswith("."):
        raise errors.ArmError(400, "InvalidParameter",
                              f"Resource group name '{name[:100]}' is invalid. It can include alphanumeric, "
                              "underscore, parentheses, hyphen, period (except at end), and Unicode characters that "
                              "match the allowed characters.", "resourceGroupName")


def check_tags(tags: object) -> dict[str, str] | None:
    if tags is None:
        return None
    if not isinstance(tags, dict) or len(tags) > TAG_LIMIT or not all(
            isinstance(k, str) and 0 < len(k) <= 512 and isinstance(v, str) and len(v) <= 256
            for k, v in tags.items()):
        raise errors.ArmError(400, "InvalidTag", "The tags must be an object of at most 50 string names (512 "
                                                 "characters) and string values (256 characters).", "tags")
    return dict(tags)


def get_group(tx, subscription_id: str, name: str) -> dict | None:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    return tx.get(RESOURCE_GROUPS, key(subscription_id, name))


def require_group(tx, subscription_id: str, name: str) -> dict:
    doc = get_group(tx, subscription_id, name)
    if doc is None or doc.get("provisioningState") == "Deleting":
        raise errors.resource_group_not_found(name)
    return doc


def put_group(tx, subscription_id: str, name: str, body: Any, managed_by: str | None = None) -> tuple[dict, bool]:
    """Create or update (PUT). Returns (group, created)."""
    check_name(name)
    if not isinstance(body, dict):
        raise errors.invalid_content("the request body must be a JSON object.")
    location = normalise_location(body.get("location"))
    tags = check_tags(body.get("tags"))
    existing = get_group(tx, subscription_id, name)
    if existing is not None:
        if existing.get("provisioningState") == "Deleting":
            raise errors.ArmError(409, "ResourceGroupBeingDeleted",
                                  f"The resource group '{existing['name']}' is in deprovisioning state and cannot "
                                  "perform this operation.")
        if existing["location"] != location:
            raise errors.ArmError(409, "InvalidResourceGroupLocation",
                                  f"Invalid resource group location '{location}'. The Resource group already exists "
                                  f"in location '{existing['location']}'.")
        existing["tags"] = tags
        tx.put(RESOURCE_GROUPS, key(subscription_id, name), existing)
        return existing, False
    doc = {"subscriptionId": subscription_id, "name": name, "location": location, "tags": tags,
           "managedBy": body.get("managedBy") if isinstance(body.get("managedBy"), str) else managed_by,
           "provisioningState": "Succeeded"}
    tx.create(RESOURCE_GROUPS, key(subscription_id, name), doc)
    return doc, True


def patch_group(tx, subscription_id: str, name: str, body: Any) -> dict:
    doc = require_group(tx, subscription_id, name)
    if not isinstance(body, dict):
        raise errors.invalid_content("the request body must be a JSON object.")
    if "tags" in body:
        doc["tags"] = check_tags(body["tags"])
    tx.put(RESOURCE_GROUPS, key(subscription_id, name), doc)
    return doc


def mark_deleting(tx, subscription_id: str, name: str) -> dict:
    doc = require_group(tx, subscription_id, name)
    doc["provisioningState"] = "Deleting"
    tx.put(RESOURCE_GROUPS, key(subscription_id, name), doc)
    return doc


def remove(tx, subscription_id: str, name: str) -> None:
    if tx.get(RESOURCE_GROUPS, key(subscription_id, name)) is not None:
        tx.delete(RESOURCE_GROUPS, key(subscription_id, name))


def list_groups(tx, subscription_id: str) -> list[dict]:
    return sorted((r.doc for r in tx.find(RESOURCE_GROUPS, "subscription", subscription_id)),
                  key=lambda d: d["name"].lower())


def group_id(subscription_id: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{name}"


def render(doc: dict) -> dict[str, Any]:
    return {
        "id": group_id(doc["subscriptionId"], doc["name"]), "name": doc["name"],
        "type": "Microsoft.Resources/resourceGroups", "location": doc["location"], "managedBy": doc.get("managedBy"),
        "tags": doc.get("tags"), "properties": {"provisioningState": doc.get("provisioningState", "Succeeded")},
    }
