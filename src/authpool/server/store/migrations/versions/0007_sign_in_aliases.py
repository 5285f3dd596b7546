"""Sign-in aliases, unique per pool (store/aliases.py, pool/sign_in_aliases.py): one row per user and
e-mail / phone number / preferred_username they sign in with, a unique index on
``(pool_id, name, value_key)`` (``value_key``: hex SHA-256 of the value as stored).

Backfilled from the users' attributes under the rule of pool/sign_in_aliases.py as it is at this
revision: in ``UsernameAttributes`` pools every listed attribute the user has; in ``AliasAttributes``
pools ``email`` / ``phone_number`` when ``*_verified`` is ``"true"`` and ``preferred_username``. Where
older data has one alias on several users (the race this table closes), the earliest created user
(then the smallest sub) gets it and the others none; a warning gives how many per pool (pool ids and
counts only, no values). Sign-in by such a value kept failing for everyone until an administrator
changes the duplicates.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

log = logging.getLogger("authpool.migrate")

_VERIFIED_ALIASES = ("email", "phone_number")
_BATCH = 1000

_pools = sa.table("user_pools", sa.column("id", sa.String), sa.column("settings", sa.JSON))
_users = sa.table("users", sa.column("sub", sa.String), sa.column("pool_id", sa.String),
                  sa.column("created_at", sa.BigInteger))
_attributes = sa.table("user_attributes", sa.column("user_sub", sa.String), sa.column("name", sa.String),
                       sa.column("value", sa.Text))
_aliases = sa.table("sign_in_aliases", sa.column("user_sub", sa.String), sa.column("name", sa.String),
                    sa.column("pool_id", sa.String), sa.column("value_key", sa.String))


def upgrade() -> None:
    op.create_table(
        "sign_in_aliases",
        sa.Column("user_sub", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("value_key", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["user_sub"], ["users.sub"], name=op.f("fk_sign_in_aliases_user_sub_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pool_id"], ["user_pools.id"],
                                name=op.f("fk_sign_in_aliases_pool_id_user_pools"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_sub", "name", name=op.f("pk_sign_in_aliases")),
    )
    op.create_index("uq_sign_in_aliases_pool_name_value", "sign_in_aliases", ["pool_id", "name", "value_key"],
                    unique=True)
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("uq_sign_in_aliases_pool_name_value", table_name="sign_in_aliases")
    op.drop_table("sign_in_aliases")


def _backfill(conn: sa.Connection) -> None:
    for pool_id, settings in conn.execute(sa.select(_pools.c.id, _pools.c.settings).order_by(_pools.c.id)):
        by_username = list((settings or {}).get("UsernameAttributes") or [])
        by_alias = list((settings or {}).get("AliasAttributes") or [])
        if not by_username and not by_alias:
            continue
        rows, duplicates = _pool_aliases(conn, pool_id, by_username, by_alias)
        for start in range(0, len(rows), _BATCH):
            conn.execute(_aliases.insert(), rows[start:start + _BATCH])
        if duplicates:
            log.warning("sign-in aliases held by several users were given to the earliest one only",
                        extra={"pool_id": pool_id, "aliases": dict(duplicates)})


def _pool_aliases(conn: sa.Connection, pool_id: str, by_username: list[str],
                  by_alias: list[str]) -> tuple[list[dict[str, str]], Counter[str]]:
    names = {*by_username, *by_alias}
    wanted = names | {f"{n}_verified" for n in names if n in _VERIFIED_ALIASES}
    query = (
        sa.select(_users.c.sub, _attributes.c.name, _attributes.c.value)
        .join(_attributes, _attributes.c.user_sub == _users.c.sub)
        .where(_users.c.pool_id == pool_id, _attributes.c.name.in_(sorted(wanted)))
        .order_by(_users.c.created_at, _users.c.sub)
    )
    users: dict[str, dict[str, str]] = {}  # in creation order
    for sub, name, value in conn.execute(query):
        users.setdefault(sub, {})[name] = value
    taken: set[tuple[str, str]] = set()
    rows: list[dict[str, str]] = []
    duplicates: Counter[str] = Counter()
    for sub, attrs in users.items():
        for name in dict.fromkeys([*by_username, *by_alias]):
            value = attrs.get(name)
            if not value:
                continue
            if name in by_alias and name in _VERIFIED_ALIASES and attrs.get(f"{name}_verified") != "true":
                continue
            key = hashlib.sha256(value.encode("utf-8")).hexdigest()
            if (name, key) in taken:
                duplicates[name] += 1
                continue
            taken.add((name, key))
            rows.append({"user_sub": sub, "name": name, "pool_id": pool_id, "value_key": key})
    return rows, duplicates
