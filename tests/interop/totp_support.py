"""An authenticator app for the interop suites (boto3, Amplify): the TOTP codes of the secret the
server returned, made with pyca/cryptography's TOTP (through authpool.server.pool.totp)."""

from __future__ import annotations

import time

from authpool.server.pool import totp


class Authenticator:
    """The codes of one secret, each for a time step later than the last one used (the server
    accepts a step once, and the current step +/- 1), waiting for the clock only when it must: two
    codes in a row never wait (this step's, then the next one's); a third within the same step does."""

    def __init__(self, secret_code: str) -> None:
        self.secret = totp.from_base32(secret_code)
        self.last: int | None = None

    def code(self) -> str:
        step = totp.step_of(time.time())
        target = step if self.last is None or self.last < step else self.last + 1
        if target > step + 1:  # the window is now +/- one step: wait for the next one
            time.sleep((step + 1) * totp.STEP_SECONDS - time.time() + 0.05)
        self.last = target
        return totp.code_at(self.secret, target * totp.STEP_SECONDS)

    def wrong(self) -> str:
        """A well-formed code that matches no step the server could accept now."""
        now = time.time()
        good = {totp.code_at(self.secret, now + d) for d in (-60, -30, 0, 30, 60)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)
