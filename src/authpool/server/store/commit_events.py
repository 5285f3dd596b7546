"""A callback run when a transaction that wrote some kinds of row commits, whoever wrote them.

The caches of settings read on every issuance (``hooks/cache.py``, ``keyservice/cache.py``) are
emptied this way: the store's SQLAlchemy session events mark the session when it writes a watched
row (``do_orm_execute`` for UPDATE/DELETE statements, ``after_flush`` for added, changed or deleted
rows), and ``after_commit`` runs the callback once per marked commit; a rollback drops the mark.

Only the outermost transaction counts: a savepoint released (``Repository._add`` inserts in one) is
not yet a commit, and calling back then would let a reader load and keep the rows as they were
before it; a savepoint rolled back keeps the mark of the writes made before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


def on_commit_writing(models: tuple[type, ...], flag: str, callback: Callable[[], None]) -> None:
    """Run ``callback`` after every commit of a session that wrote a row of one of ``models``.

    ``flag`` is the key under which the mark is kept in ``Session.info``: one per caller.
    """

    def watched(mapper: Any) -> bool:
        return mapper is not None and issubclass(mapper.class_, models)

    def on_execute(state) -> None:
        if (state.is_update or state.is_delete) and watched(state.bind_mapper):
            state.session.info[flag] = True

    def on_flush(session: Session, flush_context) -> None:
        if any(
            isinstance(obj, models)
            for group in (session.new, session.dirty, session.deleted)
            for obj in group
        ):
            session.info[flag] = True

    def on_commit(session: Session) -> None:
        if not session.in_nested_transaction() and session.info.pop(flag, False):
            callback()

    def on_rollback(session: Session) -> None:
        if not session.in_nested_transaction():
            session.info.pop(flag, None)

    event.listen(Session, "do_orm_execute", on_execute)
    event.listen(Session, "after_flush", on_flush)
    event.listen(Session, "after_commit", on_commit)
    event.listen(Session, "after_rollback", on_rollback)
