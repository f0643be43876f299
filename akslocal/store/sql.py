"""The SQL store: SQLite (WAL) by default, PostgreSQL by URL, one code path.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so writers queue on
the database lock instead of failing half-way; PostgreSQL read-modify-write
takes ``SELECT … FOR UPDATE`` on the row.  Both take the global revision from
one sequence row, which orders every write.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from akslocal.store.protocol import (
    AlreadyExists,
    Conflict,
    Doc,
    Kind,
    NotFound,
    Record,
    StoreError,
    index_values,
)
from akslocal.store.schema import record_index, record_unique, records, sequences

_REV = "__rev__"
_MIGRATIONS = Path(__file__).with_name("migrations")
_migrate_lock = threading.Lock()


def _dumps(doc: Doc) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


class SqlTx:
    """A transaction on one connection (see :class:`akslocal.store.protocol.Tx`)."""

    def __init__(self, conn: Connection, *, postgres: bool, write: bool) -> None:
        self._conn = conn
        self._postgres = postgres
        self._write = write

    # -- reads -------------------------------------------------------------
    def get_record(self, kind: Kind, key: str) -> Record | None:
        row = self._conn.execute(
            select(records.c.doc, records.c.rev).where(records.c.kind == kind.name, records.c.key == key)
        ).first()
        return None if row is None else Record(kind.name, key, json.loads(row.doc), row.rev)

    def get(self, kind: Kind, key: str) -> Doc | None:
        record = self.get_record(kind, key)
        return None if record is None else record.doc

    def require(self, kind: Kind, key: str) -> Doc:
        doc = self.get(kind, key)
        if doc is None:
            raise NotFound(f"{kind.name} {key!r} not found")
        return doc

    def find(self, kind: Kind, index: str, value: str) -> list[Record]:
        return self.find_many(kind, index, [value])

    def find_many(self, kind: Kind, index: str, values: Iterable[str]) -> list[Record]:
        wanted = list(dict.fromkeys(values))
        found: list[Record] = []
        seen: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._conn.execute(
                select(records.c.key, records.c.doc, records.c.rev)
                .join(
                    record_index,
                    and_(record_index.c.kind == records.c.kind, record_index.c.key == records.c.key),
                )
                .where(
                    record_index.c.kind == kind.name,
                    record_index.c.name == index,
                    record_index.c.value.in_(chunk),
                )
                .distinct()
                .order_by(records.c.key)
            )
            for r in rows:
                if r.key not in seen:
                    seen.add(r.key)
                    found.append(Record(kind.name, r.key, json.loads(r.doc), r.rev))
        found.sort(key=lambda record: record.key)
        return found

    def count(self, kind: Kind, index: str, value: str) -> int:
        return int(
            self._conn.execute(
                select(func.count())
                .select_from(record_index)
                .where(
                    record_index.c.kind == kind.name,
                    record_index.c.name == index,
                    record_index.c.value == value,
                )
            ).scalar_one()
        )

    def find_one(self, kind: Kind, unique: str, value: str) -> Record | None:
        key = self._conn.execute(
            select(record_unique.c.key).where(
                record_unique.c.kind == kind.name,
                record_unique.c.name == unique,
                record_unique.c.value == value,
            )
        ).scalar_one_or_none()
        return None if key is None else self.get_record(kind, key)

    def scan(self, kind: Kind, *, prefix: str = "", after_rev: int = 0, limit: int | None = None) -> list[Record]:
        query = select(records.c.key, records.c.doc, records.c.rev).where(records.c.kind == kind.name)
        if prefix:
            # Range on the primary key instead of LIKE, so '%' and '_' in keys mean nothing.
            query = query.where(records.c.key >= prefix, records.c.key < prefix + "\U0010ffff")
        if after_rev:
            query = query.where(records.c.rev > after_rev).order_by(records.c.rev)
        else:
            query = query.order_by(records.c.key)
        if limit is not None:
            query = query.limit(limit)
        return [Record(kind.name, r.key, json.loads(r.doc), r.rev) for r in self._conn.execute(query)]

    def current_rev(self) -> int:
        value = self._conn.execute(select(sequences.c.value).where(sequences.c.name == _REV)).scalar_one_or_none()
        return int(value or 0)

    # -- writes ------------------------------------------------------------
    def next_sequence(self, name: str) -> int:
        self._require_write()
        value = self._conn.execute(
            update(sequences)
            .where(sequences.c.name == name)
            .values(value=sequences.c.value + 1)
            .returning(sequences.c.value)
        ).scalar_one_or_none()
        if value is None:
            try:
                with self._conn.begin_nested():
                    self._conn.execute(insert(sequences).values(name=name, value=1))
                value = 1
            except IntegrityError:
                return self.next_sequence(name)
        return int(value)

    def create(self, kind: Kind, key: str, doc: Doc) -> Record:
        self._require_write()
        if self.get_record(kind, key) is not None:
            raise AlreadyExists(f"{kind.name} {key!r} already exists")
        return self._write_doc(kind, key, doc, existed=False)

    def put(self, kind: Kind, key: str, doc: Doc, *, expect_rev: int | None = None) -> Record:
        self._require_write()
        current = self._locked(kind, key)
        if expect_rev is not None and (current is None or current.rev != expect_rev):
            raise Conflict(f"{kind.name} {key!r} was modified")
        return self._write_doc(kind, key, doc, existed=current is not None)

    def update(self, kind: Kind, key: str, fn: Callable[[Doc], Doc]) -> Record:
        self._require_write()
        current = self._locked(kind, key)
        if current is None:
            raise NotFound(f"{kind.name} {key!r} not found")
        return self._write_doc(kind, key, fn(current.doc), existed=True)

    def delete(self, kind: Kind, key: str, *, expect_rev: int | None = None) -> Doc:
        self._require_write()
        current = self._locked(kind, key)
        if current is None:
            raise NotFound(f"{kind.name} {key!r} not found")
        if expect_rev is not None and current.rev != expect_rev:
            raise Conflict(f"{kind.name} {key!r} was modified")
        self._conn.execute(delete(records).where(records.c.kind == kind.name, records.c.key == key))
        self._clear_indexes(kind, key)
        self.next_sequence(_REV)
        return current.doc

    # -- internals ---------------------------------------------------------
    def _require_write(self) -> None:
        if not self._write:
            raise StoreError("write in a read-only transaction")

    def _locked(self, kind: Kind, key: str) -> Record | None:
        query = select(records.c.doc, records.c.rev).where(records.c.kind == kind.name, records.c.key == key)
        if self._postgres:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return None if row is None else Record(kind.name, key, json.loads(row.doc), row.rev)

    def _clear_indexes(self, kind: Kind, key: str) -> None:
        self._conn.execute(delete(record_index).where(record_index.c.kind == kind.name, record_index.c.key == key))
        self._conn.execute(delete(record_unique).where(record_unique.c.kind == kind.name, record_unique.c.key == key))

    def _write_doc(self, kind: Kind, key: str, doc: Doc, *, existed: bool) -> Record:
        body = _dumps(doc)
        uniques = list(index_values(kind.unique(doc)))
        for name, value in uniques:
            owner = self._conn.execute(
                select(record_unique.c.key).where(
                    record_unique.c.kind == kind.name,
                    record_unique.c.name == name,
                    record_unique.c.value == value,
                )
            ).scalar_one_or_none()
            if owner is not None and owner != key:
                raise AlreadyExists(f"{kind.name} with {name} {value!r} already exists", field=name)
        rev = self.next_sequence(_REV)
        try:
            if existed:
                self._conn.execute(
                    update(records).where(records.c.kind == kind.name, records.c.key == key).values(doc=body, rev=rev)
                )
                self._clear_indexes(kind, key)
            else:
                self._conn.execute(insert(records).values(kind=kind.name, key=key, doc=body, rev=rev))
            rows = [{"kind": kind.name, "name": n, "value": v, "key": key} for n, v in index_values(kind.index(doc))]
            if rows:
                self._conn.execute(insert(record_index), rows)
            if uniques:
                self._conn.execute(
                    insert(record_unique), [{"kind": kind.name, "name": n, "value": v, "key": key} for n, v in uniques]
                )
        except IntegrityError as exc:  # a concurrent writer won the race for a key
            raise AlreadyExists(f"{kind.name} {key!r} conflicts with a concurrent write") from exc
        return Record(kind.name, key, doc, rev)


class SqlStore:
    """:class:`akslocal.store.protocol.Store` over SQLAlchemy."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")
        self.engine = self._engine(url)
        self._migrate()

    def _engine(self, url: str) -> Engine:
        if self.postgres:
            return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise StoreError("use a file for SQLite (WAL needs one)")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

        return engine

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with _migrate_lock, self.engine.connect() as conn:
            if self.postgres:
                # One migrator at a time when several processes share a database.
                conn.exec_driver_sql("SELECT pg_advisory_lock(715517)")
            else:
                # Same for SQLite: the write lock up front.  A deferred transaction that reads the
                # version table and then writes gets SQLITE_BUSY at once (no busy wait) when another
                # process migrates the same new file at the same moment.
                conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
            if self.postgres:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(715517)")
                conn.commit()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[SqlTx]:
        with self.engine.connect() as conn:
            if not self.postgres:
                # IMMEDIATE takes the write lock up front: writers queue (busy_timeout) instead of
                # failing at their first write with SQLITE_BUSY after having read stale data.
                conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE" if write else "BEGIN")
            with conn.begin():
                yield SqlTx(conn, postgres=self.postgres, write=write)

    def close(self) -> None:
        self.engine.dispose()
