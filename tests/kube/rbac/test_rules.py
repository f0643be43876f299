"""rule_allows (upstream TestRuleMatches), subjects and index keys (TestAppliesTo), the rule
resolver (TestDefaultRuleResolver), hostile stored objects, and index/linear equivalence."""

from __future__ import annotations

import random

import pytest

from akslocal.kube.rbac import (
    authorize,
    binding_subject_keys,
    rule_allows,
    rules_for,
    rules_review_status,
    subject_keys_for,
)
from akslocal.kube.rbac_types import PolicyRule, rule_from_dict, rule_to_dict, service_account_user

from .builders import binding, cluster_binding, cluster_role, path_req, reader, req, role, rule, url_rule, user

u = user("u")


def R(verbs: str, groups: str = "-", resources: str = "-", names: str = "", urls: str = "") -> PolicyRule:
    doc = rule(verbs, groups, resources, names)
    if urls:
        doc["nonResourceURLs"] = urls.split(",")
    return rule_from_dict(doc)


@pytest.mark.parametrize(
    ("policy", "attrs", "expected"),
    [
        pytest.param(
            R("*", "group1", "resource1"),
            req(u, "verb1", "", "resource1", group="group1"),
            True,
            id="star-verb-exact-match",
        ),
        pytest.param(
            R("*", "group1", "resource1"),
            req(u, "verb1", "", "resource2", group="group1"),
            False,
            id="star-verb-resource-mismatch",
        ),
        pytest.param(
            R("*", "group1", "resource1"),
            req(u, "verb1", "", "resource1", group="group2"),
            False,
            id="star-verb-group-mismatch",
        ),
        pytest.param(
            R("verb1", "*", "resource1"), req(u, "verb1", "", "resource1", group="group2"), True, id="star-group"
        ),
        pytest.param(
            R("verb1", "*", "resource1"),
            req(u, "verb2", "", "resource1", group="group2"),
            False,
            id="star-group-verb-mismatch",
        ),
        pytest.param(
            R("verb1", "group1", "*"), req(u, "verb1", "", "resource2", group="group1"), True, id="star-resource"
        ),
        pytest.param(
            R("verb1", "group1", "*"),
            req(u, "verb1", "", "resource2", sub="sub", group="group1"),
            True,
            id="star-resource-covers-subresource",
        ),
        pytest.param(
            R("verb1,verb2", "group1,group2", "resource1,resource2"),
            req(u, "verb2", "", "resource1", group="group2"),
            True,
            id="tuple-expansion",
        ),
        pytest.param(
            R("verb1", "group1", "resource1/subresource1"),
            req(u, "verb1", "", "resource1", sub="subresource1", group="group1"),
            True,
            id="subresource-match",
        ),
        pytest.param(
            R("verb1", "group1", "resource1/subresource1"),
            req(u, "verb1", "", "resource1", sub="subresource2", group="group1"),
            False,
            id="subresource-other-sub",
        ),
        pytest.param(
            R("verb1", "group1", "resource1/subresource1"),
            req(u, "verb1", "", "resource2", sub="subresource1", group="group1"),
            False,
            id="subresource-other-resource",
        ),
        pytest.param(
            R("verb1", "group1", "resource1/subresource1"),
            req(u, "verb1", "", "resource1", group="group1"),
            False,
            id="subresource-rule-does-not-cover-parent",
        ),
        pytest.param(R("get", "", "*/scale"), req(u, "get", "", "scale"), False, id="star-scale-not-resource-scale"),
        pytest.param(
            R("get", "", "*/scale"), req(u, "get", "", "x", sub="notscale"), False, id="star-scale-needs-exact-sub"
        ),
        pytest.param(
            R("get", "", "*/scale"), req(u, "get", "", "x", sub="xscale"), False, id="star-scale-suffix-is-not-enough"
        ),
        pytest.param(R("get", "", "pods", names="a,b"), req(u, "get", "", "pods", name="b"), True, id="name-listed"),
        pytest.param(
            R("get", "", "pods", names="a,b"), req(u, "get", "", "pods", name="c"), False, id="name-not-listed"
        ),
        pytest.param(R("get", "", "pods", names="a"), req(u, "get", "", "pods"), False, id="name-required"),
        pytest.param(R("*", urls="*"), path_req(u, "verb1", "/foo"), True, id="non-resource-star"),
        pytest.param(R("verb1", urls="*"), path_req(u, "verb2", "/foo"), False, id="non-resource-star-verb-mismatch"),
        pytest.param(R("verb1", urls="/foo/*"), path_req(u, "verb1", "/foo"), False, id="non-resource-prefix-not-base"),
        pytest.param(R("verb1", urls="/foo/*"), path_req(u, "verb1", "/foo/bar"), True, id="non-resource-prefix-child"),
        pytest.param(
            R("verb1", urls="/foo/*"), path_req(u, "verb1", "/foo/bar/one"), True, id="non-resource-prefix-grandchild"
        ),
        pytest.param(R("verb1", urls="/foo/*"), path_req(u, "verb1", "/notfoo"), False, id="non-resource-prefix-other"),
        pytest.param(
            R("*", urls="/foo,/foo/bar/one"),
            path_req(u, "verb1", "/foo/bar"),
            False,
            id="non-resource-exact-no-prefixing",
        ),
        pytest.param(
            R("*", urls="/foo,/foo/bar/one"), path_req(u, "verb1", "/foo/bar/one"), True, id="non-resource-exact-match"
        ),
        pytest.param(R("*", "*", "*"), path_req(u, "get", "/foo"), False, id="resource-rule-vs-non-resource-request"),
        pytest.param(R("*", urls="*"), req(u, "get", "", "pods"), False, id="non-resource-rule-vs-resource-request"),
    ],
)
def test_rule_allows(policy, attrs, expected):
    assert rule_allows(attrs, policy) is expected


def test_subject_keys_for_user_groups_and_service_account():
    assert subject_keys_for(user("alice", "g1", "g2")) == ["User:alice", "Group:g1", "Group:g2"]
    sa = service_account_user("kube-system", "default")
    assert subject_keys_for(sa) == [
        "User:system:serviceaccount:kube-system:default",
        "Group:system:serviceaccounts",
        "Group:system:serviceaccounts:kube-system",
        "Group:system:authenticated",
        "ServiceAccount:kube-system:default",
    ]


def test_binding_subject_keys_default_the_service_account_namespace():
    rb = binding("ns1", "r", "User:alice", "Group:g", "ServiceAccount::builder", "ServiceAccount:ns2:x", "User:alice")
    assert binding_subject_keys(rb) == ["User:alice", "Group:g", "ServiceAccount:ns1:builder", "ServiceAccount:ns2:x"]
    crb = cluster_binding("r", "ServiceAccount::builder", "ServiceAccount:ns2:x")
    assert binding_subject_keys(crb) == ["ServiceAccount:ns2:x"]


def test_binding_subject_keys_ignore_hostile_subjects():
    rb = binding("ns1", "r", "User:alice")
    rb["subjects"] += [{"kind": "Robot", "name": "r2"}, {"kind": "User"}, "junk", {"kind": "User", "name": 7}]
    assert binding_subject_keys(rb) == ["User:alice"]
    assert binding_subject_keys({**rb, "subjects": "nope"}) == []


OBJECTS = [
    role("namespace1", "readthings", rule("get,list", "", "pods")),
    cluster_role("cluster-admin", rule("*", "*", "*")),
    binding("namespace1", "Role:readthings", "User:foobar", "Group:group1"),
    cluster_binding("cluster-admin", "Group:admin"),
]


@pytest.mark.parametrize(
    ("who", "namespace", "expected"),
    [
        pytest.param(user("foobar"), "namespace1", [R("get,list", "", "pods")], id="role-rules-in-its-namespace"),
        pytest.param(user("foobar"), "namespace2", [], id="no-rules-in-another-namespace"),
        pytest.param(user("baz", "admin"), "", [R("*", "*", "*")], id="cluster-rules-only-without-namespace"),
        pytest.param(
            user("baz", "admin", "group1"),
            "namespace1",
            [R("*", "*", "*"), R("get,list", "", "pods")],
            id="cluster-rules-first-then-namespace-rules",
        ),
        pytest.param(user(""), "namespace1", [], id="empty-user-gets-nothing"),
    ],
)
def test_rules_for(who, namespace, expected):
    rules, errors = rules_for(reader(*OBJECTS), who, namespace)
    assert (rules, errors) == (expected, [])


def test_rules_for_returns_partial_rules_with_errors_and_review_status():
    objects = [
        *OBJECTS,
        binding("namespace1", "Role:gone", "User:foobar"),
        cluster_role("u", url_rule("get", "/x")),
        cluster_binding("u", "User:foobar"),
    ]
    rules, errors = rules_for(reader(*objects), user("foobar"), "namespace1")
    assert rules == [R("get", urls="/x"), R("get,list", "", "pods")]
    assert errors == ['role.rbac.authorization.k8s.io "gone" not found']
    assert rules_review_status(rules, errors) == {
        "resourceRules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}],
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/x"]}],
        "incomplete": False,
        "evaluationError": 'role.rbac.authorization.k8s.io "gone" not found',
    }


def test_rule_round_trip_and_hostile_rule_fields():
    doc = {"apiGroups": [""], "resources": ["pods"], "resourceNames": ["a"], "verbs": ["get"]}
    assert rule_to_dict(rule_from_dict(doc)) == doc
    assert rule_to_dict(rule_from_dict({"nonResourceURLs": ["/x"], "verbs": ["get"]})) == {
        "nonResourceURLs": ["/x"],
        "verbs": ["get"],
    }
    assert rule_from_dict({"verbs": "get", "apiGroups": [1, ""], "resources": None}) == PolicyRule(
        verbs=(), api_groups=("",)
    )
    assert rule_from_dict("junk") == PolicyRule(verbs=())


def test_hostile_stored_objects_never_raise():
    alice = user("alice", "g")
    junk = [
        {"kind": "ClusterRole", "metadata": {"name": "bad"}, "rules": "all"},
        {"kind": "ClusterRole", "metadata": {"name": "bad2"}, "rules": [None, 3, {"verbs": ["*"]}]},
        {
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "b1"},
            "roleRef": "x",
            "subjects": [{"kind": "User", "name": "alice"}],
        },
        {
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "b2"},
            "roleRef": {"kind": "ClusterRole", "name": "bad"},
            "subjects": [{"kind": "Group", "name": "g"}],
        },
        {
            "kind": "ClusterRoleBinding",
            "metadata": None,
            "roleRef": {"kind": "ClusterRole", "name": "bad2"},
            "subjects": [{"kind": "User", "name": "alice"}],
        },
        {
            "kind": "RoleBinding",
            "metadata": {"namespace": "ns1", "name": "b3"},
            "roleRef": {"kind": None},
            "subjects": None,
        },
    ]
    decision = authorize(reader(*junk), req(alice, "get", "ns1", "pods"))
    assert not decision.allowed
    assert decision.reason == 'RBAC: unsupported role reference kind: ""'


def test_indexed_reader_agrees_with_linear_scan_on_random_policies():
    rnd = random.Random(7)
    names = [f"u{i}" for i in range(6)]
    groups = [f"g{i}" for i in range(6)]
    namespaces = ["ns1", "ns2"]
    objects = [
        cluster_role("reader", rule("get,list", "", "pods")),
        cluster_role("writer", rule("create,delete", "", "pods,configmaps")),
        role("ns1", "cm", rule("get", "", "configmaps")),
    ]
    subjects = (
        [f"User:{n}" for n in names]
        + [f"Group:{g}" for g in groups]
        + ["ServiceAccount:ns1:sa", "ServiceAccount::sa", "ServiceAccount:ns2:sa"]
    )
    for _ in range(60):
        subs = rnd.sample(subjects, rnd.randint(1, 3))
        ref = rnd.choice(["reader", "writer", "Role:cm", "missing"])
        if rnd.random() < 0.5:
            objects.append(cluster_binding(ref, *subs))
        else:
            objects.append(binding(rnd.choice(namespaces), ref, *subs))
    indexed, linear = reader(*objects), reader(*objects, indexed=False)
    users = [user(n, *rnd.sample(groups, 2)) for n in names] + [service_account_user(ns, "sa") for ns in namespaces]
    for who in users:
        for ns in ["", *namespaces]:
            for verb, resource in [("get", "pods"), ("delete", "configmaps"), ("get", "configmaps"), ("list", "pods")]:
                attrs = req(who, verb, ns, resource)
                a, b = authorize(indexed, attrs), authorize(linear, attrs)
                assert a.allowed == b.allowed, attrs
                assert rules_for(indexed, who, ns) == rules_for(linear, who, ns)


class _DuplicatingReader:
    """A reader that returns every binding twice and RoleBindings of other namespaces too."""

    def __init__(self, inner):
        self.inner = inner

    def get_role(self, namespace, name):
        return self.inner.get_role(namespace, name)

    def get_cluster_role(self, name):
        return self.inner.get_cluster_role(name)

    def list_cluster_role_bindings_for(self, keys):
        found = self.inner.list_cluster_role_bindings_for(keys)
        return found + found

    def list_role_bindings_for(self, namespace, keys):
        everything = [rb for ns in ("ns1", "ns2") for rb in self.inner.list_role_bindings_for(ns, keys)]
        return everything + everything


def test_duplicate_and_foreign_bindings_from_a_reader_are_skipped():
    objects = [
        cluster_role("r", rule("get", "", "pods")),
        cluster_binding("r", "User:alice", name="c"),
        binding("ns1", "r", "User:alice", name="b"),
        binding("ns2", "Role:x", "User:alice", name="b"),
    ]
    rbac = _DuplicatingReader(reader(*objects))
    rules, errors = rules_for(rbac, user("alice"), "ns1")
    assert (rules, errors) == ([R("get", "", "pods"), R("get", "", "pods")], [])
