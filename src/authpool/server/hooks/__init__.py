"""Pre-token-generation hooks with Amazon Cognito's event shapes (V1_0, V2_0, V3_0).

A handler written for Cognito's trigger runs unchanged: in-process (``python:module:function``), as a
signed webhook (``https://...``) or as a real AWS Lambda (``arn:aws:lambda:...``). docs/hooks.md has
the event and response shapes, the rules and the failure modes.
"""

from .admin import clear_hook, describe_hook, set_hook
from .apply import RESERVED, Ignored, apply_overrides
from .config import (
    DEFAULT_MAX_TOKEN_BYTES,
    DEFAULT_TIMEOUT,
    OPTIONS_KEY,
    VERSIONS,
    HookConfig,
    hook_config,
    invoker_kind,
    validate_lambda_config,
)
from .customizer import HookCustomizer
from .errors import (
    ForbiddenClaim,
    HookError,
    HookRejected,
    HookTimeout,
    HookUnavailable,
    InvalidHookResponse,
    TokenTooLarge,
)
from .event import apply_response, build_event, runs_for
from .response import Overrides, parse_response
from .signing import SignatureError, verify_signature

__all__ = [
    "DEFAULT_MAX_TOKEN_BYTES", "DEFAULT_TIMEOUT", "OPTIONS_KEY", "RESERVED", "VERSIONS",
    "ForbiddenClaim", "HookConfig", "HookCustomizer", "HookError", "HookRejected", "HookTimeout",
    "HookUnavailable", "Ignored", "InvalidHookResponse", "Overrides", "SignatureError", "TokenTooLarge",
    "apply_overrides", "apply_response", "build_event", "clear_hook", "describe_hook", "hook_config",
    "invoker_kind", "parse_response", "runs_for", "set_hook", "validate_lambda_config", "verify_signature",
]
