"""ClusterRole aggregation, like the clusterrole-aggregation controller (reference §1.8)."""

from __future__ import annotations

import copy

import pytest

from akslocal.kube.rbac import aggregate_cluster_roles, label_selector_matches

from .builders import cluster_role, rule

A = {"rbac.example.com/aggregate-to-monitoring": "true"}
MONITORING = [{"matchLabels": A}]


def rules_by_name(roles):
    return {r["metadata"]["name"]: r["rules"] for r in roles}


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        pytest.param(
            [
                cluster_role("monitoring", selectors=MONITORING),
                cluster_role("b", rule("get", "", "pods"), labels=A),
                cluster_role("a", rule("get", "", "services"), labels=A),
                cluster_role("x", rule("*", "*", "*")),
            ],
            {"monitoring": [rule("get", "", "services"), rule("get", "", "pods")]},
            id="matching-roles-contribute-sorted-by-name",
        ),
        pytest.param(
            [cluster_role("monitoring", rule("delete", "", "nodes"), selectors=MONITORING)],
            {"monitoring": []},
            id="no-match-gives-empty-rules-and-direct-edits-are-overwritten",
        ),
        pytest.param(
            [
                cluster_role("monitoring", selectors=MONITORING),
                cluster_role("a", rule("get", "", "pods"), labels=A),
                cluster_role("b", rule("get", "", "pods"), rule("list", "", "pods"), labels=A),
            ],
            {"monitoring": [rule("get", "", "pods"), rule("list", "", "pods")]},
            id="identical-rules-are-added-once",
        ),
        pytest.param(
            [
                cluster_role("monitoring", rule("get", "", "x"), labels=A, selectors=MONITORING),
                cluster_role("a", rule("get", "", "pods"), labels=A),
            ],
            {"monitoring": [rule("get", "", "pods")]},
            id="the-role-itself-is-skipped",
        ),
        pytest.param(
            [
                cluster_role("admin", selectors=[{"matchLabels": {"to-admin": "true"}}]),
                cluster_role("edit", labels={"to-admin": "true"}, selectors=[{"matchLabels": {"to-edit": "true"}}]),
                cluster_role("view", labels={"to-edit": "true"}, selectors=[{"matchLabels": {"to-view": "true"}}]),
                cluster_role("v", rule("get", "", "pods"), labels={"to-view": "true"}),
                cluster_role("e", rule("create", "", "pods"), labels={"to-edit": "true"}),
                cluster_role("ad", rule("*", "rbac.authorization.k8s.io", "roles"), labels={"to-admin": "true"}),
            ],
            {
                "view": [rule("get", "", "pods")],
                "edit": [rule("create", "", "pods"), rule("get", "", "pods")],
                "admin": [
                    rule("*", "rbac.authorization.k8s.io", "roles"),
                    rule("create", "", "pods"),
                    rule("get", "", "pods"),
                ],
            },
            id="transitive-view-edit-admin-fixed-point",
        ),
        pytest.param(
            [
                cluster_role("agg", selectors=[{"matchLabels": {"a": "1"}}, {"matchLabels": {"b": "1"}}]),
                cluster_role("z", rule("get", "", "z"), labels={"a": "1"}),
                cluster_role("y", rule("get", "", "y"), labels={"b": "1"}),
            ],
            {"agg": [rule("get", "", "z"), rule("get", "", "y")]},
            id="selectors-apply-in-order",
        ),
        pytest.param(
            [
                cluster_role("agg", selectors=[{}]),
                cluster_role("a", rule("get", "", "a")),
                cluster_role("b", rule("get", "", "b")),
            ],
            {"agg": [rule("get", "", "a"), rule("get", "", "b")]},
            id="empty-selector-selects-every-clusterrole",
        ),
        pytest.param(
            [
                cluster_role("a", selectors=[{"matchLabels": {"x": "a"}}], labels={"x": "b"}),
                cluster_role("b", selectors=[{"matchLabels": {"x": "b"}}], labels={"x": "a"}),
                cluster_role("c", rule("get", "", "c"), labels={"x": "a"}),
            ],
            {"a": [rule("get", "", "c")], "b": [rule("get", "", "c")]},
            id="aggregation-cycle-terminates",
        ),
    ],
)
def test_aggregate_cluster_roles(roles, expected):
    before = copy.deepcopy(roles)
    result = rules_by_name(aggregate_cluster_roles(roles))
    assert roles == before, "input must not be modified"
    for name, rules in expected.items():
        assert result[name] == rules, name


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {"a": "1"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
        ({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {"a": "1"}, False),
        ({}, {}, True),
        (None, {"a": "1"}, False),
        ({"matchLabels": "junk"}, {}, False),
    ],
    ids=[f"selector-{i}" for i in range(12)],
)
def test_label_selector_matches(selector, labels, expected):
    assert label_selector_matches(selector, labels) is expected
