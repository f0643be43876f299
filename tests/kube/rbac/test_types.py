"""Go formatting helpers and the attribute builders the API server uses for escalate/bind."""

from __future__ import annotations

import pytest

from akslocal.kube.escalation import bind_attributes, check_binding_write, check_role_write, escalate_attributes
from akslocal.kube.rbac_types import (
    Attributes,
    aggregate_message,
    forbidden_message,
    go_quote,
    go_quote_list,
    service_account_user,
)

from .builders import reader, user


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("back\\slash", '"back\\\\slash"'),
        ("tab\there\n", '"tab\\there\\n"'),
        ("\x00\x7f", '"\\x00\\x7f"'),
        ("\u200b", '"\\u200b"'),
        ("é ü 日本", '"é ü 日本"'),
    ],
    ids=["plain", "quote", "backslash", "tab-newline", "control", "zero-width", "printable-unicode"],
)
def test_go_quote(text, quoted):
    assert go_quote(text) == quoted


def test_go_quote_list_and_aggregate():
    assert go_quote_list([]) == "[]"
    assert go_quote_list(["a", "b"]) == '["a" "b"]'
    assert aggregate_message([]) == ""
    assert aggregate_message(["x"]) == "x"
    assert aggregate_message(["x", "x"]) == "x"
    assert aggregate_message(["x", "y", "x"]) == "[x, y]"


def test_forbidden_message_forms():
    assert forbidden_message("roles", "r", "no") == 'roles.rbac.authorization.k8s.io "r" is forbidden: no'
    assert forbidden_message("roles", "", "no") == "roles.rbac.authorization.k8s.io is forbidden: no"
    assert forbidden_message("pods", "p", "no", group="") == 'pods "p" is forbidden: no'
    assert forbidden_message("", "", "no", group="") == "forbidden: no"


def test_escalate_and_bind_attributes_match_upstream():
    alice = user("alice")
    assert escalate_attributes(alice, "ns1", False, "") == Attributes(
        user=alice, verb="escalate", namespace="ns1", api_group="rbac.authorization.k8s.io", resource="roles"
    )
    assert escalate_attributes(alice, "ns1", True, "agg") == Attributes(
        user=alice, verb="escalate", api_group="rbac.authorization.k8s.io", resource="clusterroles", name="agg"
    )
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}
    assert bind_attributes(alice, "ns1", ref) == Attributes(
        user=alice, verb="bind", namespace="ns1", api_group="rbac.authorization.k8s.io", resource="roles", name="r"
    )
    assert bind_attributes(alice, "", {**ref, "kind": "ClusterRole", "name": 7}).resource == "clusterroles"


def test_service_account_user_shape():
    sa = service_account_user("kube-system", "default", uid="u1")
    assert sa.name == "system:serviceaccount:kube-system:default"
    assert sa.groups == ("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated")


def test_hostile_write_objects_never_raise():
    rbac = reader()
    bob = user("bob")
    for obj in [
        {"kind": "Role"},
        {"kind": "Role", "metadata": "x", "rules": "all"},
        {"kind": "ClusterRole", "metadata": {"name": 5}, "rules": [None, {"verbs": "get"}], "aggregationRule": []},
    ]:
        assert check_role_write(rbac, bob, "ns1", obj, False) is None  # grants nothing, so nothing to escalate
    assert check_role_write(
        rbac,
        bob,
        "",
        {"kind": "ClusterRole", "rules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]},
        False,
    )
    assert check_binding_write(rbac, bob, "ns1", {"kind": "RoleBinding"}, False) == (
        'unsupported role reference kind: ""'
    )
    assert (
        check_binding_write(rbac, bob, "ns1", {"kind": "RoleBinding", "roleRef": {"kind": "Role", "name": None}}, False)
        == 'roles.rbac.authorization.k8s.io "" not found'
    )
