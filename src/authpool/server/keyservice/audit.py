"""The audit trail of the key service: every encrypt and every decrypt, and the review of it.

Each event is an audit row (store/audit.py): ``keys.encrypt`` (actor ``issuance``) or ``keys.decrypt``
(actor: the client that asked), target the user's ``sub``, and ``detail``::

    {"client": "<app client the token was issued to / that decrypted>", "backend": "local",
     "key": "<key id or kid>", "version": 3, "context": {"iss", "sub", "claim", "aud"},
     "outcome": "ok" | "denied" | "invalid" | "throttled" | "failed", "ct": "<16 hex: SHA-256 of the
     wrapped key, to count distinct ciphertexts>"}

Never the value, never a key: the audit store refuses detail keys that look like secrets or personal
data (store/audit.py), and the context holds only names and ids.

:func:`decrypt_summary` is ``authpool audit decrypts``: per decrypting client, how many decrypts of
which claims with which keys, and a flag when a client decrypts far more than authpool issued
encrypted claims for the audiences it decrypted for (``ratio``). The guard keeps no plaintext beyond
a request, so a resource server decrypts once per API request that reads the claim: the ratio is its
requests per token, which the operator knows; far above it looks like a harvest (leaked tokens replayed
through a resource server's credentials) or a resource server decrypting where it needs not.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...tokens.encrypted import ClaimContext

log = logging.getLogger("authpool.keyservice")
ENCRYPT, DECRYPT = "keys.encrypt", "keys.decrypt"


def fingerprint(wrapped_key: str) -> str:
    """``ct``: names one ciphertext by its wrapped key as sent on the wire (base64url), so the issuing
    side and the decrypt endpoint compute the same value."""
    return hashlib.sha256(wrapped_key.encode("ascii")).hexdigest()[:16]


def ciphertext_id(token: str) -> str:
    """``ct`` of a compact JWE: its encrypted-key part, or (``dir``) the whole header."""
    parts = token.split(".")
    return fingerprint(parts[1] or parts[0])


def event_detail(*, client: str | None, backend: str, key: str | None, version: int | None,
                 context: ClaimContext | None, outcome: str, ct: str | None = None,
                 error: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"client": client, "backend": backend, "key": key, "version": version,
                              "context": context.as_dict() if context is not None else None, "outcome": outcome}
    if ct is not None:
        detail["ct"] = ct
    if error is not None:
        detail["error"] = error
    return detail


def record(db, type_: str, pool_id: str, *, actor: str, events: Iterable[dict[str, Any]], tx=None) -> None:
    """Write events (each a detail dict); in ``tx`` when given, else in a transaction of its own."""
    events = list(events)
    if not events:
        return

    def write(t) -> None:
        for detail in events:
            context = detail.get("context") or {}
            t.audit.record(type_, pool_id=pool_id, actor=actor, target=context.get("sub"), detail=detail)

    if tx is not None:
        write(tx)
        return
    with db.transaction() as t:
        write(t)


# -- the review (authpool audit decrypts) -------------------------------------------------------------------
@dataclass
class ClientSummary:
    client: str
    ok: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    claims: Counter[str] = field(default_factory=Counter)
    keys: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    ciphertexts: set[str] = field(default_factory=set)
    issued: int = 0  # encrypted claims issued for the audiences this client decrypted for
    flags: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.ok + sum(self.refused.values())


def _events(db, type_: str, *, pool_id: str | None, since: int | None) -> Iterable[Any]:
    next_token = None
    while True:
        with db.transaction(readonly=True) as tx:
            page = tx.audit.list(pool_id=pool_id, type=type_, limit=500, next_token=next_token)
        for event in page.items:
            if since is None or event.at >= since:
                yield event
        next_token = page.next_token
        if not next_token:
            return


def decrypt_summary(db, *, pool_id: str | None = None, since: int | None = None, client: str | None = None,
                    ratio: float = 10.0) -> list[ClientSummary]:
    """Per client, busiest first. Flags: more than ``ratio`` decrypts per encrypted claim issued for the
    same audiences in the window; any decrypt refused by the key policy."""
    summaries: dict[str, ClientSummary] = {}
    for event in _events(db, DECRYPT, pool_id=pool_id, since=since):
        detail = event.detail or {}
        who = detail.get("client") or event.actor or "?"
        if client is not None and who != client:
            continue
        summary = summaries.setdefault(who, ClientSummary(who))
        context = detail.get("context") or {}
        if detail.get("outcome") == "ok":
            summary.ok += 1
            summary.claims[str(context.get("claim"))] += 1
            if context.get("sub"):
                summary.subjects.add(str(context["sub"]))
            if detail.get("ct"):
                summary.ciphertexts.add(str(detail["ct"]))
        else:
            summary.refused[str(detail.get("outcome"))] += 1
        if detail.get("key"):
            summary.keys.add(f"{detail['key']}" + (f".{detail['version']}" if detail.get("version") else ""))
        if context.get("aud"):
            summary.audiences.add(str(context["aud"]))
    issued: dict[str, int] = defaultdict(int)
    if summaries:
        for event in _events(db, ENCRYPT, pool_id=pool_id, since=since):
            detail = event.detail or {}
            if detail.get("outcome") == "ok":
                issued[str((detail.get("context") or {}).get("aud"))] += 1
    for summary in summaries.values():
        summary.issued = sum(issued[aud] for aud in summary.audiences)
        if summary.ok > ratio * max(summary.issued, 1):
            summary.flags.append(f"decrypts {summary.ok} vs {summary.issued} encrypted claims issued "
                                 f"for its audiences (more than {ratio:g}x)")
        if summary.refused.get("denied", 0):
            summary.flags.append(f"{summary.refused['denied']} decrypts refused by the key policy")
    return sorted(summaries.values(), key=lambda s: (-s.total, s.client))
