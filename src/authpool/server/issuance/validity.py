"""Token lifetimes of an app client, in seconds (COGNITO.md §1.5).

The rules (defaults 1 h / 1 h / 30 d, units, allowed ranges) live with the client settings in
``authpool.server.pool.clients``, which checks them when a client is created or updated; this is
the issuance side's view of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from ..cache import PerRecord
from ..pool.clients import token_validity_seconds
from ..store.records import ClientRecord


@dataclass(frozen=True, slots=True)
class Validities:
    access: int
    id: int
    refresh: int


def validities(settings: Mapping[str, Any]) -> Validities:
    return Validities(access=token_validity_seconds(settings, "AccessTokenValidity"),
                      id=token_validity_seconds(settings, "IdTokenValidity"),
                      refresh=token_validity_seconds(settings, "RefreshTokenValidity"))


#: :func:`validities` of a client, worked out once per cached client record (server/cache.py).
client_validities: PerRecord[ClientRecord, Validities] = PerRecord(lambda client: validities(client.settings),
                                                                   key=attrgetter("client_id"))
