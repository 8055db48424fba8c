"""A worker's contact channels, fetched from workers at send time; never stored, never logged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from services.notify.policy.channels import Reach
from shared.auth import Role, mint_token
from shared.clock import Clock, SystemClock
from shared.coalesce import Coalesced


@dataclass(frozen=True)
class Contact:
    """Phone, openid and consents as workers holds them now; `repr` hides the numbers (it may end up in a log)."""

    worker_id: str
    phone: str | None = field(repr=False)
    wechat_openid: str | None = field(repr=False)
    consent_sms: bool
    consent_wechat: bool
    status: str  # seeking, placed

    @property
    def reach(self) -> Reach:
        return Reach(has_phone=bool(self.phone), has_wechat=bool(self.wechat_openid), consent_sms=self.consent_sms,
                     consent_wechat=self.consent_wechat)


class ContactUnavailable(Exception):
    """Workers could not answer now (down, timeout, 5xx): try again later; nothing was sent."""


class ContactDirectory(Protocol):
    async def contact(self, worker_id: str) -> Contact | None:
        """The worker's channels now; None when workers has no such profile."""


class WorkersContacts:
    """The contact look-up over HTTP with a service token: `POST /workers/internal/contacts` for the contacts asked
    at about the same time (the dispatcher's passes running together), one call for up to 200 of them.

    The token is minted on `clock`, which should be the wall clock: workers checks its expiry against that.
    """

    def __init__(self, *, base_url: str, client: httpx.AsyncClient, signing_key: str,
                 clock: Clock | None = None, token_ttl: timedelta = timedelta(hours=1)) -> None:
        self._base = base_url.rstrip("/")
        self._client = client
        self._key = signing_key
        self._clock = clock or SystemClock()
        self._ttl = token_ttl
        self._token: tuple[str, datetime] | None = None
        self._asked = Coalesced(self._contacts, name="notify-contacts", most=200)

    def serve_in_process(self, client: httpx.AsyncClient) -> None:
        """Workers is served by this very process: ask it through `client` (bound to the app), with no socket."""
        self._base, self._client = "http://in-process", client

    def _bearer(self) -> str:
        now = self._clock.now()
        # A short-lived token, minted again at half its life: never sent expired, never one that lasts for ever.
        if self._token is None or now >= self._token[1] - self._ttl / 2:
            token = mint_token(key=self._key, role=Role.service, sub="notify", ttl=self._ttl, now=now)
            self._token = (token, now + self._ttl)
        return self._token[0]

    async def contact(self, worker_id: str) -> Contact | None:
        return await self._asked.ask(worker_id)

    async def _contacts(self, worker_ids: list[str]) -> list[Contact | None]:
        """The contacts of these workers (None where workers has no profile), in one call."""
        try:
            response = await self._client.post(f"{self._base}/workers/internal/contacts",
                                               json={"worker_ids": list(dict.fromkeys(worker_ids))},
                                               headers={"Authorization": f"Bearer {self._bearer()}"})
        except httpx.HTTPError as exc:
            raise ContactUnavailable(f"workers did not answer ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise ContactUnavailable(f"workers answered HTTP {response.status_code}")
        try:
            found = {contact.worker_id: contact for contact in map(_contact, response.json()["contacts"])}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ContactUnavailable("workers answered with an unexpected body") from exc
        return [found.get(worker_id) for worker_id in worker_ids]


def _contact(body: dict) -> Contact:
    consent = body.get("consent") or {}
    return Contact(worker_id=str(body["worker_id"]), phone=body.get("phone") or None,
                   wechat_openid=body.get("wechat_openid") or None, consent_sms=bool(consent.get("sms")),
                   consent_wechat=bool(consent.get("wechat")), status=str(body.get("status") or "seeking"))
