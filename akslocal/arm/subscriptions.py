"""Subscriptions: each belongs to one tenant; the default one is created on first start."""

from __future__ import annotations

from typing import Any

from akslocal.arm import errors
from akslocal.arm.kinds import SETTINGS, SUBSCRIPTIONS

DEFAULT_KEY = "default-subscription"
DEFAULT_NAME = "akslocal"
POLICIES = {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"}


def is_guid(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    parts = value.split("-")
    if [len(p) for p in parts] != [8, 4, 4, 4, 12]:
        return False
    return all(c in "0123456789abcdefABCDEF" for c in "".join(parts))


def create_subscription(tx, tenant_id: str, display_name: str, entropy, subscription_id: str | None = None) -> dict:
    sub_id = (subscription_id or entropy.guid()).lower()
    doc = {"subscriptionId": sub_id, "tenantId": tenant_id, "displayName": display_name, "state": "Enabled"}
    tx.create(SUBSCRIPTIONS, sub_id, doc)
    return doc


def get_subscription(tx, subscription_id: str) -> dict | None:
    if not is_guid(subscription_id):
        return None
    return tx.get(SUBSCRIPTIONS, subscription_id.lower())


def require_subscription(tx, subscription_id: str) -> dict:
    doc = get_subscription(tx, subscription_id)
    if doc is None:
        if not is_guid(subscription_id):
            raise errors.ArmError(400, "InvalidSubscriptionId",
                                  f"The provided subscription identifier '{subscription_id[:100]}' is malformed or "
                                  "invalid.")
        raise errors.subscription_not_found(subscription_id)
    return doc


def list_for_tenant(tx, tenant_id: str) -> list[dict]:
    return sorted((r.doc for r in tx.find(SUBSCRIPTIONS, "tenant", tenant_id.lower())),
                  key=lambda d: d["displayName"])


def default_subscription(tx) -> dict | None:
    setting = tx.get(SETTINGS, DEFAULT_KEY)
    return tx.get(SUBSCRIPTIONS, setting["subscriptionId"]) if setting else None


def ensure_default(tx, tenant_id: str, entropy) -> dict:
    existing = default_subscription(tx)
    if existing is not None:
        return existing
    doc = create_subscription(tx, tenant_id, DEFAULT_NAME, entropy)
    tx.put(SETTINGS, DEFAULT_KEY, {"subscriptionId": doc["subscriptionId"]})
    return doc


def render(doc: dict[str, Any]) -> dict[str, Any]:
    """The subscription as ``GET /subscriptions/{s}`` returns it."""
    return {
        "id": f"/subscriptions/{doc['subscriptionId']}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": doc["subscriptionId"],
        "tenantId": doc["tenantId"],
        "displayName": doc["displayName"],
        "state": doc["state"],
        "subscriptionPolicies": dict(POLICIES),
    }
