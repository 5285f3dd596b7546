"""Sign-in aliases match in any case (store/aliases.py, pool/user_lookup.py): ``value_key`` becomes the
hex SHA-256 of the value in lower case (``str.lower``) instead of the value as stored. Cognito pools
with ``CaseSensitive: false`` (authpool's only kind) match e-mail and preferred_username aliases
case-insensitively and keep a case variation off a second user. The attributes keep their values.

Every existing alias row gets the key of its user's current attribute value. Where users of a pool
hold values differing only in case, the earliest created user (then the smallest sub) keeps the alias
and the others lose it (they still sign in with their user name); a warning gives how many per pool
and attribute (pool ids and counts only, no values), as 0007 did. A row whose attribute is gone is
dropped. Downgrade: the exact keys again (values unique in any case are unique exactly).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("authpool.migrate")

_BATCH = 1000

_users = sa.table("users", sa.column("sub", sa.String), sa.column("created_at", sa.BigInteger))
_attributes = sa.table("user_attributes", sa.column("user_sub", sa.String), sa.column("name", sa.String),
                       sa.column("value", sa.Text))
_aliases = sa.table("sign_in_aliases", sa.column("user_sub", sa.String), sa.column("name", sa.String),
                    sa.column("pool_id", sa.String), sa.column("value_key", sa.String))


def _folded(value: str) -> str:
    return hashlib.sha256(value.lower().encode("utf-8")).hexdigest()


def _exact(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def upgrade() -> None:
    _rekey(op.get_bind(), _folded)


def downgrade() -> None:
    _rekey(op.get_bind(), _exact)


def _rekey(conn: sa.Connection, key: Callable[[str], str]) -> None:
    pools = [p for (p,) in conn.execute(sa.select(_aliases.c.pool_id).distinct().order_by(_aliases.c.pool_id))]
    for pool_id in pools:
        rows, duplicates = _pool_rows(conn, pool_id, key)
        conn.execute(_aliases.delete().where(_aliases.c.pool_id == pool_id))
        for start in range(0, len(rows), _BATCH):
            conn.execute(_aliases.insert(), rows[start:start + _BATCH])
        if duplicates:
            log.warning("sign-in aliases differing only in case were kept on the earliest user only",
                        extra={"pool_id": pool_id, "aliases": dict(duplicates)})


def _pool_rows(conn: sa.Connection, pool_id: str,
               key: Callable[[str], str]) -> tuple[list[dict[str, str]], Counter[str]]:
    query = (
        sa.select(_aliases.c.user_sub, _aliases.c.name, _attributes.c.value)
        .join(_users, _users.c.sub == _aliases.c.user_sub)
        .join(_attributes, sa.and_(_attributes.c.user_sub == _aliases.c.user_sub,
                                   _attributes.c.name == _aliases.c.name))
        .where(_aliases.c.pool_id == pool_id)
        .order_by(_users.c.created_at, _users.c.sub, _aliases.c.name)
    )
    taken: set[tuple[str, str]] = set()
    rows: list[dict[str, str]] = []
    duplicates: Counter[str] = Counter()
    for sub, name, value in conn.execute(query):
        if not value:
            continue
        value_key = key(value)
        if (name, value_key) in taken:
            duplicates[name] += 1
            continue
        taken.add((name, value_key))
        rows.append({"user_sub": sub, "name": name, "pool_id": pool_id, "value_key": value_key})
    return rows, duplicates
