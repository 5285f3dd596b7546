"""User codes (the outbox): sign-up confirmation and forgot-password codes, encrypted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_codes",
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("code", sa.LargeBinary(), nullable=False),
        sa.Column("attribute_name", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_sub"], ["users.sub"], name=op.f("fk_user_codes_user_sub_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"], name=op.f("fk_user_codes_pool_id_user_pools"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_sub", "purpose", name=op.f("pk_user_codes")),
    )
    op.create_index("ix_user_codes_pool_created", "user_codes", ["pool_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_user_codes_pool_created", table_name="user_codes")
    op.drop_table("user_codes")
