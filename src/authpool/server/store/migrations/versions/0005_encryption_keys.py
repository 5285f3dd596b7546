"""Key-encryption keys of the local key service for encrypted claims (store/encryption_keys.py,
docs/encrypted-claims.md): versioned per pool and resource server, material encrypted under the
master key, at most one active version per pool and audience.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "encryption_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("audience", sa.String(256), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("material", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("retired_at", sa.BigInteger(), nullable=True),
        sa.Column("remove_after", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], name=op.f("fk_encryption_keys_pool_id_user_pools"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_id", "version", name=op.f("pk_encryption_keys")),
    )
    op.create_index("ix_encryption_keys_pool_audience", "encryption_keys", ["pool_id", "audience"])
    op.create_index("uq_encryption_keys_one_active", "encryption_keys", ["pool_id", "audience"], unique=True,
                    sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))


def downgrade() -> None:
    op.drop_index("uq_encryption_keys_one_active", table_name="encryption_keys")
    op.drop_index("ix_encryption_keys_pool_audience", table_name="encryption_keys")
    op.drop_table("encryption_keys")
