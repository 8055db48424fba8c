"""The services a process can run, and the embedded platform that serves all of them in one process."""

from __future__ import annotations

import importlib
from types import ModuleType

from fastapi import FastAPI

from shared.clock import Clock
from shared.runtime import Runtime, ServiceUnit, create_app, make_bus
from shared.settings import CommonSettings

SERVICES = ("jobs", "workers")


def module(name: str) -> ModuleType:
    if name not in SERVICES:
        raise KeyError(f"unknown service {name}; known: {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


def build_units(names: tuple[str, ...] = SERVICES, *, clock: Clock | None = None) -> list[ServiceUnit]:
    return [module(name).build(clock=clock) for name in names]


def create_platform(names: tuple[str, ...] = SERVICES, *, settings: CommonSettings | None = None,
                    clock: Clock | None = None) -> FastAPI:
    """Every named service in one app, one bus between them (in-process unless BUS=amqp)."""
    settings = settings or CommonSettings()
    units = build_units(names, clock=clock)
    runtime = Runtime(units=units, bus=make_bus(settings), settings=settings,
                      relays=settings.run_workers_in_process, consumers=settings.run_workers_in_process)
    return create_app(runtime)
