"""What spans resource groups and clusters: deleting a group with its clusters, finishing operations."""

from __future__ import annotations

from akslocal.arm import errors, managed_clusters, operations, resource_groups, role_assignments

GROUP_DELETE = "group.delete"
RESOURCES = "Microsoft.Resources"


def delete_group(services, subscription: dict, name: str, provisioner=None) -> dict:
    """DELETE a resource group: its clusters (and their API servers) go with it. Returns the operation."""
    provisioner = provisioner or managed_clusters.default_provisioner()
    sub_id = subscription["subscriptionId"]
    with services.store.transaction(write=False) as tx:
        group = resource_groups.require_group(tx, sub_id, name)
        clusters = managed_clusters.list_in_group(tx, sub_id, group["name"])
    for doc in clusters:
        provisioner.delete_cluster(services, doc["kubeClusterId"])
    op_id = services.entropy.guid()
    with services.store.transaction() as tx:
        resource_groups.mark_deleting(tx, sub_id, group["name"])
        return operations.start(tx, op_id=op_id, now=services.clock.now(), delay=services.settings.operation_delay,
                                kind=GROUP_DELETE, resource_key=resource_groups.key(sub_id, group["name"]),
                                subscription_id=sub_id, location=group["location"], provider=RESOURCES)


def _complete_group_delete(tx, op: dict) -> None:
    sub_id, _, name = op["resourceKey"].partition("/")
    group = resource_groups.get_group(tx, sub_id, name)
    if group is None:
        return
    for doc in managed_clusters.list_in_group(tx, sub_id, group["name"]):
        managed_clusters.remove_record(tx, doc)
    role_assignments.delete_under(tx, sub_id, resource_groups.group_id(sub_id, group["name"]))
    resource_groups.remove(tx, sub_id, group["name"])


COMPLETERS = {
    managed_clusters.CREATE: managed_clusters.complete,
    managed_clusters.UPDATE: managed_clusters.complete,
    managed_clusters.DELETE: managed_clusters.complete,
    GROUP_DELETE: _complete_group_delete,
}


def settle(services) -> None:
    """Finish the operations whose time has come (cheap read when there are none)."""
    now = services.clock.now()
    with services.store.transaction(write=False) as tx:
        if not operations.has_due(tx, now):
            return
    with services.store.transaction() as tx:
        operations.settle(tx, now, COMPLETERS)


def require_operation(tx, subscription_id: str, op_id: str) -> dict:
    op = operations.get(tx, op_id)
    if op is None or op["subscriptionId"] != subscription_id:
        raise errors.ArmError(404, "NotFound", f"Operation {op_id[:64]} not found.")
    return op
