"""RBAC decisions per second through the API server's store: the by-subject index versus
reading every binding, with the same 10,000 bindings and a user in 250 groups.

The data set is the one ``benchmarks/rbac.py`` builds; here it lives in a real store
(SQLite), and each decision runs in its own read transaction as a request does.

* indexed - :class:`akslocal.kube.authz.StoreRbacReader` (``find_many`` on the subject index);
* cached  - the same reader with the server's per-process memo (keyed by RBAC generation),
  i.e. a user's second and later requests;
* linear  - the same decision code over every binding scanned from the store.

Run: ``.venv/bin/python benchmarks/kube_authz.py [--bindings 10000] [--groups 250]``
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube import objects
from akslocal.kube.authz import StoreRbacReader
from akslocal.kube.rbac import StaticRoles, authorize
from akslocal.kube.rbac_types import Attributes
from akslocal.kube.resources import lookup
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

_spec = importlib.util.spec_from_file_location("rbac_bench", Path(__file__).with_name("rbac.py"))
assert _spec and _spec.loader
rbac_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rbac_bench)

CR = lookup("rbac.authorization.k8s.io", "v1", "clusterroles")
CRB = lookup("rbac.authorization.k8s.io", "v1", "clusterrolebindings")
RB = lookup("rbac.authorization.k8s.io", "v1", "rolebindings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bindings", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=250)
    args = parser.parse_args()
    roles, crbs, rbs, user = rbac_bench.build(args.bindings, args.groups)
    tmp = Path(tempfile.mkdtemp())
    services = Services(open_store(f"sqlite:///{tmp}/s.db"), FixedClock(), Entropy(seed=1), Settings(data_dir=tmp))
    with services.store.transaction() as tx:
        for rt, docs in ((CR, roles), (CRB, crbs), (RB, rbs)):
            for doc in docs:
                obj = {"apiVersion": "rbac.authorization.k8s.io/v1", **doc}
                obj["metadata"] = dict(doc["metadata"], uid=doc["metadata"]["name"])
                objects.write(tx, "bench", rt, obj, created=True)

    def indexed(attrs: Attributes) -> object:
        with services.store.transaction(write=False) as tx:
            return authorize(StoreRbacReader(tx, "bench"), attrs)

    memo: dict = {}

    def cached(attrs: Attributes) -> object:
        with services.store.transaction(write=False) as tx:
            return authorize(StoreRbacReader(tx, "bench", memo), attrs)

    def linear(attrs: Attributes) -> object:
        with services.store.transaction(write=False) as tx:
            reader = StaticRoles(cluster_roles=objects.scan(tx, "bench", CR),
                                 cluster_role_bindings=objects.scan(tx, "bench", CRB),
                                 role_bindings=objects.scan(tx, "bench", RB, attrs.namespace) if attrs.namespace
                                 else [], indexed=False)
            return authorize(reader, attrs)

    requests = {
        "allow get pods in ns-7 (RoleBinding)": Attributes(user, "get", "ns-7", "", "pods"),
        "deny list nodes cluster-wide": Attributes(user, "list", "", "", "nodes"),
    }
    print(f"{len(crbs) + len(rbs)} bindings in the store, user in {len(user.groups)} groups")
    worst = None
    for label, attrs in requests.items():
        a, b, c = indexed(attrs), linear(attrs), cached(attrs)
        assert a == b == c, (a, b, c)
        fast = rbac_bench.rate(lambda attrs=attrs: indexed(attrs))
        warm = rbac_bench.rate(lambda attrs=attrs: cached(attrs))
        slow = rbac_bench.rate(lambda attrs=attrs: linear(attrs), min_seconds=2.0)
        ratio = fast / slow
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{label:38s} indexed {fast:6.0f}/s ({ratio:5.1f}x)  cached {warm:6.0f}/s ({warm / slow:6.1f}x)  "
              f"linear {slow:5.1f}/s")
    print(f"lowest indexed/linear ratio: {worst:.1f}x")


if __name__ == "__main__":
    main()
