"""A process-wide bound on concurrent argon2id work.

Each argon2id hash or verification holds 64 MiB for its duration (RFC 9106 §4, second option; see
:mod:`.passwords`), so a flood of sign-ins, sign-ups or password changes would otherwise take as much
memory as it has concurrent requests. Every hash and verification of :class:`.passwords.PasswordHasher`
therefore runs inside a slot of one :class:`PasswordWorkLimit` per process (:data:`PROCESS_LIMIT`,
sized by ``AUTHPOOL_PASSWORD_HASH_CONCURRENCY``, default ``max(2, CPUs)``; docs/settings.md).

A caller that finds every slot taken waits at most ``wait`` seconds (``AUTHPOOL_PASSWORD_HASH_WAIT``),
then gets :class:`PasswordWorkBusy`, a :class:`~authpool.server.errors.ServiceUnavailable`: Cognito's
``TooManyRequestsException``, OAuth's ``temporarily_unavailable`` (503), and on the hosted login page
"temporarily unavailable" (503). Nothing is counted against the user by the sign-in throttle: no
password was checked. A slot is released whatever the work raised. The wait is short on purpose: a
waiting check holds one of the server's worker threads (``ServerContext.run``), which other requests
need too.

The numbers in use, waiting, and refused are exported at ``/metrics`` (server/metrics.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from ..errors import ServiceUnavailable

#: Seconds a password check waits for a slot before it is refused.
DEFAULT_WAIT = 2.0


class PasswordWorkBusy(ServiceUnavailable):
    """Every password-hashing slot stayed taken for the whole wait (Cognito: TooManyRequestsException;
    OAuth: temporarily_unavailable)."""

    code = "password_work_busy"
    default_message = "Too many sign-ins are in progress; try again later."


def default_capacity() -> int:
    """``max(2, CPUs this process may run on)``: argon2id is CPU-bound, so more slots than CPUs only
    add memory and latency."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(2, cpus)


class PasswordWorkLimit:
    """At most ``capacity`` holders of :meth:`slot` at once, across threads; a caller waits at most
    ``wait`` seconds for one, then :class:`PasswordWorkBusy` is raised."""

    def __init__(self, capacity: int | None = None, *, wait: float = DEFAULT_WAIT) -> None:
        self._cond = threading.Condition(threading.Lock())
        self.capacity, self.wait = 1, 0.0
        self.configure(capacity, wait=wait)
        self.in_use = 0
        self.waiting = 0
        self.refused = 0  # since the process started

    def configure(self, capacity: int | None = None, *, wait: float = DEFAULT_WAIT) -> PasswordWorkLimit:
        """Set the size (None: :func:`default_capacity`) and the wait; holders keep their slots."""
        capacity = default_capacity() if capacity is None else capacity
        if capacity < 1 or wait < 0:
            raise ValueError("password work capacity must be at least 1 and the wait not negative")
        with self._cond:
            self.capacity, self.wait = capacity, wait
            self._cond.notify_all()
        return self

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        self._acquire()
        try:
            yield
        finally:
            self._release()

    def _acquire(self) -> None:
        with self._cond:
            if self.in_use >= self.capacity:
                self.waiting += 1
                try:
                    free = self._cond.wait_for(lambda: self.in_use < self.capacity, timeout=self.wait)
                finally:
                    self.waiting -= 1
                if not free:
                    self.refused += 1
                    raise PasswordWorkBusy()
            self.in_use += 1

    def _release(self) -> None:
        with self._cond:
            self.in_use -= 1
            self._cond.notify()


#: The one limit of this process: every PasswordHasher uses it unless given another (tests do).
#: ``build_context`` sizes it from the settings.
PROCESS_LIMIT = PasswordWorkLimit()
