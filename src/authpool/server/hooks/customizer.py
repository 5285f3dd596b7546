"""The pre-token-generation hook as a :class:`~authpool.server.issuance.ClaimsCustomizer`.

TokenService calls :meth:`HookCustomizer.customize` for every token it issues, outside any store
transaction. The steps, each failing closed (nothing is issued, an audit event says why):

1. find the pool's hook (``LambdaConfig``) and the roles of the user's groups (cached, cache.py);
2. skip when no hook is set, or the version does not run for this trigger (V1/V2 not for client
   credentials);
3. build Cognito's event for the version and trigger source (event.py);
4. invoke the handler (python / webhook / lambda invoker) within the pool's timeout;
5. check and apply the answer (response.py, apply.py): reserved claims are ignored with a warning and
   an audit event, or refused in strict mode;
6. check the finished tokens against the pool's size limit (size.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..cache import about_to_block
from ..errors import InvalidParameter
from ..issuance.customize import ClaimSets, IssueContext
from .admin import decrypt_secret
from .apply import Ignored
from .cache import DEFAULT_TTL, TTLCache
from .config import HookConfig, hook_config
from .errors import HookError, HookUnavailable, TokenTooLarge
from .event import apply_response, build_event, runs_for
from .invokers import Invoker, Target, default_invokers
from .size import token_size_bound

log = logging.getLogger("authpool.hooks")


_MISS, _BROKEN = object(), object()


class GroupInfo(NamedTuple):
    name: str
    role_arn: str | None
    precedence: int | None


class HookCustomizer:
    """Runs each pool's pre-token hook. ``invokers`` maps a kind (python, webhook, lambda) to its
    invoker; ``cache_ttl`` bounds how long another process's configuration change may go unseen
    (cache.py; changes made in this process are seen at once)."""

    def __init__(self, db, *, invokers: Mapping[str, Invoker] | None = None, cache_ttl: float = DEFAULT_TTL) -> None:
        self._db = db
        self._invokers = dict(invokers) if invokers is not None else default_invokers()
        self._configs = TTLCache(cache_ttl)
        self._roles = TTLCache(cache_ttl)

    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets:
        loaded = self._load(context)
        if loaded is None:
            return claims
        about_to_block()  # a hook may take seconds: never on the event loop (server/cache.py)
        config, groups = loaded
        started = time.monotonic()
        try:
            event = build_event(config.version, context, claims, groups=groups)
            returned = self._invokers[config.kind].invoke(self._target(context.pool_id, config), event)
            result, ignored = apply_response(config.version, returned, claims, strict=config.strict,
                                             invoker=config.kind)
            self._check_size(result, config)
        except HookError as exc:
            self._failed(context, config.version, config.kind, exc, started)
            raise
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not issue tokens nor leak a trace
            log.error("pre-token hook step failed unexpectedly: %s", type(exc).__name__)
            error = HookUnavailable("InternalError", invoker=config.kind)
            self._failed(context, config.version, config.kind, error, started)
            raise error from None
        if ignored:
            self._report_ignored(context, config, ignored)
        return result

    # -- steps --------------------------------------------------------------------------------------
    def _load(self, context: IssueContext) -> tuple[HookConfig, list[GroupInfo]] | None:
        config = self._config(context.pool_id)
        if config is _BROKEN:  # set but unable to run: fail the issuance, never treat as "no hook"
            error = HookUnavailable("InvalidLambdaConfig")
            self._failed(context, None, None, error, time.monotonic())
            raise error
        if config is None or not runs_for(config.version, context.trigger_source):
            return None
        return config, self._groups(context)

    def _config(self, pool_id: str) -> HookConfig | None | object:
        cached = self._configs.get(pool_id, _MISS)
        if cached is not _MISS:
            return cached
        generation = self._configs.generation
        with self._db.transaction(readonly=True) as tx:
            pool = tx.pools.get(pool_id)
        try:
            config = hook_config(pool.settings) if pool is not None else None
        except InvalidParameter:
            config = _BROKEN
        self._configs.put(pool_id, config, generation)
        return config

    def _groups(self, context: IssueContext) -> list[GroupInfo]:
        """The user's groups (names fresh from TokenService) with their roles and precedence."""
        if context.user is None or not context.groups:
            return []
        keys = [(context.pool_id, name) for name in context.groups]
        values = [self._roles.get(key, _MISS) for key in keys]
        if any(value is _MISS for value in values):
            generation = self._roles.generation
            with self._db.transaction(readonly=True) as tx:
                records = tx.groups.groups_for_user(context.pool_id, context.user.sub)
            found = {(context.pool_id, r.name): (r.role_arn, r.precedence) for r in records}
            for key, value in found.items():
                self._roles.put(key, value, generation)
            values = [found.get(key, (None, None)) for key in keys]
        return [GroupInfo(name, *value) for name, value in zip(context.groups, values, strict=True)]

    def _target(self, pool_id: str, config: HookConfig) -> Target:
        secret = None
        if config.kind == "webhook" and config.webhook_secret_blob:
            secret = decrypt_secret(self._db.master_key, pool_id, config.webhook_secret_blob)
        return Target(pool_id=pool_id, arn=config.arn, timeout=config.timeout, secret=secret)

    @staticmethod
    def _check_size(result: ClaimSets, config: HookConfig) -> None:
        access = dict(result.access, scope=" ".join(result.scopes))  # TokenService sets it from the scopes
        if token_size_bound(access) > config.max_token_bytes or (
                result.id is not None and token_size_bound(result.id, id_token=True) > config.max_token_bytes):
            raise TokenTooLarge(invoker=config.kind)

    # -- reporting ----------------------------------------------------------------------------------
    @staticmethod
    def _subject(context: IssueContext) -> str:
        return context.user.sub if context.user is not None else context.client_id

    def _audit(self, event_type: str, context: IssueContext, detail: dict[str, Any]) -> None:
        try:
            with self._db.transaction() as tx:
                tx.audit.record(event_type, pool_id=context.pool_id, actor="pre-token-hook", target=self._subject(context),
                                detail={"client": context.client_id, "trigger": context.trigger_source, **detail})
        except Exception as exc:  # noqa: BLE001 - the audit must not change the outcome; the log still has it
            log.error("could not record audit event %s: %s", event_type, type(exc).__name__)

    def _failed(self, context: IssueContext, version: str | None, kind: str | None, error: HookError,
                started: float) -> None:
        elapsed_ms = int((time.monotonic() - started) * 1000)
        log.warning("pre-token hook failed: %s", error.message,
                    extra={"pool_id": context.pool_id, "error_code": error.code, "invoker": kind,
                           "trigger": context.trigger_source, "elapsed_ms": elapsed_ms})
        self._audit("hook.failed", context, {"error": error.code, "invoker": kind, "version": version,
                                             "elapsed_ms": elapsed_ms})

    def _report_ignored(self, context: IssueContext, config: HookConfig, ignored: list[Ignored]) -> None:
        names = sorted({i.claim for i in ignored})
        log.warning("pre-token hook tried to change reserved claims %s; ignored", ", ".join(names),
                    extra={"pool_id": context.pool_id, "invoker": config.kind, "trigger": context.trigger_source})
        self._audit("hook.claim_ignored", context, {
            "version": config.version, "invoker": config.kind,
            "claims": [{"claim": i.claim, "action": i.action, "kind": i.kind} for i in ignored]})

    def close(self) -> None:
        for invoker in self._invokers.values():
            invoker.close()
