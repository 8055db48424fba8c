"""The jobs service: its composition (routes, database, consumer, expiry sweep) and a standalone app."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI

from services.jobs import consumers
from services.jobs.db import inbox, outbox
from services.jobs.employers.router import router as employers_router
from services.jobs.fairs.labourers import WorkersLabourers
from services.jobs.fairs.router import router as fairs_router
from services.jobs.openings import service as openings
from services.jobs.openings.router import internal as openings_router
from services.jobs.postings import service as postings
from services.jobs.postings.router import router as postings_router
from services.jobs.settings import JobsSettings
from services.jobs.supply_lists.router import router as supply_lists_router
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.events.inbox import Consumer
from shared.runtime import ServiceUnit, create_service_app
from shared.service_token import ServiceToken

NAME = "jobs"
MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("jobbridge.jobs")


def build(settings: JobsSettings | None = None, *, clock: Clock | None = None) -> ServiceUnit:
    settings = settings or JobsSettings()
    clock = clock or SystemClock()
    database = Database(settings.db_url())
    router = APIRouter(prefix=f"/{NAME}")
    for part in (employers_router, postings_router, supply_lists_router, openings_router, fairs_router):
        router.include_router(part)

    async def sweep_expired(stop: asyncio.Event) -> None:
        """Close postings past their valid-until date and give back openings held too long, now and then every
        sweep interval."""
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
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.expiry_sweep_seconds)
            except TimeoutError:
                pass

    labourers = WorkersLabourers(base_url=settings.workers_base_url,
                                 token=ServiceToken(signing_key=settings.signing_key, sub=NAME))

    def serve_in(app: FastAPI) -> None:
        if settings.workers_url is None and "workers" in app.state.units:
            labourers.serve_in_process(app)

    consumer = Consumer(name=NAME, database=database, inbox=inbox, handlers=consumers.handlers(clock), clock=clock)
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=outbox,
                       clock=clock, settings=settings, consumers=[consumer], background=[sweep_expired],
                       state={"labourers": labourers}, on_app=serve_in)


def create_app(settings: JobsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The jobs service on its own (the distributed mode runs one of these per replica)."""
    settings = settings or JobsSettings()
    unit = build(settings, clock=clock)
    return create_service_app(unit, title="JobBridge jobs")
