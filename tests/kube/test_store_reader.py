"""The store-backed RBAC reader: bindings come from the by-subject index, so a decision
reads only the bindings naming the user, the user's groups or service account."""

from __future__ import annotations

from pathlib import Path

import pytest

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube import objects, provision
from akslocal.kube.api import ClusterApi, WriteOptions
from akslocal.kube.authz import StoreRbacReader, authorize
from akslocal.kube.rbac_types import Attributes, UserInfo
from akslocal.kube.resources import lookup
from akslocal.kube.seed import create_object
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

CRB = lookup("rbac.authorization.k8s.io", "v1", "clusterrolebindings")
RB = lookup("rbac.authorization.k8s.io", "v1", "rolebindings")


def _binding(kind: str, name: str, subjects: list[dict], role: str = "view", ns: str | None = None) -> dict:
    meta = {"name": name} if ns is None else {"name": name, "namespace": ns}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": subjects}


@pytest.fixture
def cluster(tmp_path: Path) -> Services:
    services = Services(open_store(f"sqlite:///{tmp_path}/s.db"), FixedClock(), Entropy(seed=1),
                        Settings(data_dir=tmp_path))
    provision.provision_cluster(services, provision.ClusterSpec(
        cluster_id="r", name="r", resource_group="rg", kubernetes_version="1.32.4", node_count=1,
        auth=provision.ClusterAuth(mode="none")))
    api = ClusterApi(services, "r")
    with services.store.transaction() as tx:
        for i in range(300):
            create_object(api, tx, _binding("ClusterRoleBinding", f"noise-{i}",
                                            [{"kind": "Group", "name": f"g{i}",
                                              "apiGroup": "rbac.authorization.k8s.io"}]))
            create_object(api, tx, _binding("RoleBinding", f"noise-{i}",
                                            [{"kind": "User", "name": f"u{i}",
                                              "apiGroup": "rbac.authorization.k8s.io"}], ns="default"))
        create_object(api, tx, _binding("RoleBinding", "robot", [{"kind": "ServiceAccount", "name": "bot"}],
                                        role="edit", ns="default"))
    return services


def test_reader_returns_only_bindings_of_the_users_subjects(cluster: Services) -> None:
    with cluster.store.transaction(write=False) as tx:
        reader = StoreRbacReader(tx, "r")
        crbs = reader.list_cluster_role_bindings_for(["User:u7", "Group:g7", "Group:g8"])
        assert sorted(b["metadata"]["name"] for b in crbs) == ["noise-7", "noise-8"]
        rbs = reader.list_role_bindings_for("default", ["User:u7", "Group:g7"])
        assert [b["metadata"]["name"] for b in rbs] == ["noise-7"]
        assert reader.list_role_bindings_for("kube-system", ["User:u7"]) == []
        # a ServiceAccount subject without a namespace defaults to the RoleBinding's
        sa = reader.list_role_bindings_for("default", ["ServiceAccount:default:bot"])
        assert [b["metadata"]["name"] for b in sa] == ["robot"]


def test_decisions_use_the_index(cluster: Services) -> None:
    with cluster.store.transaction(write=False) as tx:
        alice = UserInfo("alice", groups=("g42", "system:authenticated"))
        allowed = authorize(tx, "r", Attributes(user=alice, verb="list", resource="pods"))
        assert allowed.allowed
        assert allowed.reason == ('RBAC: allowed by ClusterRoleBinding "noise-42" of ClusterRole "view" to '
                                  'Group "g42"')
        nobody = UserInfo("nobody", groups=("system:authenticated",))
        assert not authorize(tx, "r", Attributes(user=nobody, verb="list", resource="pods")).allowed
        masters = UserInfo("root", groups=("system:masters",))
        assert authorize(tx, "r", Attributes(user=masters, verb="delete", resource="nodes")).allowed


def test_index_follows_updates_and_deletes(cluster: Services) -> None:
    api = ClusterApi(cluster, "r")
    with cluster.store.transaction() as tx:
        b = objects.read(tx, "r", CRB, "", "noise-1")
        b["subjects"] = [{"kind": "User", "name": "zoe", "apiGroup": "rbac.authorization.k8s.io"}]
        api._replace_in(tx, CRB, objects.read(tx, "r", CRB, "", "noise-1"), b, WriteOptions())
    with cluster.store.transaction(write=False) as tx:
        reader = StoreRbacReader(tx, "r")
        assert [x["metadata"]["name"] for x in reader.list_cluster_role_bindings_for(["User:zoe"])] == ["noise-1"]
        assert reader.list_cluster_role_bindings_for(["Group:g1"]) == []
    with cluster.store.transaction() as tx:
        api._delete_in(tx, CRB, "", "noise-1")
    with cluster.store.transaction(write=False) as tx:
        assert StoreRbacReader(tx, "r").list_cluster_role_bindings_for(["User:zoe"]) == []


def test_the_read_cache_never_serves_stale_policy(cluster: Services) -> None:
    cache: dict = {}
    alice = UserInfo("alice", groups=("g42",))
    attrs = Attributes(user=alice, verb="list", resource="pods")
    for _ in range(2):
        with cluster.store.transaction(write=False) as tx:
            assert authorize(tx, "r", attrs, cache).allowed
    with cluster.store.transaction() as tx:
        ClusterApi(cluster, "r")._delete_in(tx, CRB, "", "noise-42")
    with cluster.store.transaction(write=False) as tx:
        assert not authorize(tx, "r", attrs, cache).allowed
    assert len(cache) == 1  # one generation per cluster is kept
