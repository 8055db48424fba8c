"""The services a process can run, and the embedded platform that serves all of them in one process.

The table below is the one list of services: each name is tied to its service's app module by a plain import. The
import sits in a small function so that a process imports only the services it runs (a jobs relay does not load
matching's ranking, and its numerical libraries, to publish postings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from fastapi import FastAPI

from shared.clock import Clock
from shared.runtime import Runtime, ServiceUnit, create_app, make_bus
from shared.settings import CommonSettings


class ServiceApp(Protocol):
    """What each `services/<name>/app.py` offers: the unit it runs in a process, and an app of its own."""

    def build(self, settings: Any = None, *, clock: Clock | None = None) -> ServiceUnit: ...

    def create_app(self, settings: Any = None, *, clock: Clock | None = None) -> FastAPI: ...


def _jobs() -> ServiceApp:
    from services.jobs import app

    return app


def _workers() -> ServiceApp:
    from services.workers import app

    return app


def _matching() -> ServiceApp:
    from services.matching import app

    return app


def _notify() -> ServiceApp:
    from services.notify import app

    return app


def _console() -> ServiceApp:
    from services.console import app

    return app


APPS: dict[str, Callable[[], ServiceApp]] = {
    "jobs": _jobs,
    "workers": _workers,
    "matching": _matching,
    "notify": _notify,
    "console": _console,  # the staff console: pages over the four APIs, its own accounts database, no events
}
SERVICES = ("jobs", "workers", "matching", "notify")  # the four APIs, each with its events
CONSOLE = "console"
ALL = tuple(APPS)  # what `jobbridge serve` and `jobbridge migrate` run by default


def module(name: str) -> ServiceApp:
    """The app module of the named service."""
    if name not in APPS:
        raise KeyError(f"unknown service {name}; known: {', '.join(ALL)}")
    return APPS[name]()


def build_units(names: tuple[str, ...] = SERVICES, *, clock: Clock | None = None,
                service_settings: Mapping[str, CommonSettings] | None = None) -> list[ServiceUnit]:
    """Each named service's unit, with its own settings (read from the environment unless given)."""
    given = service_settings or {}
    return [module(name).build(given.get(name), clock=clock) for name in names]


def create_platform(names: tuple[str, ...] = ALL, *, settings: CommonSettings | None = None,
                    clock: Clock | None = None, service_settings: Mapping[str, CommonSettings] | None = None,
                    settle_heap: bool = False) -> FastAPI:
    """Every named service in one app, one bus between them (in-process unless BUS=amqp); `settle_heap` for the
    process that owns its interpreter (Runtime)."""
    settings = settings or CommonSettings()
    units = build_units(names, clock=clock, service_settings=service_settings)
    if all(unit.outbox is None and not unit.consumers for unit in units):
        settings = settings.model_copy(update={"bus": "memory"})  # nothing here publishes or consumes: no broker
    bus = make_bus(settings, name=f"jobbridge {'+'.join(names)} api")
    runtime = Runtime(units=units, bus=bus, settings=settings, relays=settings.run_workers_in_process,
                      consumers=settings.run_workers_in_process, settle_heap=settle_heap)
    return create_app(runtime)
