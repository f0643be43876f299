"""Long-running operations on emulator time, bootstrap, and state that survives a new store handle."""

from __future__ import annotations

from pathlib import Path

import pytest

from akslocal.arm import bootstrap, lifecycle, managed_clusters, operations, resource_groups, subscriptions
from akslocal.arm.errors import ArmError
from akslocal.directory import bootstrap as directory_bootstrap
from tests.arm.conftest import make_services
from tests.arm.seed import seed_directory
from tests.arm.test_managed_clusters import body


def _cluster_state(services, sub_id: str) -> str:
    with services.store.transaction(write=False) as tx:
        return managed_clusters.require_cluster(tx, sub_id, "rg", "c")["provisioningState"]


def _op(services, sub_id: str, op_id: str) -> dict:
    with services.store.transaction(write=False) as tx:
        return lifecycle.require_operation(tx, sub_id, op_id)


def test_operation_takes_the_configured_delay_on_emulator_time(tmp_path: Path, fake) -> None:
    services = make_services(tmp_path, delay=30)
    s = seed_directory(services)
    with services.store.transaction() as tx:
        sub = subscriptions.require_subscription(tx, s.subscription_id)
        resource_groups.put_group(tx, s.subscription_id, "rg", {"location": "eastus"})
    _, _, op = managed_clusters.put_cluster(services, sub, "rg", "c", body(), fake)
    assert operations.retry_after(op, services.clock.now()) == "30"
    services.clock.advance(29)
    lifecycle.settle(services)
    assert _op(services, s.subscription_id, op["id"])["status"] == "InProgress"
    assert _cluster_state(services, s.subscription_id) == "Creating"
    # A second PUT while creating is refused, as AKS refuses concurrent operations.
    with pytest.raises(ArmError) as busy:
        managed_clusters.put_cluster(services, sub, "rg", "c", body(), fake)
    assert (busy.value.status, busy.value.code) == (409, "OperationNotAllowed")
    services.store.close()

    # A new process on the same database (a restart) finishes what the old one started.
    again = make_services(tmp_path, delay=30)
    again.clock.advance(31)
    lifecycle.settle(again)
    done = _op(again, s.subscription_id, op["id"])
    assert done["status"] == "Succeeded" and operations.render(done)["endTime"]
    assert _cluster_state(again, s.subscription_id) == "Succeeded"
    delete_op = managed_clusters.delete_cluster(again, sub, "rg", "c", fake)
    assert _cluster_state(again, s.subscription_id) == "Deleting"
    again.clock.advance(30)
    lifecycle.settle(again)
    assert _op(again, s.subscription_id, delete_op["id"])["status"] == "Succeeded"
    with again.store.transaction(write=False) as tx:
        assert managed_clusters.get_cluster(tx, s.subscription_id, "rg", "c") is None
    again.store.close()


def test_operation_status_shape(services) -> None:
    with services.store.transaction() as tx:
        op = operations.start(tx, op_id="abc", now=1_800_000_000, delay=0, kind="x", resource_key="k",
                              subscription_id="s", location="eastus")
    assert operations.render(op) == {
        "id": "/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/operations/abc",
        "name": "abc", "status": "InProgress", "startTime": "2027-01-15T08:00:00.0000000Z"}
    with services.store.transaction() as tx:
        assert operations.settle(tx, 1_800_000_000, {}) == 1
        assert operations.get(tx, "abc")["status"] == "Succeeded"


def test_default_subscription_is_created_once(services) -> None:
    directory_bootstrap.bootstrap(services)
    first = bootstrap.bootstrap(services)
    second = bootstrap.bootstrap(services)
    assert first == second and first[0].startswith("Subscription: ")
    with services.store.transaction(write=False) as tx:
        sub = subscriptions.default_subscription(tx)
        from akslocal.directory import tenants

        assert sub["tenantId"] == tenants.default_tenant(tx).id
    assert first[0] == f"Subscription: {sub['subscriptionId']}"
