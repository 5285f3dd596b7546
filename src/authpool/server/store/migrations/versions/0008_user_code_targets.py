"""User codes that verify an attribute (GetUserAttributeVerificationCode, UpdateUserAttributes;
pool/attribute_verification.py): the value the code was sent to, encrypted, and whether it is a
pending value that takes effect only once verified (the pool's
``UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_codes") as batch:
        batch.add_column(sa.Column("target", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_codes") as batch:
        batch.drop_column("pending")
        batch.drop_column("target")
