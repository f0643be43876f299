"""The default policy: a golden file (regenerate with AKSLOCAL_UPDATE_GOLDEN=1) and the
behaviour the defaults must give once aggregated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from akslocal.kube.bootstrap_policy import bootstrap_cluster_role_bindings, bootstrap_cluster_roles
from akslocal.kube.rbac import StaticRoles, aggregate_cluster_roles, authorize
from akslocal.kube.rbac_types import rules_of, service_account_user

from .builders import binding, path_req, req, user

GOLDEN = Path(__file__).parent / "testdata" / "bootstrap-policy.yaml"


def _document() -> str:
    doc = {
        "clusterRoles": bootstrap_cluster_roles(),
        "clusterRoleBindings": bootstrap_cluster_role_bindings(),
    }
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


def test_golden_file():
    text = _document()
    if os.environ.get("AKSLOCAL_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert GOLDEN.stat().st_size < 100_000
    assert text == GOLDEN.read_text(), (
        "bootstrap policy changed: rerun with AKSLOCAL_UPDATE_GOLDEN=1 and review the diff"
    )


def test_every_default_carries_the_bootstrap_label_and_autoupdate_annotation():
    for obj in bootstrap_cluster_roles() + bootstrap_cluster_role_bindings():
        assert obj["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
        assert obj["metadata"]["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
        assert obj["apiVersion"] == "rbac.authorization.k8s.io/v1"
    roles = {r["metadata"]["name"] for r in bootstrap_cluster_roles()}
    for b in bootstrap_cluster_role_bindings():
        assert b["roleRef"]["name"] in roles


def test_results_are_fresh_copies():
    first = bootstrap_cluster_roles()
    first[0]["metadata"]["name"] = "changed"
    assert bootstrap_cluster_roles()[0]["metadata"]["name"] != "changed"


@pytest.fixture(scope="module")
def defaults():
    roles = aggregate_cluster_roles(bootstrap_cluster_roles())
    return {r["metadata"]["name"]: r for r in roles}


def _policy(defaults, *extra):
    return StaticRoles(
        cluster_roles=defaults.values(),
        role_bindings=[e for e in extra if e["kind"] == "RoleBinding"],
        cluster_role_bindings=[*bootstrap_cluster_role_bindings(), *(e for e in extra if e["kind"] != "RoleBinding")],
    )


def test_aggregated_roles_are_filled_transitively(defaults):
    view = rules_of(defaults["view"])
    edit = rules_of(defaults["edit"])
    admin = rules_of(defaults["admin"])
    assert view == rules_of(defaults["system:aggregate-to-view"])
    assert all(r in edit for r in view) and len(edit) > len(view)
    assert all(r in admin for r in edit) and len(admin) == len(edit) + 2


alice = user("alice", "system:authenticated")
anonymous = user("system:anonymous", "system:unauthenticated")
admin_ns1, edit_ns1, view_ns1 = user("ada", "system:authenticated"), user("ed", "system:authenticated"), user("vi")


@pytest.mark.parametrize(
    ("attrs", "allowed"),
    [
        pytest.param(path_req(alice, "get", "/version"), True, id="authenticated-discovery-version"),
        pytest.param(path_req(alice, "get", "/apis/apps/v1"), True, id="authenticated-discovery-apis"),
        pytest.param(path_req(alice, "get", "/openapi/v3"), True, id="authenticated-openapi"),
        pytest.param(path_req(anonymous, "get", "/healthz"), True, id="anonymous-public-info-healthz"),
        pytest.param(path_req(anonymous, "get", "/version"), True, id="anonymous-public-info-version"),
        pytest.param(path_req(anonymous, "get", "/api"), False, id="anonymous-no-discovery"),
        pytest.param(path_req(alice, "get", "/metrics"), False, id="authenticated-no-metrics"),
        pytest.param(
            req(alice, "create", "", "selfsubjectaccessreviews", group="authorization.k8s.io"),
            True,
            id="basic-user-ssar",
        ),
        pytest.param(
            req(alice, "create", "", "selfsubjectrulesreviews", group="authorization.k8s.io"),
            True,
            id="basic-user-ssrr",
        ),
        pytest.param(
            req(alice, "create", "", "selfsubjectreviews", group="authentication.k8s.io"), True, id="basic-user-whoami"
        ),
        pytest.param(req(alice, "list", "", "pods"), False, id="authenticated-cannot-list-pods"),
        pytest.param(
            req(anonymous, "create", "", "selfsubjectaccessreviews", group="authorization.k8s.io"),
            False,
            id="anonymous-not-basic-user",
        ),
        pytest.param(
            req(user("m", "system:masters"), "delete", "", "nodes"), True, id="masters-bound-to-cluster-admin"
        ),
        pytest.param(path_req(user("m", "system:masters"), "get", "/metrics"), True, id="masters-non-resource"),
        pytest.param(path_req(user("p", "system:monitoring"), "get", "/readyz/etcd"), True, id="monitoring-group"),
        pytest.param(
            path_req(service_account_user("ns1", "sa"), "get", "/openid/v1/jwks"),
            True,
            id="service-accounts-issuer-discovery",
        ),
        pytest.param(
            req(user("system:kube-proxy"), "list", "", "endpointslices", group="discovery.k8s.io"),
            True,
            id="kube-proxy-node-proxier",
        ),
        pytest.param(
            req(service_account_user("kube-system", "kube-dns"), "watch", "", "services"),
            True,
            id="kube-dns-service-account",
        ),
        pytest.param(req(user("node1", "system:nodes"), "get", "", "nodes"), False, id="system-node-has-no-subjects"),
        pytest.param(
            req(admin_ns1, "create", "ns1", "rolebindings", group="rbac.authorization.k8s.io"),
            True,
            id="admin-writes-rolebindings",
        ),
        pytest.param(req(admin_ns1, "get", "ns1", "secrets"), True, id="admin-reads-secrets"),
        pytest.param(
            req(admin_ns1, "create", "ns1", "localsubjectaccessreviews", group="authorization.k8s.io"),
            True,
            id="admin-local-sar",
        ),
        pytest.param(req(admin_ns1, "get", "ns2", "pods"), False, id="admin-only-in-its-namespace"),
        pytest.param(req(edit_ns1, "create", "ns1", "deployments", group="apps"), True, id="edit-writes-deployments"),
        pytest.param(req(edit_ns1, "update", "ns1", "deployments/scale", group="apps"), True, id="edit-scales"),
        pytest.param(req(edit_ns1, "create", "ns1", "pods/exec", name="p"), True, id="edit-execs"),
        pytest.param(
            req(edit_ns1, "impersonate", "ns1", "serviceaccounts", name="sa"), True, id="edit-impersonates-sa"
        ),
        pytest.param(
            req(edit_ns1, "create", "ns1", "roles", group="rbac.authorization.k8s.io"),
            False,
            id="edit-cannot-write-roles",
        ),
        pytest.param(req(edit_ns1, "create", "ns1", "endpoints"), False, id="edit-cannot-write-endpoints"),
        pytest.param(req(view_ns1, "list", "ns1", "pods"), True, id="view-lists-pods"),
        pytest.param(req(view_ns1, "get", "ns1", "pods/log", name="p"), True, id="view-reads-logs"),
        pytest.param(req(view_ns1, "get", "ns1", "namespaces", name="ns1"), True, id="view-reads-its-namespace"),
        pytest.param(req(view_ns1, "get", "ns1", "secrets"), False, id="view-cannot-read-secrets"),
        pytest.param(
            req(view_ns1, "get", "ns1", "roles", group="rbac.authorization.k8s.io"), False, id="view-cannot-read-roles"
        ),
        pytest.param(req(view_ns1, "delete", "ns1", "pods"), False, id="view-cannot-delete"),
    ],
)
def test_default_policy_decisions(defaults, attrs, allowed):
    rbac = _policy(
        defaults,
        binding("ns1", "admin", "User:ada"),
        binding("ns1", "edit", "User:ed"),
        binding("ns1", "view", "User:vi"),
    )
    assert authorize(rbac, attrs).allowed is allowed
