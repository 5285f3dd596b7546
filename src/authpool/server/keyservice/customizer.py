"""Encrypted claims at issuance: two steps of TokenService's customizer chain, around the pre-token hook.

    CustomizerChain(DeclaredClaims(keys), HookCustomizer(db), EncryptClaims(keys, db))

1. :class:`DeclaredClaims` applies each resource server's ``Encryption.Attributes`` (settings.py): a
   resource server is a target of the access token when the token's ``aud`` names it (RFC 8707), or,
   in a token without ``aud`` (Cognito's style), when a granted scope is one of its
   ``<identifier>/<name>`` scopes. For each declared attribute the user has, a placeholder goes under
   the attribute's name (two targets wanting the same name get a list, one entry each). Client
   credentials have no user, hence no attributes.
2. The hook runs; it sees no claim values (Cognito's event carries none), may suppress a declared
   claim, and may add its own placeholders with :func:`authpool.tokens.encrypted.encrypt_claim`.
3. :class:`EncryptClaims` first declares again whatever declared attribute the hook put back in clear
   (a declared attribute never leaves in clear), then replaces every placeholder with the JWE from :class:`~.service.KeyService`,
   bound to the token's ``iss`` and ``sub``, the claim name and the audience; writes one
   ``keys.encrypt`` audit row per claim; and checks the finished token against the pool's size limit
   (``AuthpoolHooks.MaxTokenBytes``, 8 KiB by default).

Fail closed: a placeholder in the ID token, nested in another value, or under a name other than its
own is an invalid hook response; an audience that is not a ready resource server of the pool, or a
key service that fails, fails the issuance (ClaimEncryptionError); nothing is issued in clear.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ...tokens.encrypted import (
    SCALAR_TYPES,
    ClaimContext,
    Placeholder,
    contains_placeholder,
    encrypt_claim,
    placeholder_of,
)
from ..hooks.errors import InvalidHookResponse
from ..hooks.size import token_size_bound
from ..issuance.customize import ClaimSets, IssueContext
from . import audit
from .errors import ClaimEncryptionError
from .service import KeyService

log = logging.getLogger("authpool.keyservice")


def targets(access: Mapping[str, Any], scopes: list[str], audiences: set[str]) -> list[str]:
    """The resource servers (among ``audiences``) an access token is for, by ``aud`` or else by scope."""
    aud = access.get("aud")
    if aud is not None:
        named = [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []
        return [a for a in dict.fromkeys(named) if a in audiences]
    # A scope is "<identifier>/<scope name>" and scope names have no '/' (pool/resource_servers.py).
    return [a for a in dict.fromkeys(s.rpartition("/")[0] for s in scopes) if a in audiences]


def declare(keys: KeyService, context: IssueContext, claims: ClaimSets, *, after_hook: bool = False) -> None:
    """Put placeholders for the declared attributes into ``claims.access`` (in place).

    Before the hook: every declared attribute the user has. After it (``after_hook``): only names the
    hook left in clear (a declared attribute never leaves in clear); names it suppressed stay out.
    """
    if context.user is None:
        return
    servers = keys.pool(context.pool_id).servers
    declaring = {a for a, s in servers.items() if s is not None and s.attributes}
    if not declaring:
        return
    attributes, access = context.user.attributes, claims.access
    wanted: dict[str, list[str]] = {}
    for audience in targets(access, claims.scopes, declaring):
        for name in servers[audience].attributes:
            if name in attributes:
                wanted.setdefault(name, []).append(audience)
    for name, audiences in wanted.items():
        if after_hook and (name not in access or _is_placeholders(access[name])):
            continue
        placeholders = [encrypt_claim(name, attributes[name], audience=a) for a in audiences]
        access[name] = placeholders[0] if len(placeholders) == 1 else placeholders


def _is_placeholders(value: Any) -> bool:
    try:
        if isinstance(value, list):
            return bool(value) and all(placeholder_of(v) is not None for v in value)
        return placeholder_of(value) is not None
    except ValueError:
        return True  # malformed: EncryptClaims refuses it


class DeclaredClaims:
    """Step 1: placeholders for the declared attributes of each targeted resource server."""

    def __init__(self, keys: KeyService) -> None:
        self._keys = keys

    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets:
        declare(self._keys, context, claims)
        return claims


class EncryptClaims:
    """Step 3: every placeholder becomes a JWE; audited; size-checked."""

    def __init__(self, keys: KeyService, db) -> None:
        self._keys, self._db = keys, db

    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets:
        if context.user is not None:  # declared attributes are the user's
            declare(self._keys, context, claims, after_hook=True)
        if claims.id is None and SCALAR_TYPES.issuperset(map(type, claims.access.values())):
            return claims  # no placeholder can hide in scalars (client credentials without a hook)
        pending = self._pending(claims)
        if not pending:
            return claims
        access = dict(claims.access)
        issuer, subject = access.get("iss"), access.get("sub")
        events: list[dict[str, Any]] = []
        try:
            for name, placeholders in pending.items():
                encrypted = [self._encrypt(context, issuer, subject, name, p, events) for p in placeholders]
                access[name] = encrypted[0] if not isinstance(claims.access[name], list) else encrypted
            limit = self._keys.pool(context.pool_id).max_token_bytes
            if token_size_bound(dict(access, scope=" ".join(claims.scopes))) > limit:
                raise ClaimEncryptionError(f"the access token with its encrypted claims exceeds {limit} bytes")
        except (ClaimEncryptionError, InvalidHookResponse) as exc:
            log.warning("encrypted claims failed: %s", exc, extra={"pool_id": context.pool_id,
                                                                   "client": context.client_id})
            events.append(audit.event_detail(client=context.client_id, backend="-", key=None, version=None,
                                             context=None, outcome="failed", error=exc.code))
            self._audit(context, events, strict=False)
            raise
        self._audit(context, events, strict=True)
        return ClaimSets(access=access, id=claims.id, scopes=claims.scopes)

    @staticmethod
    def _pending(claims: ClaimSets) -> dict[str, list[Placeholder]]:
        if claims.id is not None and contains_placeholder(claims.id):
            raise InvalidHookResponse("Unrecognizable lambda output: encrypted claims belong in the access "
                                      "token only.")
        pending: dict[str, list[Placeholder]] = {}
        for name, value in claims.access.items():
            if type(value) in SCALAR_TYPES:  # most claims: no placeholder can hide in them
                continue
            try:
                items = value if isinstance(value, list) and value and isinstance(value[0], Mapping) else [value]
                found = [placeholder_of(v) for v in items]
            except ValueError:
                raise InvalidHookResponse("Unrecognizable lambda output: a malformed encrypted claim.") from None
            if any(found):
                if not all(found):
                    raise InvalidHookResponse("Unrecognizable lambda output: a malformed encrypted claim.")
                if any(p.claim != name for p in found):
                    raise InvalidHookResponse(f"Unrecognizable lambda output: the encrypted claim {name} was "
                                              f"made for another claim name.")
                pending[name] = found
            elif contains_placeholder(value):
                raise InvalidHookResponse("Unrecognizable lambda output: an encrypted claim may not be nested.")
        return pending

    def _encrypt(self, context: IssueContext, issuer: Any, subject: Any, name: str, placeholder: Placeholder,
                 events: list[dict[str, Any]]) -> str:
        if not isinstance(issuer, str) or not isinstance(subject, str):
            raise ClaimEncryptionError("the access token has no issuer or subject to bind to")
        settings = self._keys.settings(context.pool_id, placeholder.audience)
        bound = ClaimContext(issuer, subject, name, placeholder.audience)
        result = self._keys.encrypt(settings, bound, placeholder.value)
        events.append(audit.event_detail(client=context.client_id, backend=result.backend, key=result.key,
                                         version=result.version, context=bound, outcome="ok",
                                         ct=audit.ciphertext_id(result.token)))
        return result.token

    def _audit(self, context: IssueContext, events: list[dict[str, Any]], *, strict: bool) -> None:
        try:
            audit.record(self._db, audit.ENCRYPT, context.pool_id, actor="issuance", events=events)
        except Exception as exc:  # noqa: BLE001 - see below
            log.error("could not audit encrypted claims: %s", type(exc).__name__)
            if strict:  # no audit, no encrypted claim: the issuance fails closed
                raise ClaimEncryptionError("the encryption audit could not be written") from None
