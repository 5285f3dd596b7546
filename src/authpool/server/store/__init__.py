"""The user-pool store: SQLAlchemy models, repositories and Alembic migrations.

    db = Database.from_url(url, master_key=key)   # or Database.from_url(data_dir=...) for SQLite
    db.migrate()
    with db.transaction() as tx:                  # commit on success, rollback on any exception
        pool = tx.pools.require(pool_id)
        user = tx.users.get(pool_id, "alice")

Repositories return frozen records (``records.py``), never ORM objects. Times are integer epoch
seconds (UTC). See ``models.py`` for the conventions of the schema.
"""

from .db import Database, UnitOfWork, default_url, normalize_url
from .records import (
    AttributeSchemaRecord,
    AuditEventRecord,
    AuthCodeRecord,
    ClientRecord,
    GroupRecord,
    KeyPurpose,
    KeyState,
    Page,
    PoolRecord,
    RefreshTokenRecord,
    ResourceServerRecord,
    SigningKeyRecord,
    TokenFamilyRecord,
    UserRecord,
    UserStatus,
)
from .tokens import CodeResult, CodeState, RefreshResult, RefreshState
from .userfilter import UserFilter, parse_user_filter

__all__ = [
    "AttributeSchemaRecord",
    "AuditEventRecord",
    "AuthCodeRecord",
    "ClientRecord",
    "CodeResult",
    "CodeState",
    "Database",
    "GroupRecord",
    "KeyPurpose",
    "KeyState",
    "Page",
    "PoolRecord",
    "RefreshResult",
    "RefreshState",
    "RefreshTokenRecord",
    "ResourceServerRecord",
    "SigningKeyRecord",
    "TokenFamilyRecord",
    "UnitOfWork",
    "UserFilter",
    "UserRecord",
    "UserStatus",
    "default_url",
    "normalize_url",
    "parse_user_filter",
]
