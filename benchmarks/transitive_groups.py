"""getMemberGroups' hot path: a user's transitive groups, BFS with one indexed query per level
vs one query per group (the naive walk), on the same SQLite store.

The user is directly in ``--direct`` groups; each of those is nested in a chain of parents,
so the user has ``--groups`` transitive groups in total.

Run: ``.venv/bin/python benchmarks/transitive_groups.py [--groups 1000] [--direct 100]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from akslocal.clock import FixedClock
from akslocal.directory import bootstrap, groups, tenants, users
from akslocal.directory.kinds import MEMBERSHIPS
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store


def naive(tx, tenant_id: str, member_id: str) -> list[str]:
    seen: list[str] = []
    stack = [member_id]
    while stack:
        current = stack.pop()
        for record in tx.find(MEMBERSHIPS, "member", f"{tenant_id}/{current}"):
            gid = record.doc["group_id"]
            if gid not in seen:
                seen.append(gid)
                stack.append(gid)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--direct", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services = Services(
            open_store(f"sqlite:///{Path(tmp) / 's.db'}"), FixedClock(), Entropy(seed=1), Settings(data_dir=Path(tmp))
        )
        import os

        os.environ.setdefault("AKSLOCAL_ADMIN_PASSWORD", "Adm1n-Passw0rd!")
        bootstrap.bootstrap(services)
        with services.store.transaction() as tx:
            tid = tenants.default_tenant(tx).id
            user = users.create_user(
                tx,
                tid,
                upn="bench@akslocal.onmicrosoft.com",
                display_name="b",
                password="Passw0rd!x",
                now=0,
                entropy=services.entropy,
            )
            depth = max(1, args.groups // args.direct)
            for chain in range(args.direct):
                child = user.id
                for level in range(depth):
                    g = groups.create_group(tx, tid, display_name=f"g{chain}-{level}", now=0, entropy=services.entropy)
                    groups.add_member(tx, tid, g.id, child)
                    child = g.id
        results = {}
        for name, fn in (("bfs find_many", groups.transitive_group_ids), ("naive per-group", naive)):
            with services.store.transaction(write=False) as tx:
                start = time.perf_counter()
                for _ in range(args.rounds):
                    found = fn(tx, tid, user.id)
                results[name] = (time.perf_counter() - start) / args.rounds
            print(f"{name:16s} {len(found):5d} groups  {results[name] * 1000:8.2f} ms per call")
        print(f"ratio naive/bfs: {results['naive per-group'] / results['bfs find_many']:.1f}x")
        services.store.close()


if __name__ == "__main__":
    main()
