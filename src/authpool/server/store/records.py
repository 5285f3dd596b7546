"""Immutable records the repositories return: plain data, never ORM objects or sessions.

Times are integer epoch seconds (UTC). Fields holding secrets in clear (a decrypted client secret,
a private JWK, a password hash) are left out of ``repr`` so they do not end up in logs by accident.
Mapping fields are fresh copies owned by the record: treat them as read-only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class UserStatus(enum.StrEnum):
    """Cognito ``UserStatusType`` values authpool uses (service-2.json)."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"


class KeyState(enum.StrEnum):
    NEXT = "next"
    ACTIVE = "active"
    RETIRED = "retired"


class KeyPurpose(enum.StrEnum):
    ID = "id"
    ACCESS = "access"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_token`` is opaque and None on the last page."""

    items: list[T]
    next_token: str | None = None


@dataclass(frozen=True, slots=True)
class PoolRecord:
    id: str
    name: str
    settings: dict[str, Any]
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class AttributeSchemaRecord:
    pool_id: str
    name: str  # "email", "custom:tenant"
    type: str  # String | Number | Boolean | DateTime
    mutable: bool
    developer_only: bool
    required: bool
    constraints: dict[str, Any]  # {"MinLength": "1", "MaxLength": "256"} / {"MinValue": .., "MaxValue": ..}


@dataclass(frozen=True, slots=True)
class UserRecord:
    sub: str
    pool_id: str
    username: str
    status: UserStatus
    enabled: bool
    attributes: dict[str, str]  # every value a string, as in Cognito's AttributeType; includes "sub"
    temporary_password_expires_at: int | None
    tokens_valid_after: int
    created_at: int
    updated_at: int
    password_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class GroupRecord:
    pool_id: str
    name: str
    description: str | None
    precedence: int | None
    role_arn: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client_id: str
    pool_id: str
    name: str
    settings: dict[str, Any]  # Cognito UserPoolClientType members (ExplicitAuthFlows, CallbackURLs, ...)
    created_at: int
    updated_at: int
    client_secret: str | None = field(default=None, repr=False)  # decrypted

    @property
    def has_secret(self) -> bool:
        return self.client_secret is not None


@dataclass(frozen=True, slots=True)
class ResourceServerRecord:
    pool_id: str
    identifier: str
    name: str
    scopes: list[dict[str, str]]  # [{"ScopeName": .., "ScopeDescription": ..}]
    settings: dict[str, Any]
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class SigningKeyRecord:
    kid: str
    pool_id: str
    purpose: KeyPurpose
    alg: str
    public_jwk: dict[str, Any]
    state: KeyState
    created_at: int
    activated_at: int | None
    retired_at: int | None
    remove_after: int | None
    private_jwk: dict[str, Any] = field(default_factory=dict, repr=False)  # decrypted


@dataclass(frozen=True, slots=True)
class TokenFamilyRecord:
    origin_jti: str
    pool_id: str
    client_id: str
    user_sub: str | None  # None for client-credentials families
    auth_time: int
    scopes: list[str]
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    token_hash: str
    origin_jti: str
    client_id: str
    user_sub: str | None
    created_at: int
    expires_at: int
    rotated_at: int | None
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class AuthCodeRecord:
    code_hash: str
    pool_id: str
    client_id: str
    user_sub: str
    redirect_uri: str
    scopes: list[str]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    resource: str | None
    auth_time: int
    created_at: int
    expires_at: int
    consumed_at: int | None
    origin_jti: str | None


@dataclass(frozen=True, slots=True)
class AuditEventRecord:
    id: int
    pool_id: str | None
    at: int
    type: str
    actor: str | None
    target: str | None
    detail: dict[str, Any]
