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
from services.notify.delivery.attempt import Claim, Delivery, History, Outcome
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
    closes them when the process stops).

    Sending is a pipeline: messages are claimed `dispatch_batch` at a time, and the next batch is claimed while the
    last is still going out, so that `dispatch_concurrency` sends are under way whenever enough is due; the claimed
    messages not yet recorded stay under `dispatch_batch`. Outcomes are recorded together: whatever finished while the
    last record was written goes into the next transaction (and each alone, should that one fail)."""

    def __init__(self, *, database: Database, settings: NotifySettings, clock: Clock, contacts: ContactDirectory,
                 providers: ProviderSet, rand: Callable[[], float] = random.random) -> None:
        self.database, self.settings, self.clock = database, settings, clock
        self._contacts, self._providers, self._rand = contacts, providers, rand
        self._wake = asyncio.Event()
        self._room = asyncio.Event()  # set while at most half a batch is claimed and not yet recorded
        self._room.set()
        self._in_hand = 0  # claimed, not yet recorded
        self._sends = asyncio.Semaphore(settings.dispatch_concurrency)
        self._sending: set[asyncio.Task[None]] = set()
        self._outcomes: list[tuple[Claim, Outcome, asyncio.Future[None]]] = []
        self._recording: asyncio.Task[None] | None = None
        self.delivery: Delivery | None = None
        self.listener: Listener | None = None  # while running on PostgreSQL
        database.on_commit(DUE_CHANNEL, self.wake)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until `stop` is set; the sends under way then finish and are recorded."""
        self.delivery = Delivery(contacts=self._contacts, providers=self._providers, settings=self.settings,
                                 clock=self.clock, rand=self._rand, numbers=SmsByNumber(self.database))
        self._sends = asyncio.Semaphore(self.settings.dispatch_concurrency)
        try:
            async with listening(self.database, DUE_CHANNEL, self.wake, name="notify dispatcher") as self.listener:
                try:
                    await self._dispatch(stop)
                finally:
                    await self._finish()
        finally:
            self.listener = None

    async def _dispatch(self, stop: asyncio.Event) -> None:
        swept, stranded = -SWEEP_SECONDS, -STRANDED_SECONDS
        while not stop.is_set():
            self._wake.clear()
            full = False
            try:
                room = self._room_for()
                full = room > 0 and await self.dispatch_due() == room
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
            if full or not self._room.is_set():
                # More may be due: claim again once there is room.
                await first_of(self._room, stop, timeout=self.settings.dispatch_poll_seconds)
            else:
                await first_of(self._wake, stop, timeout=self.settings.dispatch_poll_seconds)

    def _room_for(self) -> int:
        return max(self.settings.dispatch_batch - self._in_hand, 0)

    def _hand(self, change: int) -> None:
        self._in_hand += change
        if self._in_hand * 2 <= self.settings.dispatch_batch:
            self._room.set()
        else:
            self._room.clear()

    async def dispatch_due(self) -> int:
        """Claim due messages, as many as there is room for, and start sending them (`dispatch_concurrency` at a
        time, beside those still under way); return how many were claimed."""
        delivery = self.delivery
        assert delivery is not None, "run() sets up the providers"
        room = self._room_for()
        if room == 0:
            return 0
        now = self.clock.now()
        async with self.database.transaction() as session:
            claims = await service.claim_due(session=session, now=now, batch=room,
                                             lease_for=timedelta(seconds=self.settings.lease_seconds))
            histories = await service.histories(session=session, worker_ids=[c.worker_id for c in claims], now=now)
        self._hand(len(claims))
        for claim in claims:
            task = asyncio.create_task(self._deliver(delivery, claim, histories.get(claim.worker_id)
                                                     or History(frozenset(), ())))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        return len(claims)

    async def _finish(self) -> None:
        """Let the sends under way finish and be recorded (bounded by the runtime's stop)."""
        try:
            while self._sending:
                await asyncio.gather(*list(self._sending), return_exceptions=True)
        finally:
            if self._recording is not None and not self._recording.done():
                await asyncio.wait([self._recording], timeout=30)

    async def _deliver(self, delivery: Delivery, claim: Claim, history: History) -> None:
        try:
            try:
                async with self._sends:
                    outcome = await delivery.deliver(claim, history)
            except Exception:  # noqa: BLE001 - one message's bug must not stop the others; its lease brings it back
                log.exception("delivering a message failed; it is tried again when its lease ends",
                              extra={"message_id": claim.id})
                return
            await self._record(claim, outcome)
        finally:  # recorded, given up, or cancelled: it leaves the hand either way
            self._hand(-1)

    async def _record(self, claim: Claim, outcome: Outcome) -> None:
        """Record the outcome with the others that finish meanwhile; return once it is written (or given up)."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((claim, outcome, written))
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._write_outcomes(), name="notify-record")
        await written

    async def _write_outcomes(self) -> None:
        batch: list[tuple[Claim, Outcome, asyncio.Future[None]]] = []
        try:
            while self._outcomes:
                batch, self._outcomes = self._outcomes, []
                await self._write(batch)
                for _, _, written in batch:
                    if not written.done():  # its sender may have been cancelled meanwhile
                        written.set_result(None)
        finally:  # cancelled (the process stops): no sender is left waiting; the leases bring the rest back
            for _, _, written in batch + self._outcomes:
                if not written.done():
                    written.cancel()

    async def _write(self, batch: list[tuple[Claim, Outcome, asyncio.Future[None]]]) -> None:
        try:
            done = [(claim, outcome) for claim, outcome, _ in batch]
            async with self.database.transaction() as session:
                await service.record_all(session=session, done=done, settings=self.settings, clock=self.clock)
        except Exception:  # noqa: BLE001 - then each alone, so that one bad record holds back no other
            if len(batch) > 1:
                log.warning("recording %d outcomes together failed; recording each alone", len(batch),
                            exc_info=True)
            await asyncio.gather(*(self._record_one(claim, outcome) for claim, outcome, _ in batch))

    async def _record_one(self, claim: Claim, outcome: Outcome) -> None:
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
