"""Hostile ManagedCluster bodies: every wrong type at every place is an ArmError (400), never a crash."""

from __future__ import annotations

import copy

import pytest

from akslocal.arm import cluster_body, resource_groups, role_assignments
from akslocal.arm.errors import ArmError
from tests.arm.test_managed_clusters import body

WRONG = [None, 0, -1, 10**30, 1.5, True, "", "x" * 5000, [], [None], {}, {"a": {"b": []}}]


def _paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _mutations():
    base = body(aadProfile={"managed": True, "adminGroupObjectIDs": ["00000000-0000-4000-8000-000000000000"]},
                networkProfile={"networkPlugin": "azure"}, kubernetesVersion="1.32")
    base["identity"] = {"type": "SystemAssigned"}
    base["tags"] = {"a": "b"}
    base["sku"] = {"name": "Base", "tier": "Free"}
    for path in list(_paths(base)):
        for value in WRONG:
            mutated = copy.deepcopy(base)
            target = mutated
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value
            yield mutated


def test_every_wrong_type_is_a_clean_error_or_accepted() -> None:
    count = 0
    for mutated in _mutations():
        count += 1
        try:
            cluster_body.parse(mutated)
        except ArmError as exc:
            assert 400 <= exc.status < 500 and exc.code and exc.message
    assert count > 300


@pytest.mark.parametrize("value", [*WRONG, "a/b", "..", "x" * 91, "name."])
def test_resource_group_bodies_and_names(services, value) -> None:
    with services.store.transaction() as tx:
        for call in (lambda: resource_groups.put_group(tx, "s", "rg", {"location": value, "tags": value}),
                     lambda: resource_groups.put_group(tx, "s", "rg", value),
                     lambda: resource_groups.put_group(tx, "s", value if isinstance(value, str) else "r!", {})):
            try:
                call()
            except ArmError as exc:
                assert exc.status in (400, 409)


@pytest.mark.parametrize("value", [v for v in WRONG if v is not None] + ["User"])
def test_role_assignment_bodies(seeded, value) -> None:
    services, s = seeded
    sub = {"subscriptionId": s.subscription_id, "tenantId": s.tenant_id}
    for b in (value, {"properties": value}, {"properties": {"roleDefinitionId": value, "principalId": value}},
              {"properties": {"roleDefinitionId": role_assignments.role_definition_id(s.subscription_id,
                                                                                        role_assignments.READER),
                              "principalId": s.robot_sp_id, "principalType": value}}):
        with services.store.transaction() as tx, pytest.raises(ArmError) as info:
            role_assignments.create_assignment(tx, sub, f"/subscriptions/{s.subscription_id}",
                                               "11111111-1111-4111-8111-111111111111", b, "now", "me")
        assert info.value.status == 400
