"""The main ARM flows on every store backend (SQLite always, PostgreSQL under `make test`)."""

from __future__ import annotations

from akslocal.arm import lifecycle, managed_clusters, resource_groups, role_assignments, subscriptions
from akslocal.arm.role_assignments import Caller
from tests.arm.seed import seed_directory
from tests.arm.test_managed_clusters import body, legacy


def test_legacy_create_migrate_delete_and_roles(any_backend, fake) -> None:
    services = any_backend
    s = seed_directory(services)
    with services.store.transaction() as tx:
        sub = subscriptions.require_subscription(tx, s.subscription_id)
        resource_groups.put_group(tx, s.subscription_id, "rg", {"location": "eastus"})
    managed_clusters.put_cluster(services, sub, "rg", "c", body(aadProfile=legacy(s)), fake)
    lifecycle.settle(services)
    with services.store.transaction(write=False) as tx:
        shown = managed_clusters.render(managed_clusters.require_cluster(tx, s.subscription_id, "rg", "c"))
    assert shown["properties"]["provisioningState"] == "Succeeded"
    shown["properties"]["aadProfile"] = {"managed": True, "adminGroupObjectIDs": [s.group_id]}
    managed_clusters.put_cluster(services, sub, "rg", "c", shown, fake)
    lifecycle.settle(services)
    with services.store.transaction(write=False) as tx:
        profile = managed_clusters.require_cluster(tx, s.subscription_id, "rg", "c")["properties"]["aadProfile"]
    assert profile["managed"] is True and profile["serverAppID"] is None

    robot = Caller(s.robot_sp_id, s.tenant_id, False, s.robot_app_id)
    scope = f"/subscriptions/{s.subscription_id}/resourceGroups/rg"
    with services.store.transaction() as tx:
        role_assignments.create_assignment(tx, sub, scope, "11111111-1111-4111-8111-111111111111", {"properties": {
            "roleDefinitionId": role_assignments.role_definition_id(s.subscription_id, role_assignments.READER),
            "principalId": s.robot_sp_id}}, "now", s.admin_id)
    with services.store.transaction(write=False) as tx:
        role_assignments.authorize(tx, robot, s.subscription_id, "Microsoft.ContainerService/managedClusters/read",
                                   scope + "/providers/Microsoft.ContainerService/managedClusters/c")

    lifecycle.delete_group(services, sub, "rg", fake)
    lifecycle.settle(services)
    with services.store.transaction(write=False) as tx:
        assert managed_clusters.list_in_subscription(tx, s.subscription_id) == []
        assert role_assignments.list_assignments(tx, s.subscription_id, scope) == []
