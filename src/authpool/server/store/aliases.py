"""Sign-in aliases: the e-mail addresses, phone numbers and preferred user names users sign in with
besides their user name, one row per user and attribute. Which attributes count is the pool's rule
(``pool/sign_in_aliases.py``); this table makes each alias name at most one user of a pool.

The unique index on ``(pool_id, name, value_key)`` is the guarantee, not a read before the write:
two transactions claiming the same alias at once (PostgreSQL READ COMMITTED, where neither sees the
other's uncommitted row) meet in the index; the second waits for the first and fails if it commits.
``value_key`` is the hex SHA-256 of the value in lower case (:func:`value_key`): authpool's pools are
case-insensitive (``UsernameConfiguration.CaseSensitive: false``), which in Cognito makes the e-mail
and preferred_username aliases case-insensitive too, and Cognito "prevents a case variation from
being assigned to the same attribute for a different user" (API Reference, ``UsernameConfigurationType``;
CloudFormation ``AWS::Cognito::UserPool UsernameConfiguration``). The attribute keeps the value as
the user typed it; only the key folds case (migration 0011 recomputed the keys). The key is also
the sign-in lookup (:meth:`SignInAliasRepository.holder`, ``pool/user_lookup.py``); it is hashed
because a value (up to 2048 characters) can exceed a PostgreSQL btree entry. Rows go with their user
and pool (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Index, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import AlreadyExists, Kind, NotFound
from ._base import Repository, violation_kind
from .models import Base


def value_key(value: str) -> str:
    """The stored form of an alias value: hex SHA-256 of its UTF-8 bytes in lower case (``str.lower``,
    as user names are folded: ``users.py`` ``username_key``), so values differing only in case are one
    alias. Phone numbers (``+`` and digits) are unchanged by the folding."""
    return hashlib.sha256(value.lower().encode("utf-8")).hexdigest()


class SignInAlias(Base):
    __tablename__ = "sign_in_aliases"
    __table_args__ = (Index("uq_sign_in_aliases_pool_name_value", "pool_id", "name", "value_key", unique=True),)

    user_sub: Mapped[str] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # email | phone_number | preferred_username
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    value_key: Mapped[str] = mapped_column(String(64))


class SignInAliasRepository(Repository):
    def held(self, pool_id: str, sub: str) -> dict[str, str]:
        """The aliases ``sub`` holds: attribute name -> value key."""
        rows = self._s.execute(
            select(SignInAlias.name, SignInAlias.value_key).where(
                SignInAlias.pool_id == pool_id, SignInAlias.user_sub == sub
            )
        )
        return {name: key for name, key in rows}

    def holder(self, pool_id: str, name: str, value: str) -> str | None:
        """The sub of the user holding the alias (``value`` in any case), or None."""
        return self._s.scalar(
            select(SignInAlias.user_sub).where(
                SignInAlias.pool_id == pool_id, SignInAlias.name == name, SignInAlias.value_key == value_key(value)
            )
        )

    def claim(self, pool_id: str, sub: str, name: str, value: str) -> None:
        """Make ``value`` the user's ``name`` alias (replacing their previous one). Raises
        AlreadyExists(alias) when another user of the pool holds it, committed or not: on PostgreSQL
        the insert waits for a concurrent claimant's transaction and fails if that one commits.
        NotFound(user) for an unknown sub. The transaction stays usable after either (a savepoint)."""
        dialect = postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(SignInAlias).values(user_sub=sub, name=name, pool_id=pool_id, value_key=value_key(value))
        stmt = stmt.on_conflict_do_update(
            index_elements=[SignInAlias.user_sub, SignInAlias.name],
            set_={"pool_id": stmt.excluded.pool_id, "value_key": stmt.excluded.value_key},
        )
        try:
            with self._s.begin_nested():
                self._s.execute(stmt)
        except IntegrityError as exc:
            what = violation_kind(exc)
            if what == "unique":
                raise AlreadyExists(Kind.ALIAS) from None
            if what == "foreign_key":
                raise NotFound(Kind.USER) from None
            raise

    def release(self, pool_id: str, sub: str, names: Iterable[str]) -> None:
        """Drop the user's aliases of the given attribute names (absent ones are ignored)."""
        names = list(names)
        if names:
            self._s.execute(
                delete(SignInAlias).where(
                    SignInAlias.pool_id == pool_id, SignInAlias.user_sub == sub, SignInAlias.name.in_(names)
                )
            )
