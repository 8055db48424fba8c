"""The expiry sweep on a timer: postings past their valid-until date are closed, and openings held too long for a
placement never recorded are given back, at start and then every sweep interval."""

from __future__ import annotations

import asyncio
import logging

from services.jobs.openings import service as openings
from services.jobs.postings import service as postings
from shared.clock import Clock
from shared.db import Database
from shared.events.waiting import first_of
from shared.runtime import BackgroundTask

log = logging.getLogger("jobbridge.jobs")


def sweep_on_timer(database: Database, clock: Clock, *, every: float) -> BackgroundTask:
    """The background task: sweep now, then again every `every` seconds until stopped."""

    async def sweep_expired(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with database.transaction() as session:
                    closed = await postings.expire_due(session=session, clock=clock)
                    given_back = await openings.give_back_stale(session=session, clock=clock)
                if closed:
                    log.info("expired postings closed", extra={"count": closed})
                if given_back:
                    log.info("openings held for unrecorded placements given back", extra={"count": given_back})
            except Exception:  # noqa: BLE001 - the sweep retries at the next interval
                log.exception("expiry sweep failed")
            await first_of(stop, timeout=every)

    return sweep_expired
