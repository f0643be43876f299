"""Store kinds of the ARM piece (names prefixed ``arm.``)."""

from __future__ import annotations

from akslocal.store import Kind

# Key: subscription id. {"subscriptionId", "tenantId", "displayName", "state"}
SUBSCRIPTIONS = Kind("arm.subscription", index=lambda d: {"tenant": d["tenantId"].lower()})
# Key: "default". {"subscriptionId"}: the default subscription, stable across restarts.
SETTINGS = Kind("arm.settings")
# Key: "<sub>/<rg lower>". {"subscriptionId", "name", "location", "tags", "managedBy", "provisioningState"}
RESOURCE_GROUPS = Kind("arm.resource_group", index=lambda d: {"subscription": d["subscriptionId"]})
# Key: "<sub>/<rg lower>/<name lower>". The stored ManagedCluster (never the server app secret).
MANAGED_CLUSTERS = Kind(
    "arm.managed_cluster",
    index=lambda d: {"subscription": d["subscriptionId"],
                     "group": f"{d['subscriptionId']}/{d['resourceGroup'].lower()}"},
)
# Key: operation id. {"status", "startTime", "due", "kind", "resourceKey", "error"?}
OPERATIONS = Kind("arm.operation", index=lambda d: {"status": d["status"]})
# Key: role assignment name (a guid). {"scope", "roleDefinitionId", "principalId", "principalType", ...}
ROLE_ASSIGNMENTS = Kind(
    "arm.role_assignment",
    index=lambda d: {"principal": d["principalId"].lower(), "subscription": d["subscriptionId"]},
)
