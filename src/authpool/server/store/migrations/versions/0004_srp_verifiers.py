"""SRP sign-in: each user's salt and encrypted verifier, and the PASSWORD_VERIFIER challenges already
answered (store/srp.py, docs/srp.md).

Users whose password was set before this migration have no verifier: SRP sign-in refuses them
(NotAuthorized) until their next password sign-in or password change writes one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_srp_verifiers",
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("verifier", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_sub"], ["users.sub"], name=op.f("fk_user_srp_verifiers_user_sub_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"],
                                name=op.f("fk_user_srp_verifiers_pool_id_user_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_sub", name=op.f("pk_user_srp_verifiers")),
    )
    op.create_table(
        "srp_challenges_used",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"],
                                name=op.f("fk_srp_challenges_used_pool_id_user_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_srp_challenges_used")),
    )
    op.create_index("ix_srp_challenges_used_expires_at", "srp_challenges_used", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_srp_challenges_used_expires_at", table_name="srp_challenges_used")
    op.drop_table("srp_challenges_used")
    op.drop_table("user_srp_verifiers")
