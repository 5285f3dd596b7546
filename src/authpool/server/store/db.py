"""The database: engine set-up, migrations and transactions.

SQLite is the default (a file under the data dir); PostgreSQL (psycopg 3) is for scale-out.

SQLite connections are tuned for a server: WAL journal (readers do not block the writer),
``foreign_keys=ON`` (cascades and parent checks, off by default in SQLite), a ``busy_timeout`` so
writers wait for each other instead of failing, ``synchronous=NORMAL`` (durable in WAL mode up to
the last checkpointed transaction on power loss). The driver's own transaction handling is turned
off and authpool emits ``BEGIN IMMEDIATE`` for write transactions: the write lock is taken up front,
so two writers queue on the busy timeout instead of deadlocking on a read-to-write lock upgrade
(which SQLite reports as "database is locked" without waiting).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..cache import about_to_block
from ..secrets import MasterKey
from ._base import StoreContext
from .aliases import SignInAliasRepository
from .audit import AuditRepository
from .clients import ClientRepository
from .codes import UserCodeRepository
from .encryption_keys import EncryptionKeyRepository
from .groups import GroupRepository
from .mfa import SoftwareTokenRepository
from .pools import PoolRepository
from .resource_servers import ResourceServerRepository
from .signing_keys import SigningKeyRepository
from .srp import SrpRepository
from .throttle import ThrottleRepository
from .tokens import AuthCodeRepository, RefreshTokenRepository, TokenFamilyRepository
from .users import UserRepository

DB_FILE_NAME = "authpool.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
_READONLY = "authpool_readonly"


def default_url(data_dir: Path | str) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / DB_FILE_NAME}"


def normalize_url(url: str) -> str:
    """``postgresql://`` / ``postgres://`` -> ``postgresql+psycopg://`` (psycopg 3)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class UnitOfWork:
    """One transaction. Its attributes are the repositories; they all share its session."""

    def __init__(
        self, session: Session, *, clock: Callable[[], int], master_key: MasterKey | None, actor: str | None
    ):
        ctx = StoreContext(session=session, clock=clock, master_key=master_key)
        self.actor = actor
        self._clock = clock
        self.pools = PoolRepository(ctx)
        self.users = UserRepository(ctx)
        self.aliases = SignInAliasRepository(ctx)  # sign-in aliases, unique per pool (pool/sign_in_aliases.py)
        self.groups = GroupRepository(ctx)
        self.clients = ClientRepository(ctx)
        self.resource_servers = ResourceServerRepository(ctx)
        self.signing_keys = SigningKeyRepository(ctx)
        self.token_families = TokenFamilyRepository(ctx)
        self.refresh_tokens = RefreshTokenRepository(ctx)
        self.auth_codes = AuthCodeRepository(ctx)
        self.audit = AuditRepository(ctx)
        self.codes = UserCodeRepository(ctx)  # the outbox of sign-up / forgot-password codes
        self.srp = SrpRepository(ctx)  # SRP verifiers and answered challenges
        self.software_tokens = SoftwareTokenRepository(ctx)  # TOTP MFA secrets and preferences (store/mfa.py)
        self.throttle = ThrottleRepository(ctx)  # failed sign-ins when no Redis is configured (limiters/)
        self.encryption_keys = EncryptionKeyRepository(ctx)  # local key service KEKs (encrypted claims)
        self._after_commit: list[Callable[[], None]] = []

    def now(self) -> int:
        return int(self._clock())

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once this transaction has committed; never after a rollback. For cache
        invalidation (server/cache.py): after the commit, so a reader cannot load the old row again."""
        self._after_commit.append(fn)


class Database:
    """Engine + master key + clock. Use :meth:`transaction` for every read and write."""

    def __init__(
        self,
        engine: Engine,
        *,
        master_key: MasterKey | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.engine = engine
        self.master_key = master_key
        self._local = threading.local()  # open write transactions on this thread (SQLite guard)
        self._clock: Callable[[], int] = lambda: int((clock or time.time)())

    @classmethod
    def from_url(
        cls,
        url: str | None = None,
        *,
        data_dir: Path | str | None = None,
        master_key: MasterKey | None = None,
        clock: Callable[[], float] | None = None,
        echo: bool = False,
        **engine_kwargs: Any,
    ) -> Database:
        """Open ``url``, or ``sqlite:///<data_dir>/authpool.db`` when no url is given."""
        if url is None:
            if data_dir is None:
                raise ValueError("give a database url or a data dir")
            Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
            url = default_url(data_dir)
        url = normalize_url(url)
        backend = make_url(url).get_backend_name()
        if backend == "sqlite":
            engine = create_engine(url, echo=echo, **engine_kwargs)
            _tune_sqlite(engine)
        elif backend == "postgresql":
            engine_kwargs.setdefault("pool_pre_ping", True)
            engine = create_engine(url, echo=echo, **engine_kwargs)
        else:
            raise ValueError(f"unsupported database backend {backend!r} (use sqlite or postgresql)")
        return cls(engine, master_key=master_key, clock=clock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> int:
        return self._clock()

    @contextmanager
    def transaction(self, *, readonly: bool = False, actor: str | None = None) -> Iterator[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on any exception.

        ``readonly=True`` never commits (always rolls back) and on PostgreSQL runs the transaction
        ``READ ONLY``; on SQLite it does not take the write lock. ``actor`` is recorded by services
        in audit events written in this transaction.
        """
        about_to_block()  # never inside server/cache.py's non_blocking() (the event loop's in-memory paths)
        guard = self.dialect == "sqlite" and not readonly
        if guard and getattr(self._local, "writing", False):
            # The inner BEGIN IMMEDIATE would wait on the outer one's lock until busy_timeout.
            raise RuntimeError(
                "A write transaction is already open on this thread: pass tx= to join it instead of "
                "opening a second one (SQLite would wait for itself until the busy timeout)."
            )
        if guard:
            self._local.writing = True
        try:
            with self._session(readonly=readonly, actor=actor) as uow:
                yield uow
        finally:
            if guard:
                self._local.writing = False

    @contextmanager
    def _session(self, *, readonly: bool, actor: str | None) -> Iterator[UnitOfWork]:
        with Session(self.engine, expire_on_commit=False, autoflush=True) as session:
            session.connection(execution_options={_READONLY: readonly})
            if readonly and self.dialect == "postgresql":
                session.connection().exec_driver_sql("SET TRANSACTION READ ONLY")
            uow = UnitOfWork(session, clock=self._clock, master_key=self.master_key, actor=actor)
            try:
                yield uow
            except BaseException:
                session.rollback()
                raise
            if readonly:
                session.rollback()
            else:
                session.commit()
                for fn in uow._after_commit:
                    fn()

    def migrate(self) -> None:
        """Bring the schema to the latest revision (idempotent; safe to run from several processes)."""
        from .migrate import upgrade

        upgrade(self.engine)

    def schema_revision(self) -> str | None:
        from .migrate import current_revision

        return current_revision(self.engine)

    def ping(self) -> None:
        """Raise if the database does not answer (readiness checks)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # authpool issues BEGIN itself (see module docstring)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get(_READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
