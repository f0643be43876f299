"""Concurrent writers through the directory: unique rules hold and no membership is lost."""

from __future__ import annotations

import threading

from akslocal.directory import apps, groups
from akslocal.directory.errors import DirectoryError


def run_all(workers) -> list:
    results: list = [None] * len(workers)
    barrier = threading.Barrier(len(workers))

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_one_identifier_uri_wins_a_race(d) -> None:
    def create(i):
        def go():
            with d.tx() as tx:
                return apps.create_application(
                    tx,
                    d.tid,
                    {"display_name": f"racer{i}", "identifier_uris": ("https://contested",)},
                    now=1,
                    entropy=d.s.entropy,
                )

        return go

    results = run_all([create(i) for i in range(4)])
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, DirectoryError) for r in results if r not in winners), results
    with d.tx(False) as tx:
        assert [a.display_name for a in apps.list_applications(tx, d.tid)] == [winners[0].display_name]


def test_concurrent_member_adds_are_all_kept(d) -> None:
    people = [d.user(f"p{i}") for i in range(6)]
    with d.tx() as tx:
        group = groups.create_group(tx, d.tid, display_name="busy", now=1, entropy=d.s.entropy)

    def add(user_id):
        def go():
            with d.tx() as tx:
                return groups.add_member(tx, d.tid, group.id, user_id)

        return go

    results = run_all([add(p.id) for p in people])
    assert not [r for r in results if isinstance(r, Exception)], results
    with d.tx(False) as tx:
        assert {m.member_id for m in groups.members(tx, d.tid, group.id)} == {p.id for p in people}
