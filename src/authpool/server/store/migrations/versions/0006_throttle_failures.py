"""Failed sign-in attempts shared by every server process when no Redis is configured
(store/throttle.py, limiters/store.py, docs/deploy.md): one row per failure, keyed by an HMAC of
the throttle key (no personal data), time in epoch milliseconds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_failures")),
    )
    op.create_index("ix_throttle_failures_key_hash_at_ms", "throttle_failures", ["key_hash", "at_ms"])
    op.create_index("ix_throttle_failures_at_ms", "throttle_failures", ["at_ms"])


def downgrade() -> None:
    op.drop_index("ix_throttle_failures_at_ms", table_name="throttle_failures")
    op.drop_index("ix_throttle_failures_key_hash_at_ms", table_name="throttle_failures")
    op.drop_table("throttle_failures")
