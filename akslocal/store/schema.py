"""The SQL tables behind the store contract (the Alembic migrations create them)."""

from sqlalchemy import BigInteger, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("rev", BigInteger, nullable=False),
    Index("ix_records_kind_rev", "kind", "rev"),
)

record_index = Table(
    "record_index",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(512), primary_key=True),
    Column("key", String(512), primary_key=True),
    Index("ix_record_index_owner", "kind", "key"),
)

record_unique = Table(
    "record_unique",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(512), primary_key=True),
    Column("key", String(512), nullable=False),
    Index("ix_record_unique_owner", "kind", "key"),
)

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
