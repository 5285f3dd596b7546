"""What every invoker shares: the call's target and the small protocol an invoker implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

#: Largest answer read from a webhook or a Lambda, checked while reading (before parsing).
MAX_RESPONSE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Target:
    """One invocation: which pool, which function, how long it may take, and (webhooks) the secret."""

    pool_id: str
    arn: str
    timeout: float
    secret: bytes | None = field(default=None, repr=False)


class Invoker(Protocol):
    """Runs a handler with an event and returns its answer (the event with ``response`` filled in).

    Raises :class:`~authpool.server.hooks.errors.HookRejected` when the handler reports an error,
    :class:`~authpool.server.hooks.errors.HookTimeout` past ``target.timeout``,
    :class:`~authpool.server.hooks.errors.InvalidHookResponse` for an unreadable answer and
    :class:`~authpool.server.hooks.errors.HookUnavailable` when the handler cannot be reached.
    """

    kind: str

    def invoke(self, target: Target, event: dict[str, Any]) -> Any: ...

    def close(self) -> None: ...
