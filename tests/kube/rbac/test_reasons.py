"""Exact reason strings of the authorizer (upstream rule.go describers and rbac.go)."""

from __future__ import annotations

import pytest

from akslocal.kube.rbac import authorize
from akslocal.kube.rbac_types import service_account_user

from .builders import binding, cluster_binding, cluster_role, path_req, reader, req, role, rule, url_rule, user

alice = user("alice", "devs")
builder = service_account_user("ns1", "builder")


@pytest.mark.parametrize(
    ("objects", "attrs", "allowed", "reason"),
    [
        pytest.param(
            [
                cluster_role("pod-reader", rule("get", "", "pods")),
                cluster_binding("pod-reader", "User:alice", name="x"),
            ],
            req(alice, "get", "ns1", "pods"),
            True,
            'RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "pod-reader" to User "alice"',
            id="clusterrolebinding-to-user",
        ),
        pytest.param(
            [cluster_role("r", url_rule("get", "/metrics")), cluster_binding("r", "Group:devs", name="metrics")],
            path_req(alice, "get", "/metrics"),
            True,
            'RBAC: allowed by ClusterRoleBinding "metrics" of ClusterRole "r" to Group "devs"',
            id="clusterrolebinding-to-group-non-resource",
        ),
        pytest.param(
            [role("ns1", "r", rule("get", "", "pods")), binding("ns1", "Role:r", "Group:devs", name="rb")],
            req(alice, "get", "ns1", "pods"),
            True,
            'RBAC: allowed by RoleBinding "rb/ns1" of Role "r" to Group "devs"',
            id="rolebinding-to-role-names-binding-slash-namespace",
        ),
        pytest.param(
            [cluster_role("edit", rule("*", "", "pods")), binding("ns1", "edit", "User:alice", name="rb")],
            req(alice, "delete", "ns1", "pods", name="p"),
            True,
            'RBAC: allowed by RoleBinding "rb/ns1" of ClusterRole "edit" to User "alice"',
            id="rolebinding-to-clusterrole",
        ),
        pytest.param(
            [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "ServiceAccount:ns1:builder", name="sa")],
            req(builder, "get", "ns2", "pods"),
            True,
            'RBAC: allowed by ClusterRoleBinding "sa" of ClusterRole "r" to ServiceAccount "builder/ns1"',
            id="service-account-subject-prints-name-slash-namespace",
        ),
        pytest.param(
            [cluster_role("r", rule("get", "", "pods")), binding("ns1", "r", "ServiceAccount::builder", name="rb")],
            req(builder, "get", "ns1", "pods"),
            True,
            'RBAC: allowed by RoleBinding "rb/ns1" of ClusterRole "r" to ServiceAccount "builder/ns1"',
            id="service-account-subject-namespace-defaults-to-binding",
        ),
        pytest.param(
            [
                cluster_role("r", rule("get", "", "pods")),
                cluster_binding("r", "User:bob", "Group:devs", "User:alice", name="b"),
            ],
            req(alice, "get", "ns1", "pods"),
            True,
            'RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to Group "devs"',
            id="first-matching-subject-is-reported",
        ),
        pytest.param(
            [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:bob")],
            req(alice, "get", "ns1", "pods"),
            False,
            "",
            id="no-opinion-has-empty-reason",
        ),
        pytest.param(
            [binding("ns1", "Role:missing", "User:alice")],
            req(alice, "list", "ns1", "pods"),
            False,
            'RBAC: role.rbac.authorization.k8s.io "missing" not found',
            id="missing-role-folds-into-reason",
        ),
        pytest.param(
            [cluster_binding("kubernetes-dashboard", "User:alice")],
            req(alice, "list", "", "pods"),
            False,
            'RBAC: clusterrole.rbac.authorization.k8s.io "kubernetes-dashboard" not found',
            id="missing-clusterrole-folds-into-reason",
        ),
        pytest.param(
            [cluster_binding("a", "User:alice"), binding("ns1", "Role:b", "Group:devs")],
            req(alice, "get", "ns1", "pods"),
            False,
            'RBAC: [clusterrole.rbac.authorization.k8s.io "a" not found, role.rbac.authorization.k8s.io "b" not found]',
            id="several-errors-aggregate-in-brackets",
        ),
        pytest.param(
            [cluster_binding("a", "User:alice"), cluster_binding("a", "Group:devs")],
            req(alice, "get", "ns1", "pods"),
            False,
            'RBAC: clusterrole.rbac.authorization.k8s.io "a" not found',
            id="duplicate-errors-are-removed",
        ),
        pytest.param(
            [cluster_binding("a", "User:bob"), binding("ns2", "Role:b", "User:alice")],
            req(alice, "get", "ns1", "pods"),
            False,
            "",
            id="errors-of-bindings-that-do-not-apply-are-not-reported",
        ),
        pytest.param(
            [
                {
                    **cluster_binding("r", "User:alice"),
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Foo", "name": "r"},
                }
            ],
            req(alice, "get", "", "nodes"),
            False,
            'RBAC: unsupported role reference kind: "Foo"',
            id="unsupported-role-ref-kind-reason",
        ),
        pytest.param(
            [binding("ns1", "Role:missing", "User:alice")],
            req(alice, "list", "", "pods"),
            False,
            "",
            id="rolebindings-are-not-read-for-cluster-wide-requests",
        ),
    ],
)
def test_reason(objects, attrs, allowed, reason):
    decision = authorize(reader(*objects), attrs)
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_quotes_in_names_are_go_escaped():
    objects = [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", 'User:a"b', name="q\\x")]
    decision = authorize(reader(*objects), req(user('a"b'), "get", "", "pods"))
    assert decision.reason == 'RBAC: allowed by ClusterRoleBinding "q\\\\x" of ClusterRole "r" to User "a\\"b"'
