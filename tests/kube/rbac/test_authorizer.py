"""The RBAC authorizer, table-driven like upstream rbac_test.go ``TestAuthorizer``.

Each row is a set of RBAC objects plus requests that must be allowed (should_pass) and
requests that must not be (should_fail).  Every row runs against the by-subject indexed
reader and against the linear-scan reader, which must agree.
"""

from __future__ import annotations

import pytest

from akslocal.kube.rbac import authorize
from akslocal.kube.rbac_types import service_account_user, service_account_username

from .builders import binding, cluster_binding, cluster_role, path_req, reader, req, role, rule, url_rule, user

admin = user("admin")
admin_g1 = user("admin", "group1")
joe_admins = user("joe", "admins")
joe_g1_admins = user("joe", "group1", "admins")
alice = user("alice", "devs", "system:authenticated")
bob = user("bob", "system:authenticated")
anonymous = user("system:anonymous", "system:unauthenticated")
sa_kube_system_default = user(service_account_username("kube-system", "default"))
sa_default_default = user(service_account_username("default", "default"))
builder_ns1 = service_account_user("ns1", "builder")
builder_ns2 = service_account_user("ns2", "builder")

CASES = [
    pytest.param(
        [cluster_role("admin", rule("*", "*", "*")), binding("ns1", "admin", "User:admin", "Group:admins")],
        [
            req(admin, "get", "ns1", "pods"),
            req(admin, "watch", "ns1", "pods"),
            req(admin_g1, "watch", "ns1", "foobar", group="group1"),
            req(joe_admins, "watch", "ns1", "foobar"),
            req(joe_g1_admins, "watch", "ns1", "foobar"),
        ],
        [
            req(admin, "GET", "ns2", "pods"),
            req(admin, "GET", "", "nodes"),
            req(user("admin", "admins"), "GET", "ns2", "pods"),
            req(user("admin", "admins"), "GET", "", "nodes"),
            req(joe_admins, "get", "ns2", "pods"),
        ],
        id="clusterrole-admin-bound-by-rolebinding-in-ns1",
    ),
    pytest.param(
        [
            cluster_role("getter", url_rule("get", "/apis")),
            cluster_role("star", url_rule("*", "/apis")),
            cluster_role("prefix", url_rule("get", "/apis/*")),
            cluster_binding("getter", "User:foo", "Group:bar"),
            cluster_binding("star", "User:admin"),
            cluster_binding("prefix", "User:prefixed"),
        ],
        [
            path_req(user("foo"), "get", "/apis"),
            path_req(user("baz", "bar"), "get", "/apis"),
            path_req(admin, "get", "/apis"),
            path_req(admin, "watch", "/apis"),
            path_req(user("prefixed"), "get", "/apis/v1"),
            path_req(user("prefixed"), "get", "/apis/v1/foobar"),
        ],
        [
            path_req(user("foo"), "watch", "/apis"),
            path_req(user("baz", "bar"), "watch", "/apis"),
            path_req(user("foo"), "get", "/api/v1"),
            path_req(admin, "get", "/api/v1"),
            path_req(user("prefixed"), "get", "/api/v1"),
            path_req(user("prefixed"), "get", "/apis"),
        ],
        id="non-resource-urls-exact-star-verb-and-prefix",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods")],
        [req(alice, "get", "ns1", "pods/status"), req(alice, "get", "ns1", "pods/log")],
        id="pods-does-not-cover-pods-status",
    ),
    pytest.param(
        [cluster_role("r", rule("*", "", "pods/status,*/scale")), cluster_binding("r", "User:alice")],
        [
            req(alice, "get", "ns1", "pods/status"),
            req(alice, "update", "ns1", "pods/scale"),
            req(alice, "update", "ns1", "deployments/scale"),
            req(alice, "get", "ns1", "anything/scale"),
        ],
        [
            req(alice, "get", "ns1", "pods"),
            req(alice, "get", "ns1", "deployments"),
            req(alice, "get", "ns1", "pods/log"),
        ],
        id="pods-status-and-star-scale-cover-only-subresources",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods/*")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods", sub="*")],
        [
            req(alice, "get", "ns1", "pods/status"),
            req(alice, "get", "ns1", "pods"),
            req(alice, "get", "ns1", "pods/exec"),
        ],
        id="pods-slash-star-is-literal",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "*")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods/status"), req(alice, "get", "", "nodes"), req(alice, "get", "ns1", "pods/log")],
        [req(alice, "get", "ns1", "deployments", group="apps"), req(alice, "list", "ns1", "pods")],
        id="star-resource-covers-every-resource-and-subresource",
    ),
    pytest.param(
        [
            cluster_role("r", rule("get,create,list,watch,deletecollection,update", "", "pods,pods/exec", "web-0")),
            binding("ns1", "r", "User:alice"),
        ],
        [
            req(alice, "get", "ns1", "pods", name="web-0"),
            req(alice, "update", "ns1", "pods", name="web-0"),
            req(alice, "create", "ns1", "pods/exec", name="web-0"),
            req(alice, "list", "ns1", "pods", name="web-0"),
            req(alice, "watch", "ns1", "pods", name="web-0"),
        ],
        [
            req(alice, "create", "ns1", "pods"),
            req(alice, "list", "ns1", "pods"),
            req(alice, "watch", "ns1", "pods"),
            req(alice, "deletecollection", "ns1", "pods"),
            req(alice, "get", "ns1", "pods", name="web-1"),
            req(alice, "create", "ns1", "pods/exec", name="web-1"),
        ],
        id="resource-names-never-match-unnamed-create-list-deletecollection",
    ),
    pytest.param(
        [cluster_role("ca", rule("*", "*", "*"), url_rule("*", "*")), binding("ns1", "ca", "User:alice")],
        [
            req(alice, "get", "ns1", "pods"),
            req(alice, "get", "ns1", "namespaces", name="ns1"),
            req(alice, "delete", "ns1", "namespaces", name="ns1"),
            req(alice, "create", "ns1", "roles", group="rbac.authorization.k8s.io"),
        ],
        [
            req(alice, "list", "", "pods"),
            req(alice, "get", "", "nodes"),
            req(alice, "list", "", "namespaces"),
            path_req(alice, "get", "/healthz"),
            req(alice, "get", "ns2", "pods"),
            req(alice, "get", "ns2", "namespaces", name="ns2"),
        ],
        id="rolebinding-to-cluster-admin-stays-in-its-namespace",
    ),
    pytest.param(
        [
            role("ns1", "pod-reader", rule("get", "", "pods")),
            binding("ns2", "Role:pod-reader", "User:alice"),
            binding("ns1", "Role:pod-reader", "User:bob"),
        ],
        [req(bob, "get", "ns1", "pods")],
        [req(alice, "get", "ns2", "pods"), req(alice, "get", "ns1", "pods"), req(bob, "get", "ns2", "pods")],
        id="role-is-resolved-in-the-binding-namespace-only",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "Group:devs")],
        [req(alice, "get", "ns1", "pods"), req(user("carol", "devs"), "get", "", "pods")],
        [req(bob, "get", "ns1", "pods"), req(user("devs"), "get", "ns1", "pods")],
        id="group-subject-matches-members-not-a-user-of-that-name",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:*"), cluster_binding("r", "Group:*")],
        [req(user("*"), "get", "ns1", "pods")],
        [req(alice, "get", "ns1", "pods"), req(bob, "get", "ns1", "pods")],
        id="user-and-group-star-are-not-wildcards",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:Alice")],
        [req(user("Alice"), "get", "ns1", "pods")],
        [req(alice, "get", "ns1", "pods"), req(user("ALICE"), "get", "ns1", "pods")],
        id="user-names-are-case-sensitive",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods")],
        [req(alice, "GET", "ns1", "pods"), req(alice, "get", "ns1", "Pods")],
        id="verbs-and-resources-are-case-sensitive",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "ServiceAccount:kube-system:default")],
        [req(sa_kube_system_default, "get", "default", "pods"), req(sa_kube_system_default, "get", "", "pods")],
        [req(sa_default_default, "get", "default", "pods"), req(user("default"), "get", "default", "pods")],
        id="service-account-subject-with-namespace-in-clusterrolebinding",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), binding("ns1", "r", "ServiceAccount::builder")],
        [req(builder_ns1, "get", "ns1", "pods")],
        [
            req(builder_ns2, "get", "ns1", "pods"),
            req(builder_ns2, "get", "ns2", "pods"),
            req(builder_ns1, "get", "ns2", "pods"),
            req(user("builder"), "get", "ns1", "pods"),
        ],
        id="service-account-subject-defaults-to-rolebinding-namespace",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "ServiceAccount::builder")],
        [],
        [req(builder_ns1, "get", "ns1", "pods"), req(user("system:serviceaccount::builder"), "get", "ns1", "pods")],
        id="service-account-subject-without-namespace-in-clusterrolebinding-never-matches",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), binding("ns1", "r", "ServiceAccount:ns2:builder")],
        [req(builder_ns2, "get", "ns1", "pods")],
        [req(builder_ns1, "get", "ns1", "pods"), req(builder_ns2, "get", "ns2", "pods")],
        id="service-account-subject-from-another-namespace-in-rolebinding",
    ),
    pytest.param(
        [
            cluster_role("r", rule("get", "", "pods")),
            cluster_role("w", rule("list", "", "pods")),
            cluster_binding("r", "Group:system:serviceaccounts:ns1"),
            cluster_binding("w", "Group:system:serviceaccounts"),
        ],
        [
            req(builder_ns1, "get", "ns1", "pods"),
            req(builder_ns1, "list", "ns1", "pods"),
            req(builder_ns2, "list", "ns2", "pods"),
        ],
        [
            req(builder_ns2, "get", "ns2", "pods"),
            req(user(service_account_username("ns1", "x")), "get", "ns1", "pods"),
            req(alice, "list", "ns1", "pods"),
        ],
        id="service-account-groups-plural-prefix",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "ServiceAccount:ns1:builder")],
        [
            req(user(service_account_username("ns1", "builder")), "get", "ns1", "pods"),
            req(builder_ns1, "get", "", "pods"),
        ],
        [req(user("system:serviceaccounts:ns1:builder"), "get", "ns1", "pods")],
        id="service-account-subject-matches-username-without-sa-groups",
    ),
    pytest.param(
        [
            cluster_role("r", url_rule("get", "/healthz")),
            cluster_role("a", url_rule("get", "/version")),
            cluster_binding("r", "Group:system:authenticated", "Group:system:unauthenticated"),
            cluster_binding("a", "Group:system:authenticated"),
        ],
        [
            path_req(alice, "get", "/healthz"),
            path_req(anonymous, "get", "/healthz"),
            path_req(alice, "get", "/version"),
        ],
        [path_req(anonymous, "get", "/version"), path_req(user("nogroups"), "get", "/version")],
        id="authenticated-and-unauthenticated-groups",
    ),
    pytest.param(
        [
            cluster_role(
                "r", rule("*", "", "users,groups,serviceaccounts"), rule("*", "rbac.authorization.k8s.io", "*")
            ),
            cluster_binding("r", "User:alice"),
        ],
        [
            req(alice, "impersonate", "", "users", name="bob"),
            req(alice, "impersonate", "", "groups", name="g"),
            req(alice, "impersonate", "ns1", "serviceaccounts", name="sa"),
            req(alice, "bind", "", "clusterroles", group="rbac.authorization.k8s.io", name="admin"),
            req(alice, "escalate", "ns1", "roles", group="rbac.authorization.k8s.io"),
        ],
        [req(bob, "impersonate", "", "users", name="alice")],
        id="star-verb-covers-special-verbs",
    ),
    pytest.param(
        [
            cluster_role("r", rule("get,list,watch,create,update,patch,delete", "", "serviceaccounts,users")),
            cluster_binding("r", "User:alice"),
        ],
        [req(alice, "get", "ns1", "serviceaccounts")],
        [req(alice, "impersonate", "ns1", "serviceaccounts", name="sa"), req(alice, "impersonate", "", "users")],
        id="enumerated-verbs-do-not-cover-special-verbs",
    ),
    pytest.param(
        [cluster_role("r", rule("get,list", ",apps", "pods,deployments")), cluster_binding("r", "User:alice")],
        [
            req(alice, v, "ns1", r, group=g)
            for v in ("get", "list")
            for g in ("", "apps")
            for r in ("pods", "deployments")
        ],
        [req(alice, "watch", "ns1", "pods"), req(alice, "get", "ns1", "pods", group="batch")],
        id="rule-is-a-cross-product-tuple-expansion",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods")],
        [req(alice, "get", "ns1", "pods", group="apps"), req(alice, "get", "ns1", "pods", group="*")],
        id="core-group-is-the-empty-string",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "*", "pods")), cluster_binding("r", "User:alice")],
        [
            req(alice, "get", "ns1", "pods", group="apps"),
            req(alice, "get", "ns1", "pods"),
            req(alice, "get", "ns1", "pods", group="example.com"),
        ],
        [req(alice, "get", "ns1", "deployments", group="apps")],
        id="star-group",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r", "User:alice")],
        [req(alice, "get", "ns1", "pods"), req(alice, "get", "ns2", "pods"), req(alice, "get", "", "pods")],
        [req(alice, "list", "", "pods")],
        id="clusterrolebinding-applies-in-every-namespace-and-cluster-wide",
    ),
    pytest.param(
        [
            cluster_binding("missing", "User:alice"),
            binding("ns1", "Role:missing", "User:alice"),
            cluster_role("r", rule("get", "", "pods")),
            binding("ns1", "r", "User:alice"),
        ],
        [req(alice, "get", "ns1", "pods")],
        [req(alice, "get", "ns2", "pods"), req(alice, "list", "ns1", "pods")],
        id="resolution-errors-never-block-an-allow",
    ),
    pytest.param(
        [cluster_role("r", url_rule("get", "/healthz*,/api/*/v1,/logs/")), cluster_binding("r", "User:alice")],
        [
            path_req(alice, "get", "/healthz"),
            path_req(alice, "get", "/healthzfoo"),
            path_req(alice, "get", "/healthz/etcd"),
            path_req(alice, "get", "/api/*/v1"),
            path_req(alice, "get", "/logs/"),
        ],
        [
            path_req(alice, "get", "/api/x/v1"),
            path_req(alice, "get", "/health"),
            path_req(alice, "get", "/logs"),
            path_req(alice, "post", "/healthz"),
        ],
        id="non-resource-url-trailing-star-is-a-string-prefix-other-stars-literal",
    ),
    pytest.param(
        [cluster_role("r", url_rule("*", "*")), cluster_binding("r", "User:alice")],
        [path_req(alice, "get", "/"), path_req(alice, "post", "/anything"), path_req(alice, "head", "/healthz")],
        [req(alice, "get", "ns1", "pods"), req(alice, "get", "", "nodes")],
        id="non-resource-star-rule-grants-no-resources",
    ),
    pytest.param(
        [cluster_role("r", rule("*", "*", "*")), cluster_binding("r", "User:alice")],
        [req(alice, "delete", "ns1", "pods"), req(alice, "get", "", "nodes")],
        [path_req(alice, "get", "/healthz"), path_req(alice, "get", "/api")],
        id="resource-star-rule-grants-no-non-resource-urls",
    ),
    pytest.param(
        [role("ns1", "r", rule("get", "", "configmaps")), binding("ns1", "Role:r", "Group:devs")],
        [req(alice, "get", "ns1", "configmaps")],
        [
            req(alice, "get", "", "configmaps"),
            req(alice, "list", "", "configmaps"),
            req(bob, "get", "ns1", "configmaps"),
        ],
        id="role-binding-to-role-grants-in-its-namespace",
    ),
    pytest.param(
        [
            cluster_role("r", rule("get", "", "pods")),
            {
                **binding("ns1", "r", "User:alice"),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Foo", "name": "r"},
            },
        ],
        [],
        [req(alice, "get", "ns1", "pods")],
        id="unsupported-role-ref-kind-grants-nothing",
    ),
    pytest.param(
        [cluster_role("r", rule("get", "", "pods")), cluster_binding("r"), binding("ns1", "r")],
        [],
        [req(alice, "get", "ns1", "pods"), req(user(""), "get", "ns1", "pods")],
        id="bindings-without-subjects-grant-nothing",
    ),
]


@pytest.mark.parametrize(("objects", "should_pass", "should_fail"), CASES)
@pytest.mark.parametrize("indexed", [True, False], ids=["indexed", "linear"])
def test_authorizer(objects, should_pass, should_fail, indexed):
    rbac = reader(*objects, indexed=indexed)
    for attrs in should_pass:
        decision = authorize(rbac, attrs)
        assert decision.allowed, f"expected allow: {attrs}"
        assert decision.reason.startswith("RBAC: allowed by ")
    for attrs in should_fail:
        decision = authorize(rbac, attrs)
        assert not decision.allowed, f"expected no opinion: {attrs} ({decision.reason})"
