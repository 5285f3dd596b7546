"""A pool's pre-token-generation hook, read from its settings (COGNITO.md §2.1).

The hook is configured exactly as Cognito's ``CreateUserPool`` / ``UpdateUserPool`` carry it, in the
pool's ``LambdaConfig`` (botocore service-2.json ``LambdaConfigType``)::

    "LambdaConfig": {
      "PreTokenGeneration": "<arn>",                                   # legacy: implies V1_0
      "PreTokenGenerationConfig": {"LambdaVersion": "V1_0|V2_0|V3_0", "LambdaArn": "<arn>"}
    }

When both are set they must name the same function (Cognito refuses a mismatch); the versioned form
wins. ``LambdaArn`` may be an ``arn:aws:lambda:...`` function, an ``http(s)://`` webhook or
``python:package.module:function``.

authpool's own options sit beside it under ``AuthpoolHooks`` (not a Cognito member): ``Strict``
(reserved claims fail the issuance instead of being ignored), ``TimeoutSeconds`` (default 5, as
Cognito's fixed timeout), ``MaxTokenBytes`` (default 8192) and ``WebhookSecret`` (encrypted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidParameter

VERSIONS = ("V1_0", "V2_0", "V3_0")
OPTIONS_KEY = "AuthpoolHooks"
DEFAULT_TIMEOUT = 5.0
MAX_TIMEOUT = 30.0
DEFAULT_MAX_TOKEN_BYTES = 8192
MIN_MAX_TOKEN_BYTES, MAX_MAX_TOKEN_BYTES = 1024, 65536
#: botocore's ``ArnType`` bounds (min 20, max 2048): boto3 refuses shorter values before sending.
MAX_ARN_LENGTH = 2048

PYTHON_REF = re.compile(r"^python:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
                     r":([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$")
LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:function:[A-Za-z0-9_-]{1,64}"
                     r"(?::[A-Za-z0-9_$-]{1,128})?$")


def invoker_kind(arn: str) -> str:
    """``python``, ``webhook`` or ``lambda``; raises InvalidParameter for anything else."""
    if not isinstance(arn, str) or not arn or len(arn) > MAX_ARN_LENGTH:
        raise InvalidParameter("LambdaArn must be a non-empty string of at most 2048 characters.")
    if PYTHON_REF.match(arn):
        return "python"
    if arn.startswith(("http://", "https://")):
        parts = urlsplit(arn)
        if not parts.hostname or parts.username or parts.password or parts.fragment:
            raise InvalidParameter("A webhook LambdaArn must be an http(s) URL with a host, no user info, no fragment.")
        return "webhook"
    if LAMBDA_ARN.match(arn):
        return "lambda"
    raise InvalidParameter("LambdaArn must be an arn:aws:lambda function ARN, an http(s):// URL or "
                           "python:package.module:function.")


def lambda_region(arn: str) -> str:
    match = LAMBDA_ARN.match(arn)
    if match is None:
        raise InvalidParameter("Not a Lambda function ARN.")
    return match.group(1)


@dataclass(frozen=True, slots=True)
class HookConfig:
    """What the customizer needs to run one pool's hook."""

    version: str  # V1_0 | V2_0 | V3_0
    arn: str
    kind: str  # python | webhook | lambda
    strict: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_token_bytes: int = DEFAULT_MAX_TOKEN_BYTES
    webhook_secret_blob: str | None = None  # base64url of the master-key ciphertext


def _target(lambda_config: Mapping[str, Any]) -> tuple[str, str] | None:
    """(version, arn) from a LambdaConfig, or None when no pre-token hook is set."""
    legacy = lambda_config.get("PreTokenGeneration")
    versioned = lambda_config.get("PreTokenGenerationConfig")
    if versioned is not None:
        if not isinstance(versioned, Mapping):
            raise InvalidParameter("PreTokenGenerationConfig must be an object.")
        version, arn = versioned.get("LambdaVersion"), versioned.get("LambdaArn")
        if version not in VERSIONS:
            raise InvalidParameter("PreTokenGenerationConfig.LambdaVersion must be V1_0, V2_0 or V3_0.")
        if legacy is not None and legacy != arn:
            raise InvalidParameter("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be identical.")
        return version, arn
    if legacy is not None:
        return "V1_0", legacy
    return None


def validate_lambda_config(lambda_config: Any) -> None:
    """For the Cognito API and the CLI: refuse a pre-token part of ``LambdaConfig`` that could never
    run, with InvalidParameter (Cognito: ``InvalidParameterException``). Other triggers are not checked."""
    if lambda_config is None:
        return
    if not isinstance(lambda_config, Mapping):
        raise InvalidParameter("LambdaConfig must be an object.")
    target = _target(lambda_config)
    if target is not None:
        invoker_kind(target[1])


def _number(options: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidParameter(f"{OPTIONS_KEY}.{key} must be a number from {low:g} to {high:g}.")
    return value


def parse_options(options: Any) -> dict[str, Any]:
    """Checked authpool options (``Strict``, ``TimeoutSeconds``, ``MaxTokenBytes``, ``WebhookSecret``)."""
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise InvalidParameter(f"{OPTIONS_KEY} must be an object.")
    strict = options.get("Strict", False)
    if not isinstance(strict, bool):
        raise InvalidParameter(f"{OPTIONS_KEY}.Strict must be true or false.")
    secret = options.get("WebhookSecret")
    if secret is not None and not isinstance(secret, str):
        raise InvalidParameter(f"{OPTIONS_KEY}.WebhookSecret is malformed.")
    max_bytes = _number(options, "MaxTokenBytes", DEFAULT_MAX_TOKEN_BYTES, MIN_MAX_TOKEN_BYTES, MAX_MAX_TOKEN_BYTES)
    return {"strict": strict, "timeout": float(_number(options, "TimeoutSeconds", DEFAULT_TIMEOUT, 0.05, MAX_TIMEOUT)),
            "max_token_bytes": int(max_bytes), "webhook_secret_blob": secret}


def hook_config(pool_settings: Mapping[str, Any]) -> HookConfig | None:
    """The pool's hook, or None. Raises InvalidParameter for a configuration that cannot run (the
    customizer turns that into a closed failure: a broken hook never means "no hook")."""
    lambda_config = pool_settings.get("LambdaConfig")
    if lambda_config is None:
        return None
    if not isinstance(lambda_config, Mapping):
        raise InvalidParameter("LambdaConfig must be an object.")
    target = _target(lambda_config)
    if target is None:
        return None
    version, arn = target
    return HookConfig(version=version, arn=arn, kind=invoker_kind(arn),
                      **parse_options(pool_settings.get(OPTIONS_KEY)))
