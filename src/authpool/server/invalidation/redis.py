"""The invalidation channel over Redis pub/sub (``AUTHPOOL_REDIS_URL`` with a SQLite store, e.g.
``authpool serve --workers N`` on one host).

* listening: a dedicated pub/sub connection (``SUBSCRIBE authpool_cache``); ``connect`` returns once
  Redis confirmed the subscription; the heartbeat is a ``PING`` on that same connection, whose
  ``pong`` must come back within ``SYNC_TIMEOUT``;
* publishing: ``PUBLISH`` through the process's shared connection (``redisconn.py``: short timeouts,
  breaker). Redis pub/sub keeps nothing for absent subscribers: a process that was disconnected
  flushes its caches when it reconnects (``sync.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from ..redisconn import RedisConnection, client
from .sync import CHANNEL, SYNC_TIMEOUT

LISTENER_SOCKET_TIMEOUT = 5.0


class RedisChannel:
    kind = "redis"

    def __init__(self, conn: RedisConnection, *, clock=time.monotonic) -> None:
        self._conn, self._clock = conn, clock
        self._client: Any = None
        self._pubsub: Any = None
        self._pong_at = 0.0

    def connect(self) -> None:
        self.close()
        self._client = client(self._conn.url, socket_timeout=LISTENER_SOCKET_TIMEOUT, name="authpool-listener")
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(CHANNEL)
        deadline = self._clock() + SYNC_TIMEOUT
        while True:  # the subscription is active once Redis says so
            message = self._pubsub.get_message(timeout=0.2)
            if message is not None and message["type"] == "subscribe":
                break
            if self._clock() > deadline:
                raise TimeoutError("Redis did not confirm the subscription")
        self._pong_at = self._clock()

    def receive(self, timeout: float) -> Iterator[str]:
        deadline = self._clock() + timeout
        while (remaining := deadline - self._clock()) > 0:
            message = self._pubsub.get_message(timeout=remaining)
            if message is None:
                continue
            if message["type"] == "message":
                data = message["data"]
                yield data.decode() if isinstance(data, bytes) else str(data)
            elif message["type"] == "pong":
                self._pong_at = self._clock()

    def heartbeat(self) -> None:
        if self._clock() - self._pong_at > SYNC_TIMEOUT:
            raise TimeoutError("no answer to PING on the subscription")
        self._pubsub.ping()

    def publish(self, payload: str) -> None:
        self._conn.call(lambda r: r.publish(CHANNEL, payload))

    def close(self) -> None:
        pubsub, redis_client, self._pubsub, self._client = self._pubsub, self._client, None, None
        for thing in (pubsub, redis_client):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001, S110 - closing a broken connection
                    pass
