"""Escalation prevention: the policy comparator (upstream policy_comparator_test.go), the
compact error rendering, and the role/binding write checks (storage_test.go TestEscalation
and the escalate/bind scenarios of the reference)."""

from __future__ import annotations

import pytest

from akslocal.kube.escalation import (
    bind_attributes,
    check_binding_write,
    check_role_write,
    compact_rules,
    compact_string,
    covers,
    escalate_attributes,
    explain_binding_write,
    non_resource_url_covers,
)
from akslocal.kube.rbac import authorize
from akslocal.kube.rbac_types import PolicyRule, rule_from_dict, service_account_user

from .builders import binding, cluster_binding, cluster_role, reader, role, rule, url_rule, user


def R(verbs: str, groups: str = "-", resources: str = "-", names: str = "", urls: str = "") -> PolicyRule:
    doc = rule(verbs, groups, resources, names)
    if urls:
        doc["nonResourceURLs"] = urls.split(",")
    return rule_from_dict(doc)


@pytest.mark.parametrize(
    ("owner", "servant", "uncovered"),
    [
        pytest.param([R("create,delete", "", "pods")], [R("delete", "", "pods")], [], id="exact-match"),
        pytest.param([R("get", "", "*/scale")], [R("get", "", "foo/scale")], [], id="star-scale-covers-foo-scale"),
        pytest.param(
            [R("create", "", "pods"), R("delete", "", "pods"), R("get,list", "", "pods,nodes")],
            [R("create,delete,get", "", "pods,nodes")],
            [R("create", "", "nodes"), R("delete", "", "nodes")],
            id="several-owner-rules-jointly-cover-and-report-the-rest",
        ),
        pytest.param(
            [R("create,delete", "", "pods"), R("get", "", "pods,nodes")],
            [R("create,delete,get", "", "pods")],
            [],
            id="multiple-owner-rules-cover-multi-verb-rule",
        ),
        pytest.param(
            [R("create", "group1", "pods"), R("create", "group2", "pods")],
            [R("create", "group1,group2", "pods")],
            [],
            id="multiple-api-groups-cover",
        ),
        pytest.param(
            [R("create", "group1,group2", "pods")],
            [R("create", "group1", "pods"), R("create", "group2", "pods")],
            [],
            id="multi-group-owner-covers-single-group-rules",
        ),
        pytest.param([R("*", "", "pods")], [R("create,delete,get", "", "pods")], [], id="star-verb-covers-enumeration"),
        pytest.param([R("*", "", "pods")], [R("*", "", "pods")], [], id="star-verb-covers-star"),
        pytest.param([R("get", "*", "pods")], [R("get", "a,b", "pods")], [], id="star-group-covers-enumeration"),
        pytest.param([R("get", "*", "pods")], [R("get", "*", "pods")], [], id="star-group-covers-star"),
        pytest.param([R("get", "", "*")], [R("get", "", "pods,nodes,pods/status")], [], id="star-resource-covers-all"),
        pytest.param([R("get", "", "*")], [R("get", "", "*")], [], id="star-resource-covers-star"),
        pytest.param([R("get", "", "pods")], [R("get", "", "pods", names="foo,bar")], [], id="unnamed-covers-named"),
        pytest.param(
            [R("get", "", "pods", names="foo,bar")],
            [R("get", "", "pods", names="foo")],
            [],
            id="named-covers-subset-of-names",
        ),
        pytest.param([R("get", urls="/apis")], [R("get", urls="/apis")], [], id="non-resource-exact"),
        pytest.param([R("get", urls="*")], [R("get", urls="/apis,/apis/v1,/")], [], id="non-resource-star"),
        pytest.param(
            [R("get", urls="/apis/*")], [R("get", urls="/apis/v1/foo,/apis/v1")], [], id="non-resource-prefix"
        ),
        pytest.param(
            [R("get", "", "pods", urls="/apis")],
            [R("get", "", "pods", urls="/apis")],
            [],
            id="mixed-rule-covers-itself",
        ),
        pytest.param(
            [R("create,delete,get", "", "pods")],
            [R("create,update", "", "pods")],
            [R("update", "", "pods")],
            id="missing-update-is-reported",
        ),
        pytest.param(
            [R("get", "a,b", "pods")], [R("get", "*", "pods")], [R("get", "*", "pods")], id="enumeration-not-star-group"
        ),
        pytest.param(
            [R("get,list", "", "pods")], [R("*", "", "pods")], [R("*", "", "pods")], id="enumeration-not-star-verb"
        ),
        pytest.param(
            [R("get", "", "pods,nodes")], [R("get", "", "*")], [R("get", "", "*")], id="enumeration-not-star-resource"
        ),
        pytest.param(
            [R("get", "", "pods", names="foo,bar")],
            [R("get", "", "pods")],
            [R("get", "", "pods")],
            id="named-does-not-cover-unnamed",
        ),
        pytest.param(
            [R("get", "", "pods", names="foo")],
            [R("get", "", "pods", names="foo,baz")],
            [R("get", "", "pods", names="baz")],
            id="named-reports-the-missing-name",
        ),
        pytest.param(
            [R("get", urls="/apis/*")], [R("get", urls="/apis")], [R("get", urls="/apis")], id="prefix-not-base"
        ),
        pytest.param(
            [R("get", "", "pods")], [R("get", urls="/apis")], [R("get", urls="/apis")], id="no-urls-reports-url"
        ),
        pytest.param(
            [R("get", "", "pods")],
            [R("get", "", "pods/status")],
            [R("get", "", "pods/status")],
            id="resource-does-not-cover-subresource",
        ),
        pytest.param(
            [R("get", "", "pods/*")],
            [R("get", "", "pods/status")],
            [R("get", "", "pods/status")],
            id="pods-star-does-not-cover-pods-status",
        ),
    ],
)
def test_covers(owner, servant, uncovered):
    ok, missing = covers(owner, servant)
    assert (ok, missing) == (not uncovered, uncovered)


@pytest.mark.parametrize(
    ("owner", "url", "expected"),
    [
        ("*", "", True),
        ("*", "/", True),
        ("*", "/api", True),
        ("/*", "", False),
        ("/*", "/", True),
        ("/*", "/foo", True),
        ("/api/*", "/api/v1", True),
        ("/api/*", "/api", False),
        ("/api/*/*", "/api/v1", False),
        ("/*/v1/*", "/api/v1", False),
        ("/api", "/api", True),
    ],
    ids=lambda v: repr(v),
)
def test_non_resource_url_covers(owner, url, expected):
    assert non_resource_url_covers(owner, url) is expected


def test_compact_string_and_rules():
    assert compact_string(R("get", "", "pods")) == '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}'
    assert compact_string(R("get,list", urls="/a,/b")) == '{NonResourceURLs:["/a" "/b"], Verbs:["get" "list"]}'
    assert (
        compact_string(R("get", "apps", "deployments", names="web"))
        == '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}'
    )
    merged = compact_rules([R("get", "", "pods"), R("get", urls="/x"), R("list", "", "pods"), R("get", "", "nodes")])
    assert merged == [R("get", urls="/x"), R("get,list", "", "pods"), R("get", "", "nodes")]


# --- role writes -------------------------------------------------------------------------

STAR = cluster_role("star", rule("*", "*", "*"))
POLICY = [
    STAR,
    cluster_binding("star", "User:alice"),
    cluster_role("pod-reader", rule("get,list", "", "pods")),
    binding("ns1", "pod-reader", "User:carol"),
    cluster_role("escalator", rule("escalate", "rbac.authorization.k8s.io", "roles")),
    cluster_binding("escalator", "User:steve"),
    role("ns1", "named-escalate", rule("escalate", "rbac.authorization.k8s.io", "roles", names="myrole")),
    binding("ns1", "Role:named-escalate", "User:nina"),
]
NEW_ROLE = role("ns1", "myrole", rule("get", "", "pods"))


def can_escalate(rbac, who, namespace, request_name):
    return authorize(rbac, escalate_attributes(who, namespace, False, request_name)).allowed


@pytest.mark.parametrize("request_name", ["", "myrole"], ids=["create", "update"])
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        pytest.param(user("bob"), False, id="bob-holds-nothing"),
        pytest.param(user("steve"), True, id="steve-may-escalate"),
        pytest.param(user("alice"), True, id="alice-holds-star"),
        pytest.param(user("carol"), True, id="carol-holds-the-rules-in-ns1"),
    ],
)
def test_escalation_role_write(who, allowed, request_name):
    rbac = reader(*POLICY)
    result = check_role_write(rbac, who, "ns1", NEW_ROLE, can_escalate(rbac, who, "ns1", request_name))
    assert (result is None) is allowed, result


def test_escalation_message_is_exact():
    rbac = reader(*POLICY)
    result = check_role_write(rbac, user("bob", "dev", "system:authenticated"), "ns1", NEW_ROLE, False)
    assert result == (
        'roles.rbac.authorization.k8s.io "myrole" is forbidden: user "bob" (groups=["dev" "system:authenticated"]) '
        "is attempting to grant RBAC permissions not currently held:\n"
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}'
    )


def test_escalation_message_sorts_compacted_rules_and_prints_empty_groups():
    rbac = reader(*POLICY)
    obj = role("ns2", "r", rule("get,list", "", "pods"), rule("delete", "apps", "deployments"), url_rule("get", "/x"))
    obj["kind"] = "Role"
    result = check_role_write(rbac, user("carol"), "ns2", obj, False)
    assert result == (
        'roles.rbac.authorization.k8s.io "r" is forbidden: user "carol" (groups=[]) is attempting to grant RBAC '
        "permissions not currently held:\n"
        '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}\n'
        '{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete"]}\n'
        '{NonResourceURLs:["/x"], Verbs:["get"]}'
    )


def test_escalation_for_service_account_lists_its_groups():
    sa = service_account_user("rbac", "privesc")
    rbac = reader(
        cluster_role("edit", rule("get,list", "", "pods")), binding("rbac", "edit", "ServiceAccount::privesc")
    )
    result = check_role_write(rbac, sa, "rbac", role("rbac", "delete-pod", rule("delete", "", "pods")), False)
    assert result == (
        'roles.rbac.authorization.k8s.io "delete-pod" is forbidden: user "system:serviceaccount:rbac:privesc" '
        '(groups=["system:serviceaccounts" "system:serviceaccounts:rbac" "system:authenticated"]) is attempting to '
        'grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}'
    )


def test_escalation_message_appends_resolution_errors():
    rbac = reader(binding("ns1", "Role:gone", "User:bob"))
    result = check_role_write(rbac, user("bob"), "ns1", NEW_ROLE, False)
    assert result is not None
    assert result.endswith(
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: '
        '[roles.rbac.authorization.k8s.io "gone" not found]'
    )


def test_escalate_limited_by_resource_names_helps_only_updates():
    rbac = reader(*POLICY)
    nina = user("nina")
    assert not can_escalate(rbac, nina, "ns1", "")
    assert can_escalate(rbac, nina, "ns1", "myrole")
    assert check_role_write(rbac, nina, "ns1", NEW_ROLE, can_escalate(rbac, nina, "ns1", "")) is not None
    assert check_role_write(rbac, nina, "ns1", NEW_ROLE, can_escalate(rbac, nina, "ns1", "myrole")) is None


def test_cluster_role_write_uses_only_cluster_role_binding_rules():
    rbac = reader(*POLICY)
    new = cluster_role("cr", rule("get", "", "pods"))
    result = check_role_write(rbac, user("carol"), "", new, False)
    assert result is not None
    assert result.startswith('clusterroles.rbac.authorization.k8s.io "cr" is forbidden: user "carol"')
    assert check_role_write(rbac, user("alice"), "", new, False) is None


def test_role_rules_held_in_another_namespace_do_not_count():
    rbac = reader(*POLICY)
    assert check_role_write(rbac, user("carol"), "ns2", role("ns2", "myrole", rule("get", "", "pods")), False)


def test_aggregation_rule_needs_full_authority():
    agg = cluster_role("agg", selectors=[{"matchLabels": {"a": "b"}}])
    no_agg = cluster_role("agg")
    rbac = reader(
        *POLICY, cluster_role("full", rule("*", "*", "*"), url_rule("*", "*")), cluster_binding("full", "User:root")
    )
    message = (
        'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: '
        "must have cluster-admin privileges to use the aggregationRule"
    )
    assert check_role_write(rbac, user("alice"), "", agg, False) == message
    assert check_role_write(rbac, user("alice"), "", no_agg, False, old_obj=agg) == message
    assert check_role_write(rbac, user("alice"), "", no_agg, False) is None
    assert check_role_write(rbac, user("root"), "", agg, False) is None
    assert check_role_write(rbac, user("bob"), "", agg, True) is None


def test_update_changing_only_gc_fields_is_not_checked():
    rbac = reader(*POLICY)
    old = role("ns1", "myrole", rule("*", "*", "*"))
    new = {**old, "metadata": {**old["metadata"], "finalizers": ["x"], "ownerReferences": [{"name": "o"}]}}
    assert check_role_write(rbac, user("bob"), "ns1", new, False, old_obj=old) is None
    changed = {**new, "rules": [rule("get", "", "secrets")]}
    assert check_role_write(rbac, user("bob"), "ns1", changed, False, old_obj=old) is not None


# --- binding writes ----------------------------------------------------------------------

BINDING_POLICY = [
    cluster_role("admin", rule("*", "", "pods,secrets")),
    cluster_role("pod-reader", rule("get", "", "pods")),
    cluster_role("binder", rule("bind", "rbac.authorization.k8s.io", "clusterroles")),
    binding("ns1", "binder", "User:bart"),
    cluster_role("admin-binder", rule("bind", "rbac.authorization.k8s.io", "clusterroles", names="admin")),
    cluster_binding("admin-binder", "User:abby"),
    binding("ns1", "pod-reader", "User:carol"),
    cluster_binding("admin", "User:alice"),
]


def can_bind(rbac, who, namespace, obj):
    return authorize(rbac, bind_attributes(who, namespace, obj["roleRef"])).allowed


@pytest.mark.parametrize(
    ("who", "namespace", "ref", "allowed"),
    [
        pytest.param(user("carol"), "ns1", "pod-reader", True, id="holds-the-rules-in-the-namespace"),
        pytest.param(user("carol"), "ns2", "pod-reader", False, id="rules-held-elsewhere-do-not-count"),
        pytest.param(user("carol"), "ns1", "admin", False, id="cannot-bind-more-than-held"),
        pytest.param(user("bart"), "ns1", "admin", True, id="bind-granted-by-rolebinding-in-ns1"),
        pytest.param(user("bart"), "ns2", "admin", False, id="bind-through-rolebinding-does-not-help-ns2"),
        pytest.param(user("bart"), "", "admin", False, id="bind-through-rolebinding-does-not-help-clusterrolebinding"),
        pytest.param(user("abby"), "", "admin", True, id="bind-limited-to-named-clusterrole"),
        pytest.param(user("abby"), "ns2", "pod-reader", False, id="bind-limited-to-named-clusterrole-only"),
        pytest.param(user("alice"), "", "admin", True, id="holder-may-bind-cluster-wide"),
        pytest.param(user("alice"), "ns2", "pod-reader", True, id="holder-may-bind-narrower-role"),
    ],
)
def test_binding_write(who, namespace, ref, allowed):
    rbac = reader(*BINDING_POLICY)
    obj = binding(namespace, ref, "User:eve", name="b") if namespace else cluster_binding(ref, "User:eve", name="b")
    result = check_binding_write(rbac, who, namespace, obj, can_bind(rbac, who, namespace, obj))
    assert (result is None) is allowed, result


def test_binding_write_messages_are_exact():
    rbac = reader(*BINDING_POLICY)
    rb = binding("ns1", "admin", "User:eve", name="delete-pod")
    assert check_binding_write(rbac, user("carol", "g"), "ns1", rb, False) == (
        'rolebindings.rbac.authorization.k8s.io "delete-pod" is forbidden: user "carol" (groups=["g"]) is attempting '
        "to grant RBAC permissions not currently held:\n"
        '{APIGroups:[""], Resources:["pods"], Verbs:["*"]}\n'
        '{APIGroups:[""], Resources:["secrets"], Verbs:["*"]}'
    )
    crb = cluster_binding("pod-reader", "User:eve", name="crb")
    assert check_binding_write(rbac, user("carol"), "", crb, False).startswith(
        'clusterrolebindings.rbac.authorization.k8s.io "crb" is forbidden: user "carol" (groups=[])'
    )


def test_binding_to_missing_role_is_not_found_unless_bind_is_held():
    rbac = reader(*BINDING_POLICY)
    rb = binding("ns1", "nope", "User:eve", name="b")
    denial = explain_binding_write(rbac, user("carol"), "ns1", rb, False)
    assert denial is not None
    assert (denial.reason, denial.code, denial.message) == (
        "NotFound",
        404,
        'clusterroles.rbac.authorization.k8s.io "nope" not found',
    )
    assert check_binding_write(rbac, user("carol"), "ns1", binding("ns1", "Role:nope", name="b"), False) == (
        'roles.rbac.authorization.k8s.io "nope" not found'
    )
    assert check_binding_write(rbac, user("bart"), "ns1", rb, can_bind(rbac, user("bart"), "ns1", rb)) is None
