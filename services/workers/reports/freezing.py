"""The monthly freeze on a timer: shortly after each month's end (Beijing time) the month just ended is frozen, with
any month missed while the service was down, by the same freeze a first read of the month's report makes."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select

from services.workers.reports import snapshots
from services.workers.reports.models import ReportSnapshot
from services.workers.reports.months import Month, months_due
from shared.clock import Clock, local_today
from shared.db import Database
from shared.events.waiting import first_of
from shared.runtime import BackgroundTask

log = logging.getLogger("jobbridge.workers")

TIMER = "timer"  # frozen_by of the months the timer froze


async def freeze_due(database: Database, clock: Clock) -> list[Month]:
    """Freeze the months that are due (`months_due`), each in a unit of work of its own; the months this call froze.

    Safe to run in several replicas at once: the month is the snapshot's key, so of two freezes of one month the
    second finds the first one's snapshot and writes nothing."""
    last_over = Month.of(local_today(clock)).previous()
    async with database.sessions() as session:
        frozen = {Month.parse(month) for month in await session.scalars(select(ReportSnapshot.month))}
    made = []
    for month in months_due(last_over, frozen):
        async with database.transaction() as session:
            _, created = await snapshots.freeze(session=session, month=month, by=TIMER, clock=clock)
        if created:
            made.append(month)
    return made


def freeze_on_timer(database: Database, clock: Clock, *, every: float) -> BackgroundTask:
    """The background task: freeze what is due at start, then look again every `every` seconds."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                made = await freeze_due(database, clock)
                if made:
                    log.info("months frozen", extra={"months": [str(month) for month in made]})
            except Exception:  # noqa: BLE001 - the freeze is tried again at the next look
                log.exception("monthly freeze failed")
            await first_of(stop, timeout=every)

    return run
