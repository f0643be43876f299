"""The store contract as named cases; every backend's test module runs them with its own factory.

`CASES` are plain behaviour; `CONCURRENCY_CASES` start threads and check that no write is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from akslocal.store import AlreadyExists, Conflict, Kind, NotFound, Store, StoreError

USER = Kind(
    "test.user",
    index=lambda d: {"group": d.get("groups", []), "tenant": d.get("tenant")},
    unique=lambda d: {"upn": d["upn"].lower()},
)
PLAIN = Kind("test.plain")


def case_create_and_get(store: Store) -> None:
    with store.transaction() as tx:
        record = tx.create(USER, "u1", {"upn": "Alice@x", "groups": ["g1"]})
    assert record.rev > 0
    with store.transaction(write=False) as tx:
        assert tx.get(USER, "u1") == {"upn": "Alice@x", "groups": ["g1"]}
        assert tx.get(USER, "missing") is None
        with pytest.raises(NotFound):
            tx.require(USER, "missing")


def case_create_twice_is_already_exists(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(PLAIN, "k", {"a": 1})
    with pytest.raises(AlreadyExists), store.transaction() as tx:
        tx.create(PLAIN, "k", {"a": 2})
    with store.transaction(write=False) as tx:
        assert tx.get(PLAIN, "k") == {"a": 1}


def case_unique_key_clash_leaves_nothing(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(USER, "u1", {"upn": "alice@x"})
    with pytest.raises(AlreadyExists) as info, store.transaction() as tx:
        tx.create(PLAIN, "side-effect", {"written": True})
        tx.create(USER, "u2", {"upn": "ALICE@x"})
    assert info.value.field == "upn"
    with store.transaction(write=False) as tx:
        assert tx.get(USER, "u2") is None
        assert tx.get(PLAIN, "side-effect") is None, "a failed transaction must leave no half-written record"


def case_unique_key_moves_with_update(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(USER, "u1", {"upn": "old@x"})
        tx.update(USER, "u1", lambda d: {**d, "upn": "new@x"})
        tx.create(USER, "u2", {"upn": "old@x"})
        assert tx.find_one(USER, "upn", "new@x").key == "u1"
        assert tx.find_one(USER, "upn", "old@x").key == "u2"


def case_index_follows_document(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(USER, "u1", {"upn": "a@x", "groups": ["g1", "g2", "g2"]})
        tx.create(USER, "u2", {"upn": "b@x", "groups": ["g2"]})
    with store.transaction() as tx:
        assert [r.key for r in tx.find(USER, "group", "g2")] == ["u1", "u2"]
        assert tx.count(USER, "group", "g2") == 2
        tx.update(USER, "u1", lambda d: {**d, "groups": ["g3"]})
        assert [r.key for r in tx.find(USER, "group", "g2")] == ["u2"]
        assert [r.key for r in tx.find_many(USER, "group", ["g3", "g2"])] == ["u1", "u2"]
        tx.delete(USER, "u2")
        assert tx.find(USER, "group", "g2") == []
        assert tx.find_one(USER, "upn", "b@x") is None


def case_find_many_large_value_list(store: Store) -> None:
    with store.transaction() as tx:
        for i in range(1200):
            tx.create(PLAIN, f"k{i:05d}", {"i": i})
        tx.create(USER, "u", {"upn": "u@x", "groups": [f"g{i}" for i in range(1200)]})
    with store.transaction(write=False) as tx:
        assert len(tx.find_many(USER, "group", [f"g{i}" for i in range(1200)])) == 1


def case_put_with_expected_revision(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.put(PLAIN, "k", {"v": 1})
        second = tx.put(PLAIN, "k", {"v": 2}, expect_rev=first.rev)
        assert second.rev > first.rev
        with pytest.raises(Conflict):
            tx.put(PLAIN, "k", {"v": 3}, expect_rev=first.rev)
        with pytest.raises(Conflict):
            tx.delete(PLAIN, "k", expect_rev=first.rev)


def case_update_and_delete_missing(store: Store) -> None:
    with store.transaction() as tx:
        with pytest.raises(NotFound):
            tx.update(PLAIN, "nope", lambda d: d)
        with pytest.raises(NotFound):
            tx.delete(PLAIN, "nope")


def case_scan_by_prefix_is_literal(store: Store) -> None:
    with store.transaction() as tx:
        for key in ("c1/ns/a", "c1/ns/b", "c1/nt/a", "c10/ns/a", "c1%/x", "c1_/y"):
            tx.create(PLAIN, key, {"k": key})
    with store.transaction(write=False) as tx:
        assert [r.key for r in tx.scan(PLAIN, prefix="c1/ns/")] == ["c1/ns/a", "c1/ns/b"]
        assert [r.key for r in tx.scan(PLAIN, prefix="c1%")] == ["c1%/x"]
        assert [r.key for r in tx.scan(PLAIN, prefix="c1/", limit=2)] == ["c1/ns/a", "c1/ns/b"]


def case_scan_after_revision_in_write_order(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(PLAIN, "b", {})
        mark = tx.current_rev()
        tx.create(PLAIN, "z", {})
        tx.put(PLAIN, "b", {"again": True})
    with store.transaction(write=False) as tx:
        assert [r.key for r in tx.scan(PLAIN, after_rev=mark)] == ["z", "b"]


def case_sequences_are_independent(store: Store) -> None:
    with store.transaction() as tx:
        assert [tx.next_sequence("a"), tx.next_sequence("a"), tx.next_sequence("b")] == [1, 2, 1]


def case_read_only_transaction_refuses_writes(store: Store) -> None:
    with pytest.raises(StoreError), store.transaction(write=False) as tx:
        tx.put(PLAIN, "k", {})


def case_hostile_keys_and_values(store: Store) -> None:
    nasty = "'; DROP TABLE records; -- ünïcødé 🚀 \\ % _"
    with store.transaction() as tx:
        tx.create(USER, nasty, {"upn": nasty, "groups": [nasty], "text": "\x00-free but \u2028 odd"})
    with store.transaction(write=False) as tx:
        assert tx.get(USER, nasty)["upn"] == nasty
        assert tx.find(USER, "group", nasty)[0].key == nasty
        assert tx.find_one(USER, "upn", nasty.lower()).key == nasty


def case_exception_in_body_rolls_back(store: Store) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as tx:
        tx.create(PLAIN, "k", {})
        raise Boom
    with store.transaction(write=False) as tx:
        assert tx.get(PLAIN, "k") is None


def concurrency_case_no_lost_updates(store: Store) -> None:
    with store.transaction() as tx:
        tx.create(PLAIN, "counter", {"n": 0})
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(25):
                with store.transaction() as tx:
                    tx.update(PLAIN, "counter", lambda d: {"n": d["n"] + 1})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store.transaction(write=False) as tx:
        assert tx.get(PLAIN, "counter") == {"n": 200}


def concurrency_case_unique_race_has_one_winner(store: Store) -> None:
    winners: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            with store.transaction() as tx:
                tx.create(USER, f"u{i}", {"upn": "same@x"})
            with lock:
                winners.append(f"u{i}")
        except AlreadyExists:
            pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    with store.transaction(write=False) as tx:
        assert tx.find_one(USER, "upn", "same@x").key == winners[0]


def _named(prefix: str) -> list:
    return [pytest.param(fn, id=name.removeprefix(prefix)) for name, fn in sorted(globals().items())
            if name.startswith(prefix) and callable(fn)]


CASES: list = _named("case_")
CONCURRENCY_CASES: list = _named("concurrency_case_")


# A backend's test module supplies only a ``store`` fixture and imports these two.
@pytest.mark.parametrize("case", CASES)
def test_contract(store: Store, case: Callable[[Store], None]) -> None:
    case(store)


@pytest.mark.parametrize("case", CONCURRENCY_CASES)
def test_concurrency(store: Store, case: Callable[[Store], None]) -> None:
    case(store)
