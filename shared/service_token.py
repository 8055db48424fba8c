"""The bearer token one service of the platform shows another (a `service` role), minted on demand."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.auth import Role, mint_token
from shared.clock import Clock, SystemClock


class ServiceToken:
    """Short-lived and minted again at half its life: never sent expired, never one that lasts for ever.

    `clock` should be the wall clock: the service called checks the expiry against its own.
    """

    def __init__(self, *, signing_key: str, sub: str, clock: Clock | None = None,
                 ttl: timedelta = timedelta(hours=1)) -> None:
        self._key, self._sub, self._ttl = signing_key, sub, ttl
        self._clock = clock or SystemClock()
        self._token: tuple[str, datetime] | None = None

    def headers(self) -> dict[str, str]:
        now = self._clock.now()
        if self._token is None or now >= self._token[1] - self._ttl / 2:
            self._token = (mint_token(key=self._key, role=Role.service, sub=self._sub, ttl=self._ttl, now=now),
                           now + self._ttl)
        return {"Authorization": f"Bearer {self._token[0]}"}
