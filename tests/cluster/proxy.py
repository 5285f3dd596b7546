"""A TCP proxy the test controls, between authpool and a service on 127.0.0.1 (PostgreSQL, Redis, a
webhook): ``cut()`` is the service stopping (open connections reset, new ones refused at once),
``stall()`` is a host that stops answering (open connections reset, new ones accepted and never
served), ``restore()`` brings it back. An asyncio loop in a daemon thread; loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import Self

UP, DOWN, STALL = "up", "down", "stall"


class TcpProxy:
    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1") -> None:
        if not target_host.startswith("127."):
            raise ValueError("the proxy only forwards to loopback addresses")
        self.target = (target_host, target_port)
        self.mode = UP
        self.accepted = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"proxy-{target_port}", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    # -- control (from the test's thread) ---------------------------------------------------------
    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def cut(self) -> None:
        self._call(self._set(DOWN))

    def stall(self) -> None:
        self._call(self._set(STALL))

    def restore(self) -> None:
        self._call(self._set(UP))

    def _call(self, coro) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(5)

    # -- the loop ---------------------------------------------------------------------------------
    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, reuse_address=True))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _set(self, mode: str) -> None:
        self.mode = mode
        if mode != UP:
            for writer in list(self._writers):
                _reset(writer)
            self._writers.clear()

    async def _shutdown(self) -> None:
        await self._set(DOWN)
        if self._server is not None:
            self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode == DOWN:
            _reset(writer)
            return
        if self.mode == STALL:  # hold the connection, read nothing, answer nothing
            self._writers.add(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self._writers.discard(writer)
        self._writers.discard(up_writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0), as a stopped server's kernel does to live connections."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError, AttributeError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
