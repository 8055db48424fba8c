"""The composition root of a process: one or more services, their databases, the bus, relays and consumers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Table

from shared import heap
from shared.apidocs import install_api_docs
from shared.auth import Principal, Role, require
from shared.body_guard import BodyGuard
from shared.clock import Clock
from shared.db import Database
from shared.errors import install_error_handlers
from shared.events.bus import Bus
from shared.events.inbox import Consumer
from shared.events.outbox import OutboxRelay
from shared.logs import RequestContext
from shared.metrics import router as metrics_router
from shared.migrations import upgrade_async
from shared.openapi import document_errors
from shared.rate_limits import RateLimiter, parse_limits
from shared.routes import serve
from shared.settings import CommonSettings

log = logging.getLogger("jobbridge.runtime")

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                                  "auto_configure": False}

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class ServiceUnit:
    """What a service brings to a process: routes, its database, its outbox, its consumers, periodic tasks."""

    name: str
    router: APIRouter
    database: Database
    migrations_dir: Path
    outbox: Table | None  # None: the service publishes no events (the console), so no relay runs for it
    clock: Clock
    settings: CommonSettings
    consumers: list[Consumer] = field(default_factory=list)
    background: list[BackgroundTask] = field(default_factory=list)
    # Tasks of a process that serves the unit's API, alongside it (what keeps its routes' caches current).
    serving: list[BackgroundTask] = field(default_factory=list)
    state: dict[str, object] = field(default_factory=dict)  # what the service's routes share, e.g. caches
    # Event types published for whoever may bind to them (none of our services needs them): the broker confirms
    # them with no queue bound, instead of refusing them and leaving them in the outbox.
    optional_events: frozenset[str] = frozenset()
    # Called with the app that serves the unit, for what a router cannot carry (exception handlers of its own).
    on_app: Callable[[FastAPI], None] | None = None
    # What the unit opened besides its database (the HTTP clients of notify's providers): closed by `close`.
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # CPU work worth doing before the first request or event needs it (matching's word model): run in a thread once
    # the process has started, in processes that serve the API or consume events.
    warm_up: Callable[[], object] | None = None

    async def migrate(self) -> None:
        await upgrade_async(service=self.name, migrations_dir=self.migrations_dir, url=self.database.url)

    async def close(self) -> None:
        """Close what the unit opened, its database's connections last; the process stops using the unit."""
        for close in self.on_stop:
            await close()
        await self.database.dispose()


class Runtime:
    """Starts and stops what the process runs, in order: migrations, bus, consumers, relays, periodic tasks."""

    def __init__(self, *, units: Sequence[ServiceUnit], bus: Bus, settings: CommonSettings,
                 api: bool = True, relays: bool = True, consumers: bool = True, settle_heap: bool = False) -> None:
        """`settle_heap`: once started and warmed up, the process freezes what it was built of (shared.heap), for
        the processes that own their interpreter (`jobbridge serve`, `consume`, `relay`), not a test's."""
        self.units = list(units)
        self.settle_heap = settle_heap
        self.bus = bus
        self.settings = settings
        self.api, self.run_relays, self.run_consumers = api, relays, consumers
        self.relays = {u.name: OutboxRelay(database=u.database, outbox=u.outbox, bus=bus, service=u.name,
                                           clock=u.clock, batch=settings.relay_batch,
                                           poll_seconds=settings.relay_poll_seconds, optional=u.optional_events)
                       for u in self.units if u.outbox is not None}
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.warm_ups: list[asyncio.Task] = []  # CPU work run in threads once started (ServiceUnit.warm_up)
        self.settled: asyncio.Task[None] | None = None  # settling the heap, once started with settle_heap
        self.after_start: list[Callable[[], Awaitable[None]]] = []

    async def start(self) -> None:
        for unit in self.units:
            await unit.migrate()
        await self.bus.start()
        if self.run_consumers:
            for unit in self.units:
                for consumer in unit.consumers:
                    await consumer.attach(self.bus)
        if self.run_relays:
            self._tasks += [asyncio.create_task(relay.run(self._stop), name=f"relay-{name}")
                            for name, relay in self.relays.items()]
            self._tasks += [asyncio.create_task(task(self._stop)) for unit in self.units for task in unit.background]
        if self.api:
            self._tasks += [asyncio.create_task(task(self._stop)) for unit in self.units for task in unit.serving]
        if self.api or self.run_consumers:
            self.warm_ups = [asyncio.create_task(asyncio.to_thread(unit.warm_up), name=f"warm-up-{unit.name}")
                             for unit in self.units if unit.warm_up is not None]
            self._tasks += self.warm_ups
        for hook in self.after_start:
            await hook()
        if self.settle_heap:
            self.settled = asyncio.create_task(self._settle(), name="settle-heap")
            self._tasks.append(self.settled)

    async def _settle(self) -> None:
        if self.warm_ups:
            await asyncio.wait(self.warm_ups)
        log.info("heap settled: what the process was built of is out of the collector's sight",
                 extra={"objects": heap.settle()})

    async def stop_relays(self) -> None:
        """Stop the relays and periodic tasks, leaving consumers and the bus running."""
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
            for task in self._tasks:
                task.cancel()
        await self.bus.close()
        for unit in self.units:
            await unit.close()

    async def wait(self) -> None:
        await self._stop.wait()


def health_router(service: str) -> APIRouter:
    """A service's health, readiness and dead letters. The routes find the unit and the bus through the request's
    app (`create_app` keeps them in its state) rather than holding them: FastAPI keeps the routes' functions in
    caches of its own, and whatever a function held would stay alive with it after its app was gone."""
    router = APIRouter(prefix=f"/{service}", tags=["health"])

    @router.get("/health")
    async def health() -> dict:
        return {"service": service, "status": "ok"}

    @router.get("/ready")
    async def ready(request: Request) -> JSONResponse:
        database = await request.app.state.units[service].database.ping()
        broker = bool(getattr(request.app.state.runtime.bus, "connected", False))
        body = {"service": service, "database": database, "broker": broker}
        return JSONResponse(body, status_code=200 if database and broker else 503)

    @router.get("/dead-letters")
    async def dead_letters(request: Request, _: Annotated[Principal, Depends(require(Role.admin))]) -> dict:
        """Events each consumer of the service gave up on after the delivery limit (admin; null: not known here)."""
        bus: Bus = request.app.state.runtime.bus
        counts: dict[str, int | None] = {}
        for consumer in request.app.state.units[service].consumers:
            try:
                counts[consumer.name] = await bus.dead_letters(consumer.name)
            except Exception:  # noqa: BLE001 - a queue not declared yet or a broker away: unknown, not an error page
                counts[consumer.name] = None
        return {"service": service, "dead_letters": counts}

    return router


def create_app(runtime: Runtime, *, title: str = "JobBridge") -> FastAPI:
    """One FastAPI app serving every unit of the runtime under its own path prefix."""

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # The API docs load their scripts and styles from the platform itself (shared/apidocs), never from a CDN.
    # FastAPI's own OpenTelemetry hooks are off: the platform configures no OpenTelemetry provider (its metrics are
    # Prometheus's, its request log is RequestContext's), and with them on every request asked the OpenTelemetry
    # API, the environment included, whether one had been configured since (2-5 % of a small read's CPU).
    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0", docs_url=None, redoc_url=None,
                  telemetry=NO_TELEMETRY)
    install_api_docs(app)
    app.state.signing_key = runtime.settings.signing_key
    app.state.runtime = runtime
    app.state.units = {unit.name: unit for unit in runtime.units}
    app.state.rate_limiter = RateLimiter(parse_limits(runtime.settings.rate_limits))
    uploads = max((getattr(unit.settings, "upload_max_bytes", 0) for unit in runtime.units), default=0)
    app.add_middleware(BodyGuard, max_bytes=runtime.settings.body_max_bytes,
                       max_upload_bytes=max(uploads, runtime.settings.body_max_bytes))
    app.add_middleware(RequestContext)  # outermost: every answer, the guard's too, is logged with its request id
    install_error_handlers(app)
    for unit in runtime.units:
        serve(app, unit.router)
        serve(app, health_router(unit.name))
        if unit.on_app is not None:
            unit.on_app(app)
    serve(app, metrics_router)
    document_errors(app)
    return app


def create_service_app(unit: ServiceUnit, *, title: str) -> FastAPI:
    """One service on its own (the distributed mode runs one of these per replica), with its relay and consumers in
    the process when its settings say so. A unit that neither publishes nor consumes events (the console) gets an
    in-process bus, whatever BUS says, so that it needs no broker to start or to be ready."""
    settings = unit.settings
    if unit.outbox is None and not unit.consumers:
        bus = make_bus(settings.model_copy(update={"bus": "memory"}), name=f"jobbridge {unit.name}")
        runtime = Runtime(units=[unit], bus=bus, settings=settings, relays=False, consumers=False)
    else:
        runtime = Runtime(units=[unit], bus=make_bus(settings, name=f"jobbridge {unit.name} api"), settings=settings,
                          relays=settings.run_workers_in_process, consumers=settings.run_workers_in_process)
    return create_app(runtime, title=title)


def make_bus(settings: CommonSettings, *, name: str = "jobbridge") -> Bus:
    """The bus of the settings; `name` tells the broker which process a connection belongs to
    (e.g. "jobbridge notify consume"), so that an operator can find and close it."""
    if settings.bus == "amqp":
        from shared.events.amqp import RabbitBus

        return RabbitBus(settings.amqp_url, exchange=settings.amqp_exchange, prefetch=settings.amqp_prefetch,
                         batch_prefetch=settings.amqp_batch_prefetch, delivery_limit=settings.delivery_limit, name=name)
    from shared.events.memory import InProcessBus

    return InProcessBus(delivery_limit=settings.delivery_limit)
