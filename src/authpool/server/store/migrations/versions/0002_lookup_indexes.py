"""Indexes for attribute-value lookups and for the cascades into auth_codes.

- ``user_attributes.value``: exact lookups (sign-in by e-mail alias, ListUsers ``=``). A hash index on
  PostgreSQL, because values (up to 2048 characters) can exceed a btree entry's size limit.
- ``auth_codes.client_id`` / ``pool_id`` / ``origin_jti``: deleting a client, a pool or a token family
  (purge) finds the dependent codes without scanning the table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_user_attributes_value", "user_attributes", ["value"], postgresql_using="hash")
    op.create_index("ix_auth_codes_client_id", "auth_codes", ["client_id"])
    op.create_index("ix_auth_codes_pool_id", "auth_codes", ["pool_id"])
    op.create_index("ix_auth_codes_origin_jti", "auth_codes", ["origin_jti"])


def downgrade() -> None:
    op.drop_index("ix_auth_codes_origin_jti", table_name="auth_codes")
    op.drop_index("ix_auth_codes_pool_id", table_name="auth_codes")
    op.drop_index("ix_auth_codes_client_id", table_name="auth_codes")
    op.drop_index("ix_user_attributes_value", table_name="user_attributes")
