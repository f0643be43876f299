"""Persistence for every piece of akslocal.

One contract (:mod:`akslocal.store.protocol`) and one SQL implementation
(:mod:`akslocal.store.sql`) that runs on SQLite (WAL, the default) and on
PostgreSQL.  Records are JSON documents addressed by ``(kind, key)``; a
:class:`Kind` declares the secondary indexes and unique keys of its documents,
so every piece stores its own domain objects without its own tables.
"""

from akslocal.store.protocol import (
    AlreadyExists,
    Conflict,
    Kind,
    NotFound,
    Record,
    Store,
    StoreError,
    Tx,
)

__all__ = [
    "AlreadyExists",
    "Conflict",
    "Kind",
    "NotFound",
    "Record",
    "Store",
    "StoreError",
    "Tx",
    "open_store",
]


def open_store(url: str) -> Store:
    """Open (and migrate) the store at a SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``)."""
    from akslocal.store.sql import SqlStore

    return SqlStore(url)
