"""The services a process can run, and the embedded platform that serves all of them in one process."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from fastapi import FastAPI

from shared.clock import Clock
from shared.runtime import Runtime, ServiceUnit, create_app, make_bus
from shared.settings import CommonSettings

SERVICES = ("jobs", "workers", "matching", "notify")  # the four APIs, each with its events
CONSOLE = "console"  # the staff console: pages over the four APIs, its own accounts database, no events
ALL = (*SERVICES, CONSOLE)  # what `jobbridge serve` and `jobbridge migrate` run by default


def module(name: str) -> ModuleType:
    if name not in ALL:
        raise KeyError(f"unknown service {name}; known: {', '.join(ALL)}")
    return importlib.import_module(f"services.{name}.app")


def build_units(names: tuple[str, ...] = SERVICES, *, clock: Clock | None = None,
                service_settings: Mapping[str, CommonSettings] | None = None) -> list[ServiceUnit]:
    """Each named service's unit, with its own settings (read from the environment unless given)."""
    given = service_settings or {}
    return [module(name).build(given.get(name), clock=clock) for name in names]


def create_platform(names: tuple[str, ...] = ALL, *, settings: CommonSettings | None = None,
                    clock: Clock | None = None,
                    service_settings: Mapping[str, CommonSettings] | None = None) -> FastAPI:
    """Every named service in one app, one bus between them (in-process unless BUS=amqp)."""
    settings = settings or CommonSettings()
    units = build_units(names, clock=clock, service_settings=service_settings)
    if all(unit.outbox is None and not unit.consumers for unit in units):
        settings = settings.model_copy(update={"bus": "memory"})  # nothing here publishes or consumes: no broker
    bus = make_bus(settings, name=f"jobbridge {'+'.join(names)} api")
    runtime = Runtime(units=units, bus=bus, settings=settings,
                      relays=settings.run_workers_in_process, consumers=settings.run_workers_in_process)
    return create_app(runtime)
