"""Dependency factories every service's deps.py builds its Annotated aliases from.

The look-ups are `async def` though they never wait: FastAPI runs a plain `def` dependency in its thread pool, and
handing each request's look-ups to a thread and back cost more than the work of some whole requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.clock import Clock
from shared.driven import SingleWrite
from shared.runtime import ServiceUnit


def unit_of(service: str) -> Callable[[Request], ServiceUnit]:
    def unit(request: Request) -> ServiceUnit:
        return request.app.state.units[service]

    return unit


def session_of(service: str):
    """The request's unit of work on the service's database: one commit at the end, or a rollback."""
    unit = unit_of(service)

    async def session(request: Request) -> AsyncIterator[AsyncSession]:
        async with unit(request).database.transaction() as session:
            yield session

    return session


def single_writes_of(service: str):
    """A maker of single writes (`Database.single_write`), for routes whose writing is one statement. A plain
    dependency, as `readings_of`: the route opens the unit of work and it has written before the answer goes out,
    without the exit stack and shielded cancel scope FastAPI gives a dependency that yields, on every request."""
    unit = unit_of(service)

    async def single_writes(request: Request) -> Callable[[], AbstractAsyncContextManager[SingleWrite]]:
        return unit(request).database.single_write

    return single_writes


def readings_of(service: str):
    """A maker of reading units of work (`Database.reading`), for routes that only read: the route holds a connection
    for just its statements. A plain dependency: one that yields the connection costs FastAPI an exit stack and a
    shielded cancel scope on every request."""
    unit = unit_of(service)

    async def readings(request: Request) -> Callable[[], AbstractAsyncContextManager[AsyncConnection]]:
        return unit(request).database.reading

    return readings


def units_of(service: str):
    """A maker of units of work, for a route that must do slow work (reading an upload) before it holds one: on
    SQLite a unit of work holds the service's write turn, so nothing slow may happen inside it."""
    unit = unit_of(service)

    async def units(request: Request) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
        return unit(request).database.transaction

    return units


def clock_of(service: str) -> Callable[[Request], Awaitable[Clock]]:
    unit = unit_of(service)

    async def clock(request: Request) -> Clock:
        return unit(request).clock

    return clock


def settings_of(service: str):
    unit = unit_of(service)

    async def settings(request: Request):
        return unit(request).settings

    return settings
