"""The providers a process sends through, chosen by settings, and which SMS vendor is down for how long."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from services.notify.metrics import PROVIDER_UP
from services.notify.settings import NotifySettings
from services.notify.vendors.base import SmsVendor, WechatVendor
from services.notify.vendors.recording import RecordingProvider
from services.notify.vendors.registry import open_sms, open_wechat
from shared.clock import Clock


class ProviderHealth:
    """A vendor found down (balance, credentials, outage) is skipped for a while, then tried again."""

    def __init__(self, *, clock: Clock, down_for: timedelta) -> None:
        self._clock = clock
        self._down_for = down_for
        self._down_until: dict[str, datetime] = {}

    def mark_down(self, name: str) -> None:
        self._down_until[name] = self._clock.now() + self._down_for
        PROVIDER_UP.labels(name).set(0)

    def is_up(self, name: str) -> bool:
        until = self._down_until.get(name)
        if until is not None and self._clock.now() >= until:
            del self._down_until[name]
            PROVIDER_UP.labels(name).set(1)
        return name not in self._down_until

    def back_at(self, names: list[str]) -> datetime:
        """When the first of these vendors is tried again."""
        return min((self._down_until.get(name, self._clock.now()) for name in names), default=self._clock.now())


@dataclass
class ProviderSet:
    """SMS vendors in order of preference, the WeChat channel (or none), and their health."""

    sms: dict[str, SmsVendor]
    wechat: WechatVendor | None
    health: ProviderHealth
    recorder: RecordingProvider | None = None  # the embedded mode's, whose messages tests and demos read
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def pick_sms(self, *, skip: set[str]) -> SmsVendor | None:
        """The first vendor that is up and not yet tried in this pass."""
        return next((p for name, p in self.sms.items() if name not in skip and self.health.is_up(name)), None)

    def sms_back_at(self) -> datetime:
        return self.health.back_at(list(self.sms))

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def open_providers(settings: NotifySettings, *, clock: Clock, client: httpx.AsyncClient | None = None,
                   recorder: RecordingProvider | None = None) -> ProviderSet:
    """The providers the settings select, over one HTTP client (made here with the client factory unless given)."""
    from services.notify.vendors.http import provider_client

    owned = [] if client is not None else [provider_client(timeout=settings.provider_timeout_seconds,
                                                           connect_timeout=min(3.0, settings.provider_timeout_seconds))]
    http = client or owned[0]
    recorder = recorder or RecordingProvider(clock=clock)
    sms = {name: open_sms(name, settings, client=http, clock=clock, recorder=recorder) for name in settings.sms_order}
    wechat = open_wechat(settings, client=http, clock=clock, recorder=recorder)
    for name in sms:
        PROVIDER_UP.labels(name).set(1)
    health = ProviderHealth(clock=clock, down_for=timedelta(seconds=settings.provider_down_seconds))
    return ProviderSet(sms=sms, wechat=wechat, health=health, recorder=recorder, clients=owned)
