"""The jobs service: its composition (routes, database, consumer, expiry sweep) and a standalone app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.jobs import consumers
from services.jobs.db import inbox, outbox
from services.jobs.employers.router import router as employers_router
from services.jobs.fairs.labourers import WorkersLabourers
from services.jobs.fairs.router import router as fairs_router
from services.jobs.openings.router import internal as openings_router
from services.jobs.postings.expiry import sweep_on_timer
from services.jobs.postings.pages import Pages, follow_changes
from services.jobs.postings.router import router as postings_router
from services.jobs.settings import JobsSettings
from services.jobs.supply_lists.router import router as supply_lists_router
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.events.inbox import Consumer
from shared.routes import joined
from shared.runtime import ServiceUnit, create_service_app
from shared.service_token import ServiceToken

NAME = "jobs"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: JobsSettings | None = None, *, clock: Clock | None = None) -> ServiceUnit:
    settings = settings or JobsSettings()
    clock = clock or SystemClock()
    database = Database(settings.db_url())
    router = joined(employers_router, postings_router, supply_lists_router, openings_router, fairs_router)

    labourers = WorkersLabourers(base_url=settings.workers_base_url,
                                 token=ServiceToken(signing_key=settings.signing_key, sub=NAME))

    def serve_in(app: FastAPI) -> None:
        if settings.workers_url is None and "workers" in app.state.units:
            labourers.serve_in_process(app)

    sweep = sweep_on_timer(database, clock, every=settings.expiry_sweep_seconds)
    pages = Pages(size=settings.pages_kept)
    consumer = Consumer(name=NAME, database=database, inbox=inbox, handlers=consumers.handlers(clock), clock=clock)
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=outbox,
                       clock=clock, settings=settings, consumers=[consumer], background=[sweep],
                       serving=[follow_changes(pages, database)], state={"labourers": labourers, "pages": pages},
                       on_app=serve_in)


def create_app(settings: JobsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The jobs service on its own (the distributed mode runs one of these per replica)."""
    settings = settings or JobsSettings()
    unit = build(settings, clock=clock)
    return create_service_app(unit, title="JobBridge jobs")
