"""The store contract every backend implements and every piece relies on.

Rules of the contract:

- A record is a JSON-serialisable ``dict`` stored under ``(kind.name, key)``
  with a revision ``rev`` that grows on every write of any record (one global
  sequence, so "everything changed after rev N" is a valid question).
- Every read and write happens inside :meth:`Store.transaction`; a write
  transaction either commits whole or leaves nothing behind.
- ``Tx.update(kind, key, fn)`` is read-modify-write: ``fn`` receives the
  current document and returns the new one, and no concurrent writer can slip
  in between (it is how device-code polls and refresh rotation avoid lost
  writes).
- Secondary indexes and unique keys are computed from the document by the
  :class:`Kind`, on every write, so they can never drift from the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

Doc = dict[str, Any]
IndexValues = dict[str, Iterable[str] | str | None]


class StoreError(Exception):
    """Base class of the store's errors."""


class NotFound(StoreError):
    """No record with that kind and key."""


class AlreadyExists(StoreError):
    """The key, or one of the document's unique keys, is taken."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(StoreError):
    """The record changed since the revision the caller read (optimistic check failed)."""


def _no_index(doc: Doc) -> IndexValues:
    return {}


@dataclass(frozen=True)
class Kind:
    """A family of records: its name, its secondary indexes and its unique keys.

    ``index(doc)`` returns ``{index name: value or values}``; ``unique(doc)``
    returns ``{unique key name: value}`` (values are compared exactly, so
    normalise case first where the domain is case-insensitive).
    """

    name: str
    index: Callable[[Doc], IndexValues] = field(default=_no_index, compare=False)
    unique: Callable[[Doc], IndexValues] = field(default=_no_index, compare=False)


@dataclass(frozen=True)
class Record:
    kind: str
    key: str
    doc: Doc
    rev: int


class Tx(Protocol):
    """One transaction.  Methods raise :class:`NotFound`, :class:`AlreadyExists`, :class:`Conflict`."""

    def get(self, kind: Kind, key: str) -> Doc | None: ...

    def get_record(self, kind: Kind, key: str) -> Record | None: ...

    def require(self, kind: Kind, key: str) -> Doc: ...

    def create(self, kind: Kind, key: str, doc: Doc) -> Record: ...

    def put(self, kind: Kind, key: str, doc: Doc, *, expect_rev: int | None = None) -> Record: ...

    def update(self, kind: Kind, key: str, fn: Callable[[Doc], Doc]) -> Record: ...

    def delete(self, kind: Kind, key: str, *, expect_rev: int | None = None) -> Doc: ...

    def find(self, kind: Kind, index: str, value: str) -> list[Record]: ...

    def find_one(self, kind: Kind, unique: str, value: str) -> Record | None: ...

    def count(self, kind: Kind, index: str, value: str) -> int: ...

    def scan(self, kind: Kind, *, prefix: str = "", after_rev: int = 0, limit: int | None = None) -> list[Record]: ...

    def next_sequence(self, name: str) -> int: ...

    def current_rev(self) -> int: ...


class Store(Protocol):
    url: str

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Tx]: ...

    def close(self) -> None: ...


def index_values(values: IndexValues) -> Iterator[tuple[str, str]]:
    """Flatten ``{name: value | [values] | None}`` into unique ``(name, value)`` pairs."""
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, str):
            yield name, value
            continue
        seen: set[str] = set()
        for item in value:
            if item is not None and item not in seen:
                seen.add(item)
                yield name, item
