"""Initial schema: pools, attribute schema, users, groups, clients, resource servers, signing keys,
token families, refresh tokens, authorization codes, audit events.

Times are integer epoch seconds (BIGINT). Self-contained on purpose: it does not import the models,
so later model changes never rewrite history.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.BigInteger


def _pool_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["pool_id"], ["user_pools.id"], name=op.f(f"fk_{table}_pool_id_user_pools"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "user_pools",
        sa.Column("id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_pools")),
    )
    op.create_table(
        "attribute_schema",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("mutable", sa.Boolean(), nullable=False),
        sa.Column("developer_only", sa.Boolean(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("constraints", JSON, nullable=False),
        _pool_fk("attribute_schema"),
        sa.PrimaryKeyConstraint("pool_id", "name", name=op.f("pk_attribute_schema")),
    )
    op.create_table(
        "users",
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("username_key", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("temporary_password_expires_at", TIME(), nullable=True),
        sa.Column("tokens_valid_after", TIME(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _pool_fk("users"),
        sa.PrimaryKeyConstraint("sub", name=op.f("pk_users")),
    )
    op.create_index("uq_users_pool_username_key", "users", ["pool_id", "username_key"], unique=True)
    op.create_index("ix_users_pool_created", "users", ["pool_id", "created_at", "sub"])
    op.create_table(
        "user_attributes",
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_sub"], ["users.sub"], name=op.f("fk_user_attributes_user_sub_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_sub", "name", name=op.f("pk_user_attributes")),
    )
    op.create_table(
        "groups",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.String(2048), nullable=True),
        sa.Column("precedence", sa.Integer(), nullable=True),
        sa.Column("role_arn", sa.String(2048), nullable=True),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _pool_fk("groups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    op.create_index("uq_groups_pool_name", "groups", ["pool_id", "name"], unique=True)
    op.create_table(
        "group_members",
        sa.Column("group_id", BIG_ID, nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_members_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_sub"], ["users.sub"], name=op.f("fk_group_members_user_sub_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_sub", name=op.f("pk_group_members")),
    )
    op.create_index(op.f("ix_group_members_user_sub"), "group_members", ["user_sub"])
    op.create_table(
        "app_clients",
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("client_secret", sa.LargeBinary(), nullable=True),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _pool_fk("app_clients"),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_app_clients")),
    )
    op.create_index(op.f("ix_app_clients_pool_id"), "app_clients", ["pool_id"])
    op.create_table(
        "resource_servers",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("identifier", sa.String(256), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _pool_fk("resource_servers"),
        sa.PrimaryKeyConstraint("pool_id", "identifier", name=op.f("pk_resource_servers")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(128), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("private_jwk", sa.LargeBinary(), nullable=False),
        sa.Column("public_jwk", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("activated_at", TIME(), nullable=True),
        sa.Column("retired_at", TIME(), nullable=True),
        sa.Column("remove_after", TIME(), nullable=True),
        _pool_fk("signing_keys"),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_index("ix_signing_keys_pool_purpose_state", "signing_keys", ["pool_id", "purpose", "state"])
    op.create_index(
        "uq_signing_keys_one_active",
        "signing_keys",
        ["pool_id", "purpose"],
        unique=True,
        sqlite_where=sa.text("state = 'active'"),
        postgresql_where=sa.text("state = 'active'"),
    )
    op.create_table(
        "token_families",
        sa.Column("origin_jti", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=True),
        sa.Column("auth_time", TIME(), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("revoked_at", TIME(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["app_clients.client_id"],
            name=op.f("fk_token_families_client_id_app_clients"),
            ondelete="CASCADE",
        ),
        _pool_fk("token_families"),
        sa.ForeignKeyConstraint(
            ["user_sub"], ["users.sub"], name=op.f("fk_token_families_user_sub_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("origin_jti", name=op.f("pk_token_families")),
    )
    op.create_index(op.f("ix_token_families_client_id"), "token_families", ["client_id"])
    op.create_index(op.f("ix_token_families_pool_id"), "token_families", ["pool_id"])
    op.create_index(op.f("ix_token_families_user_sub"), "token_families", ["user_sub"])
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("origin_jti", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=True),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("expires_at", TIME(), nullable=False),
        sa.Column("rotated_at", TIME(), nullable=True),
        sa.Column("revoked_at", TIME(), nullable=True),
        sa.ForeignKeyConstraint(
            ["origin_jti"],
            ["token_families.origin_jti"],
            name=op.f("fk_refresh_tokens_origin_jti_token_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(op.f("ix_refresh_tokens_expires_at"), "refresh_tokens", ["expires_at"])
    op.create_index(op.f("ix_refresh_tokens_origin_jti"), "refresh_tokens", ["origin_jti"])
    op.create_table(
        "auth_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(128), nullable=True),
        sa.Column("code_challenge_method", sa.String(16), nullable=True),
        sa.Column("resource", sa.Text(), nullable=True),
        sa.Column("auth_time", TIME(), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("expires_at", TIME(), nullable=False),
        sa.Column("consumed_at", TIME(), nullable=True),
        sa.Column("origin_jti", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["app_clients.client_id"],
            name=op.f("fk_auth_codes_client_id_app_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["origin_jti"],
            ["token_families.origin_jti"],
            name=op.f("fk_auth_codes_origin_jti_token_families"),
            ondelete="SET NULL",
        ),
        _pool_fk("auth_codes"),
        sa.ForeignKeyConstraint(
            ["user_sub"], ["users.sub"], name=op.f("fk_auth_codes_user_sub_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_auth_codes")),
    )
    op.create_index(op.f("ix_auth_codes_expires_at"), "auth_codes", ["expires_at"])
    op.create_index(op.f("ix_auth_codes_user_sub"), "auth_codes", ["user_sub"])
    op.create_table(
        "audit_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=True),
        sa.Column("at", TIME(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(256), nullable=True),
        sa.Column("target", sa.String(256), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_pool_at", "audit_events", ["pool_id", "at"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "auth_codes",
        "refresh_tokens",
        "token_families",
        "signing_keys",
        "resource_servers",
        "app_clients",
        "group_members",
        "groups",
        "user_attributes",
        "users",
        "attribute_schema",
        "user_pools",
    ):
        op.drop_table(table)  # indexes go with their table
