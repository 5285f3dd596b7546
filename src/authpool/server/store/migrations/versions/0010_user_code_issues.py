"""A log of the codes issued to each user (store/codes.py ``user_code_issues``), so that the number of
codes a user can be sent for one purpose within a window is bounded (pool/codes.py ``IssueBound``):
one row per code, a keyed hash of who and what for, and when. Starts empty: codes issued before this
revision do not count.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_code_issues",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_code_issues")),
    )
    op.create_index("ix_user_code_issues_key_hash_at", "user_code_issues", ["key_hash", "at"])
    op.create_index("ix_user_code_issues_at", "user_code_issues", ["at"])


def downgrade() -> None:
    op.drop_index("ix_user_code_issues_at", table_name="user_code_issues")
    op.drop_index("ix_user_code_issues_key_hash_at", table_name="user_code_issues")
    op.drop_table("user_code_issues")
