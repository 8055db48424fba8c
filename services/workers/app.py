"""The workers service: its composition (routes, database, the monthly freeze) and a standalone app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.workers.audit.router import router as audit_router
from services.workers.courses.router import router as courses_router
from services.workers.db import outbox
from services.workers.followups.router import router as followups_router
from services.workers.ledger.router import router as ledger_router
from services.workers.placements.openings import JobsOpenings
from services.workers.placements.router import router as placements_router
from services.workers.profiles.router import internal as internal_router, router as profiles_router
from services.workers.reports.freezing import freeze_on_timer
from services.workers.reports.router import router as reports_router
from services.workers.service_points.router import router as service_points_router
from services.workers.settings import WorkersSettings
from services.workers.startup_support.router import router as startup_support_router
from services.workers.targets.router import router as targets_router
from services.workers.training.router import router as training_router
from services.workers.workshops.router import router as workshops_router
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.routes import joined
from shared.runtime import ServiceUnit, create_service_app
from shared.service_token import ServiceToken

NAME = "workers"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: WorkersSettings | None = None, *, clock: Clock | None = None) -> ServiceUnit:
    settings = settings or WorkersSettings()
    _ = settings.pii_keys  # fail at start, not at the first request, when a key is malformed
    # The ledger's /profiles/import goes before /profiles/{worker_id}, so the literal path is matched first.
    router = joined(ledger_router, profiles_router, placements_router, followups_router, training_router,
                    courses_router, startup_support_router, reports_router, targets_router, service_points_router,
                    workshops_router, audit_router, internal_router)
    openings = JobsOpenings(base_url=settings.jobs_base_url, token=ServiceToken(
        signing_key=settings.signing_key, sub=NAME))

    def serve_in(app: FastAPI) -> None:
        if settings.jobs_url is None and "jobs" in app.state.units:
            openings.serve_in_process(app)

    clock = clock or SystemClock()
    database = Database(settings.db_url())
    freeze = freeze_on_timer(database, clock, every=settings.freeze_check_seconds)
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=outbox,
                       clock=clock, settings=settings, state={"openings": openings}, on_app=serve_in,
                       background=[freeze])


def create_app(settings: WorkersSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The workers service on its own (the distributed mode runs one of these per replica)."""
    settings = settings or WorkersSettings()
    unit = build(settings, clock=clock)
    return create_service_app(unit, title="JobBridge workers")
