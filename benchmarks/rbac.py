"""RBAC decisions per second: bindings indexed by subject vs a linear scan of every binding.

10,000 bindings (half ClusterRoleBindings, half RoleBindings over 50 namespaces) naming
users and groups from a large pool; the user under test is in 250 groups, a few of which
are bound.  The same ``authorize()`` runs over two readers in the same process:

* indexed - ``StaticRoles`` asked only for bindings naming the user's subject keys, as
  the API server's store index answers it (cost ~ O(user's groups));
* linear  - every binding listed and matched, as upstream does over its informer cache.

Run: ``.venv/bin/python benchmarks/rbac.py [--bindings 10000] [--groups 250]``
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from akslocal.kube.rbac import StaticRoles, authorize
from akslocal.kube.rbac_types import RBAC_GROUP, Attributes, UserInfo


def _binding(kind: str, name: str, namespace: str | None, role: str, subjects: list[dict]) -> dict:
    meta = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    return {
        "kind": kind,
        "metadata": meta,
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    }


def build(n_bindings: int, n_groups: int, seed: int = 1) -> tuple[list, list, list, UserInfo]:
    rnd = random.Random(seed)
    roles = [
        {
            "kind": "ClusterRole",
            "metadata": {"name": f"role-{i}"},
            "rules": [{"apiGroups": [""], "resources": [f"thing{i}", f"other{i}"], "verbs": ["get", "list"]}],
        }
        for i in range(100)
    ] + [
        {
            "kind": "ClusterRole",
            "metadata": {"name": "pod-reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
        }
    ]
    pool = [f"group-{i}" for i in range(20_000)]
    my_groups = rnd.sample(pool, n_groups)
    bound_mine = set(my_groups[:5])
    others = [g for g in pool if g not in set(my_groups)]
    crbs, rbs = [], []
    for i in range(n_bindings):
        subjects = [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": rnd.choice(others)} for _ in range(2)]
        subjects.append({"kind": "User", "apiGroup": RBAC_GROUP, "name": f"user-{rnd.randrange(50_000)}"})
        role = f"role-{rnd.randrange(100)}"
        if i % 2:
            crbs.append(_binding("ClusterRoleBinding", f"crb-{i}", None, role, subjects))
        else:
            rbs.append(_binding("RoleBinding", f"rb-{i}", f"ns-{rnd.randrange(50)}", role, subjects))
    # A few bindings of the user's own groups; the one that allows is a RoleBinding, reached last.
    for j, g in enumerate(sorted(bound_mine)):
        crbs.append(
            _binding(
                "ClusterRoleBinding",
                f"mine-{j}",
                None,
                f"role-{j}",
                [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": g}],
            )
        )
    rbs.append(
        _binding(
            "RoleBinding",
            "mine-pods",
            "ns-7",
            "pod-reader",
            [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": my_groups[-1]}],
        )
    )
    user = UserInfo(name="alice@akslocal.onmicrosoft.com", groups=(*my_groups, "system:authenticated"))
    return roles, crbs, rbs, user


def rate(fn: Callable[[], object], min_seconds: float = 1.0) -> float:
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bindings", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=250)
    args = parser.parse_args()

    roles, crbs, rbs, user = build(args.bindings, args.groups)
    indexed = StaticRoles(cluster_roles=roles, role_bindings=rbs, cluster_role_bindings=crbs)
    linear = StaticRoles(cluster_roles=roles, role_bindings=rbs, cluster_role_bindings=crbs, indexed=False)
    requests = {
        "allow get pods in ns-7 (RoleBinding)": Attributes(user, "get", "ns-7", "", "pods"),
        "deny delete pods in ns-7": Attributes(user, "delete", "ns-7", "", "pods"),
        "deny list nodes cluster-wide": Attributes(user, "list", "", "", "nodes"),
    }
    print(f"{len(crbs) + len(rbs)} bindings, user in {len(user.groups)} groups")
    worst = None
    for label, attrs in requests.items():
        a, b = authorize(indexed, attrs), authorize(linear, attrs)
        assert a == b, (a, b)
        fast = rate(lambda attrs=attrs: authorize(indexed, attrs))
        slow = rate(lambda attrs=attrs: authorize(linear, attrs))
        ratio = fast / slow
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{label:40s} indexed {fast:10.0f}/s  linear {slow:8.0f}/s  ratio {ratio:6.1f}x  [{a.reason or '-'}]")
    print(f"lowest ratio: {worst:.1f}x (aim >= 50x)")


if __name__ == "__main__":
    main()
