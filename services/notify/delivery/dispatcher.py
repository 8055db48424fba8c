"""The dispatcher: a loop that claims due messages, delivers them a few at a time, and records each outcome.

Retries are rows with a `next_attempt_at`, not sleeps: a consumer never waits, and a restarted process picks up
where the last one stopped (a claimed message whose pass died becomes due again when its lease ends).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta

from services.notify.contacts import ContactDirectory
from services.notify.delivery import service
from services.notify.delivery.attempt import Claim, Delivery, History
from services.notify.delivery.numbers import SmsByNumber
from services.notify.delivery.providers import ProviderSet
from services.notify.messages.service import DUE_CHANNEL
from services.notify.opt_outs import service as opt_outs
from services.notify.receipts import service as receipts
from services.notify.settings import NotifySettings
from shared.clock import Clock
from shared.db import Database
from shared.events.waiting import first_of
from shared.events.wakeup import Listener, listening

log = logging.getLogger("jobbridge.notify")
RECORD_TRIES = 4
SWEEP_SECONDS = 3600.0  # how often reply routes past NOTIFY_REPLY_ROUTE_DAYS are deleted
STRANDED_SECONDS = 5.0  # how often receipts that crossed the record of their send are looked for


class Dispatcher:
    """Sends what is due; woken when a message becomes due (in this process, or in another through NOTIFY on
    PostgreSQL), otherwise polling every `dispatch_poll_seconds` (retries and held messages come due that way).
    It sends through the providers and looks contacts up in the directory it is given (notify's app builds both and
    closes them when the process stops)."""

    def __init__(self, *, database: Database, settings: NotifySettings, clock: Clock, contacts: ContactDirectory,
                 providers: ProviderSet, rand: Callable[[], float] = random.random) -> None:
        self.database, self.settings, self.clock = database, settings, clock
        self._contacts, self._providers, self._rand = contacts, providers, rand
        self._wake = asyncio.Event()
        self.delivery: Delivery | None = None
        self.listener: Listener | None = None  # while running on PostgreSQL
        database.on_commit(DUE_CHANNEL, self.wake)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until `stop` is set."""
        self.delivery = Delivery(contacts=self._contacts, providers=self._providers, settings=self.settings,
                                 clock=self.clock, rand=self._rand, numbers=SmsByNumber(self.database))
        try:
            async with listening(self.database, DUE_CHANNEL, self.wake, name="notify dispatcher") as self.listener:
                await self._dispatch(stop)
        finally:
            self.listener = None

    async def _dispatch(self, stop: asyncio.Event) -> None:
        swept, stranded = -SWEEP_SECONDS, -STRANDED_SECONDS
        while not stop.is_set():
            self._wake.clear()
            try:
                while await self.dispatch_due() == self.settings.dispatch_batch:
                    pass
                if time.monotonic() - stranded >= STRANDED_SECONDS:
                    stranded = time.monotonic()
                    async with self.database.transaction() as session:
                        await receipts.apply_stranded(session=session, settings=self.settings, clock=self.clock)
                if time.monotonic() - swept >= SWEEP_SECONDS:
                    swept = time.monotonic()
                    async with self.database.transaction() as session:
                        await opt_outs.forget_old_routes(session=session, clock=self.clock,
                                                         keep_days=self.settings.reply_route_days)
            except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup
                log.exception("notify dispatch pass failed")
            await first_of(self._wake, stop, timeout=self.settings.dispatch_poll_seconds)

    async def dispatch_due(self) -> int:
        """Claim one batch of due messages and deliver them, `dispatch_concurrency` at a time; return how many."""
        delivery = self.delivery
        assert delivery is not None, "run() sets up the providers"
        now = self.clock.now()
        async with self.database.transaction() as session:
            claims = await service.claim_due(session=session, now=now, batch=self.settings.dispatch_batch,
                                             lease_for=timedelta(seconds=self.settings.lease_seconds))
            histories = await service.histories(session=session, worker_ids=[c.worker_id for c in claims], now=now)
        if not claims:
            return 0
        gate = asyncio.Semaphore(self.settings.dispatch_concurrency)

        async def one(claim: Claim) -> None:
            async with gate:
                await self._deliver(delivery, claim, histories.get(claim.worker_id) or History(frozenset(), ()))

        await asyncio.gather(*(one(claim) for claim in claims))
        return len(claims)

    async def _deliver(self, delivery: Delivery, claim: Claim, history: History) -> None:
        try:
            outcome = await delivery.deliver(claim, history)
        except Exception:  # noqa: BLE001 - one message's bug must not stop the others; its lease brings it back
            log.exception("delivering a message failed; it is tried again when its lease ends",
                          extra={"message_id": claim.id})
            return
        for attempt in range(RECORD_TRIES):
            try:
                async with self.database.transaction() as session:
                    await service.record(session=session, claim=claim, outcome=outcome, settings=self.settings,
                                         clock=self.clock)
                return
            except Exception:  # noqa: BLE001 - a sent message unrecorded would be sent again: insist a little
                if attempt == RECORD_TRIES - 1:
                    log.exception("recording a delivery failed; the message is tried again when its lease ends",
                                  extra={"message_id": claim.id, "status": outcome.status})
                    return
                await asyncio.sleep(0.2 * 2 ** attempt)
