"""The subject locator (upstream subject_locator_test.go scenarios)."""

from __future__ import annotations

import pytest

from akslocal.kube.rbac_subjects import allowed_subjects

from .builders import binding, cluster_binding, cluster_role, reader, req, role, rule, subject, user

MASTERS = subject("Group:system:masters")
anyone = user("whoever")

STAR = [
    cluster_role("admin", rule("*", "*", "*")),
    cluster_binding("admin", "User:super-admin", "Group:super-admins"),
    binding("ns1", "admin", "User:admin", "Group:admins"),
]
LOCAL = [
    role("ns1", "admin", rule("get", "", "pods")),
    cluster_role("cluster-admin", rule("*", "*", "*")),
    cluster_binding("cluster-admin", "User:super-admin", "Group:super-admins"),
    binding("ns1", "Role:admin", "User:admin", "Group:admins"),
]


def _locate(objects, attrs, super_user=""):
    return allowed_subjects(
        reader(*objects),
        attrs,
        cluster_role_bindings=[o for o in objects if o["kind"] == "ClusterRoleBinding"],
        role_bindings=[o for o in objects if o["kind"] == "RoleBinding"],
        super_user=super_user,
    )


@pytest.mark.parametrize(
    ("objects", "super_user", "attrs", "expected"),
    [
        pytest.param(
            STAR,
            "",
            req(anyone, "get", "ns1", "pods"),
            ["Group:system:masters", "User:super-admin", "Group:super-admins", "User:admin", "Group:admins"],
            id="no-super-user-star-matches-star",
        ),
        pytest.param(
            STAR,
            "",
            req(anyone, "*", "*", "*"),
            ["Group:system:masters", "User:super-admin", "Group:super-admins"],
            id="star-verb-star-namespace-only-cluster-subjects",
        ),
        pytest.param(
            STAR,
            "",
            req(anyone, "*", "", "*"),
            ["Group:system:masters", "User:super-admin", "Group:super-admins"],
            id="star-verb-no-namespace-only-cluster-subjects",
        ),
        pytest.param(
            LOCAL,
            "foo",
            req(anyone, "get", "ns1", "pods"),
            [
                "Group:system:masters",
                "User:foo",
                "User:super-admin",
                "Group:super-admins",
                "User:admin",
                "Group:admins",
            ],
            id="super-user-local-roles-work",
        ),
        pytest.param(
            LOCAL,
            "foo",
            req(anyone, "create", "ns1", "pods"),
            ["Group:system:masters", "User:foo", "User:super-admin", "Group:super-admins"],
            id="local-role-does-not-allow-create",
        ),
        pytest.param(
            LOCAL,
            "foo",
            req(anyone, "get", "ns2", "pods"),
            ["Group:system:masters", "User:foo", "User:super-admin", "Group:super-admins"],
            id="local-role-only-in-its-namespace",
        ),
    ],
)
def test_allowed_subjects(objects, super_user, attrs, expected):
    subjects, errors = _locate(objects, attrs, super_user)
    assert subjects == [subject(s) for s in expected]
    assert errors == []


def test_allowed_subjects_reports_unresolvable_bindings_and_dedupes():
    objects = [*STAR, cluster_binding("gone", "User:x"), cluster_binding("admin", "User:super-admin")]
    subjects, errors = _locate(objects, req(anyone, "get", "", "nodes"))
    assert subjects[0] == MASTERS
    assert subjects.count(subject("User:super-admin")) == 1
    assert errors == ['clusterrole.rbac.authorization.k8s.io "gone" not found']
