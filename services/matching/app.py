"""The matching service: its composition (routes, database, consumers, ranker cache) and a standalone app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.matching import consumers
from services.matching.candidates.router import router as candidates_router
from services.matching.db import inbox, outbox
from services.matching.events import SHORTFALL_DETECTED
from services.matching.outcomes.router import router as outcomes_router
from services.matching.ranker_cache import RankerCache
from services.matching.recommendations.router import router as recommendations_router
from services.matching.runs.router import router as runs_router
from services.matching.settings import MatchingSettings
from services.matching.shortfalls.router import router as shortfalls_router
from services.matching.vocabulary.router import router as vocabulary_router
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.events.inbox import Consumer
from shared.reference.vocabulary import default as default_vocabulary
from shared.routes import joined
from shared.runtime import ServiceUnit, create_service_app

NAME = "matching"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: MatchingSettings | None = None, *, clock: Clock | None = None) -> ServiceUnit:
    settings = settings or MatchingSettings()
    clock = clock or SystemClock()
    database = Database(settings.db_url())
    cache = RankerCache(settings.ranking())
    router = joined(recommendations_router, runs_router, candidates_router, outcomes_router, shortfalls_router,
                    vocabulary_router)
    consumers_ = [
        Consumer(name=NAME, database=database, inbox=inbox, handlers=consumers.read_model_handlers(clock),
                 batch_handlers=consumers.read_model_batch_handlers(), clock=clock),
        # A run's items are long pieces of work: each commits on its own, as soon as it is done.
        Consumer(name=f"{NAME}-runs", database=database, inbox=inbox,
                 handlers=consumers.run_handlers(cache, settings, clock), clock=clock, batches=False),
    ]
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=outbox,
                       clock=clock, settings=settings, consumers=consumers_, state={"rankers": cache},
                       # Staff act on shortfalls through the sets and the run report; the event is for whoever binds.
                       optional_events=frozenset({SHORTFALL_DETECTED}),
                       # The word segmenter, the groups' texts and the linear model of the lexicon take a second or
                       # two to build; every vocabulary of the process shares them, so the first run need not wait.
                       warm_up=lambda: default_vocabulary().model)


def create_app(settings: MatchingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The matching service on its own (the distributed mode runs one of these per replica)."""
    settings = settings or MatchingSettings()
    unit = build(settings, clock=clock)
    return create_service_app(unit, title="JobBridge matching")
