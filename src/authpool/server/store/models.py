"""SQLAlchemy models: the schema of the user-pool store.

Conventions, the same on SQLite and PostgreSQL:
- **Time is integer epoch seconds (UTC)** in ``BIGINT`` columns named ``*_at`` (plus
  ``auth_time``, ``remove_after``, ``tokens_valid_after``). Integers compare and index the same on
  both databases, need no timezone handling and are what JWT ``iat``/``exp``/``auth_time`` use.
- Settings whose shape follows Cognito's API are stored as JSON (JSONB on PostgreSQL) with Cognito's
  PascalCase member names, so the JSON API can hand them through unchanged.
- Secrets are never stored in clear: client secrets and private JWKs are AES-GCM blobs under the
  master key (``authpool.server.secrets``); refresh tokens and authorization codes are stored only as
  the hex SHA-256 of the opaque value.
- Child rows are removed with their parent (``ON DELETE CASCADE``): deleting a user drops their
  attributes, group memberships, token families, refresh tokens and codes; deleting a pool drops
  everything in it. Audit events outlive what they describe (no foreign key).

The schema is created by the Alembic migrations in ``migrations/``; a test checks that the
migrated database matches these models exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = JSON().with_variant(JSONB(), "postgresql")
# BIGINT autoincrement on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _pool_fk() -> Any:
    return ForeignKey("user_pools.id", ondelete="CASCADE")


class UserPool(Base):
    __tablename__ = "user_pools"

    id: Mapped[str] = mapped_column(String(55), primary_key=True)  # us-east-1_AbC123xyZ
    name: Mapped[str] = mapped_column(String(128))
    settings: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class AttributeSchema(Base):
    __tablename__ = "attribute_schema"

    pool_id: Mapped[str] = mapped_column(_pool_fk(), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # "email", "custom:tenant"
    type: Mapped[str] = mapped_column(String(16))  # String | Number | Boolean | DateTime
    mutable: Mapped[bool] = mapped_column(Boolean)
    developer_only: Mapped[bool] = mapped_column(Boolean)
    required: Mapped[bool] = mapped_column(Boolean)
    constraints: Mapped[dict[str, Any]] = mapped_column(Json)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_pool_username_key", "pool_id", "username_key", unique=True),
        Index("ix_users_pool_created", "pool_id", "created_at", "sub"),  # keyset pagination
    )

    sub: Mapped[str] = mapped_column(String(36), primary_key=True)
    pool_id: Mapped[str] = mapped_column(_pool_fk())
    username: Mapped[str] = mapped_column(String(128))
    username_key: Mapped[str] = mapped_column(String(128))  # username.lower(): one account per name
    password_hash: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean)
    temporary_password_expires_at: Mapped[int | None] = mapped_column(BigInteger)
    tokens_valid_after: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class UserAttribute(Base):
    __tablename__ = "user_attributes"
    __table_args__ = (
        # Exact lookups by value (sign-in by e-mail alias, ListUsers "="). A hash index on
        # PostgreSQL: values may be up to 2048 characters, beyond a btree entry's size limit.
        Index("ix_user_attributes_value", "value", postgresql_using="hash"),
    )

    user_sub: Mapped[str] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (Index("uq_groups_pool_name", "pool_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(_pool_fk())
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(2048))
    precedence: Mapped[int | None] = mapped_column(Integer)
    role_arn: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_sub: Mapped[str] = mapped_column(
        ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True, index=True
    )


class AppClient(Base):
    __tablename__ = "app_clients"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(_pool_fk(), index=True)
    name: Mapped[str] = mapped_column(String(128))
    client_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, "client-secret:<id>"
    settings: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class ResourceServer(Base):
    __tablename__ = "resource_servers"

    pool_id: Mapped[str] = mapped_column(_pool_fk(), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(256), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    scopes: Mapped[list[dict[str, str]]] = mapped_column(Json)
    settings: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class SigningKey(Base):
    __tablename__ = "signing_keys"
    __table_args__ = (
        Index("ix_signing_keys_pool_purpose_state", "pool_id", "purpose", "state"),
        # At most one active key per pool and purpose; rotation retires the old one first.
        Index(
            "uq_signing_keys_one_active",
            "pool_id",
            "purpose",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    kid: Mapped[str] = mapped_column(String(128), primary_key=True)
    pool_id: Mapped[str] = mapped_column(_pool_fk())
    purpose: Mapped[str] = mapped_column(String(16))  # id | access
    alg: Mapped[str] = mapped_column(String(16))  # RS256 | ES256 | EdDSA
    private_jwk: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, "signing-key:<kid>"
    public_jwk: Mapped[dict[str, Any]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16))  # next | active | retired
    created_at: Mapped[int] = mapped_column(BigInteger)
    activated_at: Mapped[int | None] = mapped_column(BigInteger)
    retired_at: Mapped[int | None] = mapped_column(BigInteger)
    remove_after: Mapped[int | None] = mapped_column(BigInteger)


class TokenFamily(Base):
    """One sign-in session: every token issued from it carries ``origin_jti`` (COGNITO.md §1.3)."""

    __tablename__ = "token_families"

    origin_jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(_pool_fk(), index=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("app_clients.client_id", ondelete="CASCADE"), index=True
    )
    user_sub: Mapped[str | None] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), index=True)
    auth_time: Mapped[int] = mapped_column(BigInteger)
    scopes: Mapped[list[str]] = mapped_column(Json)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex SHA-256
    origin_jti: Mapped[str] = mapped_column(
        ForeignKey("token_families.origin_jti", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(128))
    user_sub: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    rotated_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class AuthCode(Base):
    __tablename__ = "auth_codes"
    __table_args__ = (
        ForeignKeyConstraint(["client_id"], ["app_clients.client_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["user_sub"], ["users.sub"], ondelete="CASCADE"),
        ForeignKeyConstraint(["origin_jti"], ["token_families.origin_jti"], ondelete="SET NULL"),
        # the cascades from clients, pools and families look codes up by these
        Index("ix_auth_codes_client_id", "client_id"),
        Index("ix_auth_codes_pool_id", "pool_id"),
        Index("ix_auth_codes_origin_jti", "origin_jti"),
    )

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex SHA-256
    pool_id: Mapped[str] = mapped_column(_pool_fk())
    client_id: Mapped[str] = mapped_column(String(128))
    user_sub: Mapped[str] = mapped_column(String(36), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(Json)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    resource: Mapped[str | None] = mapped_column(Text)
    auth_time: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    consumed_at: Mapped[int | None] = mapped_column(BigInteger)
    origin_jti: Mapped[str | None] = mapped_column(String(64))


class AuditEvent(Base):
    """What happened, never the secret itself: no passwords, tokens, codes, secrets or PII."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_pool_at", "pool_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pool_id: Mapped[str | None] = mapped_column(String(55))
    at: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(256))
    target: Mapped[str | None] = mapped_column(String(256))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)
