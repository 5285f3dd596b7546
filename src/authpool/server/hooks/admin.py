"""Configuring a pool's hook in the store (used by ``authpool hooks``; the Cognito API writes
``LambdaConfig`` itself, through UpdateUserPool).

Writes ``LambdaConfig.PreTokenGeneration`` and ``LambdaConfig.PreTokenGenerationConfig`` as Cognito
carries them (both, naming the same function, as DescribeUserPool shows them) and authpool's options
under ``AuthpoolHooks``. A webhook's secret is generated here, returned once, and kept only encrypted
under the master key, bound to the pool (context ``hook-webhook-secret:<pool id>``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..errors import ConfigurationError, InvalidParameter
from ..secrets import DecryptionError, MasterKey
from .config import OPTIONS_KEY, VERSIONS, hook_config, invoker_kind, parse_options
from .errors import HookUnavailable
from .signing import new_secret


def _context(pool_id: str) -> str:
    return f"hook-webhook-secret:{pool_id}"


def encrypt_secret(master_key: MasterKey, pool_id: str, secret: str) -> str:
    blob = master_key.encrypt(secret.encode("utf-8"), _context(pool_id))
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")


def decrypt_secret(master_key: MasterKey | None, pool_id: str, blob: str) -> bytes:
    """The webhook secret's bytes (the HMAC key); HookUnavailable if it cannot be read."""
    if master_key is None:
        raise HookUnavailable("MasterKeyMissing", invoker="webhook")
    try:
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        return master_key.decrypt(raw, _context(pool_id))
    except (binascii.Error, ValueError, DecryptionError):
        raise HookUnavailable("WebhookSecretUnreadable", invoker="webhook") from None


def set_hook(db, pool_id: str, *, arn: str, version: str, strict: bool | None = None,
             timeout: float | None = None, max_token_bytes: int | None = None, new_webhook_secret: bool = False,
             actor: str | None = None) -> str | None:
    """Configure the pool's pre-token hook. Returns a newly generated webhook secret (shown once) or None.

    A webhook gets a secret when it has none yet or when ``new_webhook_secret`` is set. Options left
    as None keep their current value. Raises InvalidParameter for a bad ARN, version or option.
    """
    if version not in VERSIONS:
        raise InvalidParameter("LambdaVersion must be V1_0, V2_0 or V3_0.")
    kind = invoker_kind(arn)
    secret = None
    with db.transaction(actor=actor) as tx:
        pool = tx.pools.require(pool_id)
        settings = dict(pool.settings)
        lambda_config = dict(settings.get("LambdaConfig") or {})
        lambda_config["PreTokenGeneration"] = arn
        lambda_config["PreTokenGenerationConfig"] = {"LambdaVersion": version, "LambdaArn": arn}
        options = dict(settings.get(OPTIONS_KEY) or {})
        for key, value in (("Strict", strict), ("TimeoutSeconds", timeout), ("MaxTokenBytes", max_token_bytes)):
            if value is not None:
                options[key] = value
        if kind == "webhook" and (new_webhook_secret or not options.get("WebhookSecret")):
            if db.master_key is None:
                raise ConfigurationError("A master key is needed to store a webhook secret.")
            secret = new_secret()
            options["WebhookSecret"] = encrypt_secret(db.master_key, pool_id, secret)
        settings["LambdaConfig"], settings[OPTIONS_KEY] = lambda_config, options
        config = hook_config(settings)  # refuses what could never run
        tx.pools.update(pool_id, settings=settings)
        tx.audit.record("pool.pre_token_hook_set", pool_id=pool_id, actor=tx.actor, target=pool_id,
                        detail={"version": version, "invoker": kind, "strict": config.strict,
                                "new_signing_key": secret is not None})
    return secret


def clear_hook(db, pool_id: str, *, actor: str | None = None) -> bool:
    """Remove the pool's pre-token hook and its options (other triggers stay). False if none was set."""
    with db.transaction(actor=actor) as tx:
        pool = tx.pools.require(pool_id)
        settings = dict(pool.settings)
        lambda_config = dict(settings.get("LambdaConfig") or {})
        removed = [lambda_config.pop(k, None) for k in ("PreTokenGeneration", "PreTokenGenerationConfig")]
        removed.append(settings.pop(OPTIONS_KEY, None))
        had = any(value is not None for value in removed)
        if not had:
            return False
        settings["LambdaConfig"] = lambda_config
        tx.pools.update(pool_id, settings=settings)
        tx.audit.record("pool.pre_token_hook_cleared", pool_id=pool_id, actor=tx.actor, target=pool_id)
    return True


def describe_hook(db, pool_id: str) -> dict[str, Any] | None:
    """The pool's hook for display: never the secret, only whether one is stored."""
    with db.transaction(readonly=True) as tx:
        settings = tx.pools.require(pool_id).settings
    config = hook_config(settings)
    if config is None:
        return None
    parse_options(settings.get(OPTIONS_KEY))
    return {"LambdaVersion": config.version, "LambdaArn": config.arn, "invoker": config.kind,
            "Strict": config.strict, "TimeoutSeconds": config.timeout, "MaxTokenBytes": config.max_token_bytes,
            "WebhookSecret": "stored" if config.webhook_secret_blob else "none"}
