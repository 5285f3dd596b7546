"""Server settings: every default in one place, each overridable by an ``AUTHPOOL_*`` environment
variable or a CLI flag (node-oidc-provider's habit: one documented table of defaults; docs/settings.md).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTHPOOL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    #: Public base URL; issuers are ``{base_url}/{UserPoolId}``. Default: ``http://{host}:{port}``.
    base_url: str | None = None
    data_dir: Path = Path("./data")
    #: ``sqlite:///...`` (default: ``{data_dir}/authpool.db``) or ``postgresql://...``.
    database_url: str | None = None
    #: Region used in new pool ids (``us-east-1_AbC123xyZ``): clients parse it out of them.
    region: str = "us-east-1"
    master_key: SecretStr | None = None
    admin_access_key_id: str | None = None
    admin_secret_access_key: SecretStr | None = None
    log_level: str = "INFO"
    #: Largest request body the server reads, checked before parsing.
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    #: JWKS and discovery ``Cache-Control: max-age`` in seconds.
    jwks_max_age: int = Field(300, ge=0)
    demo_password: SecretStr | None = None
    #: The local key service's decrypt endpoint, per client: requests per second, and burst.
    decrypt_rate: float = Field(50.0, gt=0)
    decrypt_burst: int = Field(200, ge=1)
    workers: int = Field(1, ge=1)
    #: ``redis://[:password@]host:6379/0``: throttle counters and cache invalidation shared by every process
    #: (docs/deploy.md). Unset: counters in the database, invalidation through PostgreSQL LISTEN/NOTIFY.
    redis_url: SecretStr | None = None
    #: Run the database migrations when the server starts. Off when a separate job runs ``authpool migrate``:
    #: the server then refuses to start on a schema that is not the one it needs.
    migrate_at_start: bool = True
    #: PostgreSQL: seconds to open a connection, to run one statement, and to wait for a pooled connection;
    #: a database that is down or stalled answers requests with an error within these bounds.
    database_connect_timeout: int = Field(3, ge=2, le=60)
    database_statement_timeout: float = Field(15.0, gt=0, le=600)
    database_pool_timeout: float = Field(5.0, gt=0, le=120)
    #: Concurrent argon2id hashes/verifications per process (64 MiB each); unset: ``max(2, CPUs)``. A password
    #: check waits at most ``password_hash_wait`` seconds for a slot, then is refused as temporarily unavailable.
    password_hash_concurrency: int | None = Field(None, ge=1, le=256)
    password_hash_wait: float = Field(2.0, ge=0, le=60)
    #: Codes (sign-up confirmation, forgot password, attribute verification) one user may be sent for one
    #: purpose within ``code_issue_window`` seconds; one more is LimitExceededException (pool/codes.py).
    code_issue_limit: int = Field(5, ge=1, le=1000)
    code_issue_window: int = Field(3600, ge=60, le=7 * 86400)
    #: Threads for plain (sync) python pre-token hooks per process (hooks/invokers/threads.py): a handler
    #: that never returns holds one until the process exits; with all of them held, python hooks fail closed
    #: at once (UnexpectedLambdaException / server_error).
    hook_threads: int = Field(16, ge=1, le=256)

    def public_base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'authpool.db').resolve()}"

    def issuer_for(self, pool_id: str) -> str:
        """The issuer of a pool: ``{base_url}/{UserPoolId}``, no trailing slash (COGNITO.md §1.2)."""
        return f"{self.public_base_url()}/{pool_id}"
