"""Software-token (TOTP) MFA: one row per user who has started set-up, with the verified and the pending
secret (each encrypted under the master key), the user's preference and the last time step accepted
(store/mfa.py, pool/mfa.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_software_tokens",
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=True),
        sa.Column("pending_secret", sa.LargeBinary(), nullable=True),
        sa.Column("friendly_name", sa.String(128), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_sub"], ["users.sub"], name=op.f("fk_user_software_tokens_user_sub_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"],
                                name=op.f("fk_user_software_tokens_pool_id_user_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_sub", name=op.f("pk_user_software_tokens")),
    )


def downgrade() -> None:
    op.drop_table("user_software_tokens")
