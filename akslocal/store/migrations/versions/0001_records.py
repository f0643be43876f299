"""Records, their indexes and unique keys, and named sequences.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("rev", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_records_kind_rev", "records", ["kind", "rev"])
    op.create_table(
        "record_index",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(512), primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
    )
    op.create_index("ix_record_index_owner", "record_index", ["kind", "key"])
    op.create_table(
        "record_unique",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(512), primary_key=True),
        sa.Column("key", sa.String(512), nullable=False),
    )
    op.create_index("ix_record_unique_owner", "record_unique", ["kind", "key"])
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("sequences", "record_unique", "record_index", "records"):
        op.drop_table(table)
