"""Wake-ups across processes: a PostgreSQL connection that LISTENs on a channel and calls back on each NOTIFY.

A commit that asked to wake a channel (`shared.db.wake_at_commit`) sends a NOTIFY in its transaction; a relay or a
dispatcher in another process listens here and runs its next pass at once instead of at its next poll. The poll
stays the safety net: a notification sent while no connection listens is lost, so each (re)connection wakes once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from shared.db import Database
from shared.events.waiting import backoff, first_of

log = logging.getLogger("jobbridge.wakeup")

CONNECT_SECONDS = 10.0
CHECK_SECONDS = 15.0  # how often an idle connection is checked: one the network dropped silently says nothing
CHECK_TIMEOUT_SECONDS = 5.0
RECONNECT_BASE_SECONDS, RECONNECT_CAP_SECONDS = 0.5, 30.0


class ConnectionLost(Exception):
    """The listening connection closed (the server ended it, or the network did)."""


def connect_kwargs(database: Database) -> dict[str, Any]:
    """What SQLAlchemy's asyncpg dialect would pass to `asyncpg.connect` for this database (host, user, ssl, …)."""
    engine = database.engine
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    for option in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn"):
        kwargs.pop(option, None)  # the dialect's own options, not asyncpg's
    return dict(kwargs)


class Listener:
    """Calls `callback` on each NOTIFY of `channel`, and once after each (re)connection; reconnects with backoff.

    The connection is its own, outside the engine's pool, and named (`application_name`) so that an operator sees
    it in `pg_stat_activity`.
    """

    def __init__(self, *, database: Database, channel: str, callback: Callable[[], None], name: str) -> None:
        self.channel, self.callback = channel, callback
        self.application_name = f"jobbridge {name} listen"[:63]
        self.connections = 0  # successful LISTENs so far: a reconnection shows here
        self._kwargs = connect_kwargs(database)
        self._connection: asyncpg.Connection | None = None
        self._failures = 0

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection, while there is one."""
        connection = self._connection
        return connection.get_server_pid() if connection is not None and not connection.is_closed() else None

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop` is set; a failure costs a pause (exponential, jittered), never the loop."""
        while not stop.is_set():
            try:
                await self._listen(stop)
            except Exception as exc:  # noqa: BLE001 - the listener must outlive a database restart
                self._failures += 1
                log.warning("wake-up listener has no connection; polling meanwhile, reconnecting",
                            extra={"channel": self.channel, "failures": self._failures,
                                   "error": f"{type(exc).__name__}: {exc}"[:200]})
                await _sleep(stop, backoff(self._failures - 1, base=RECONNECT_BASE_SECONDS,
                                           cap=RECONNECT_CAP_SECONDS))

    async def _listen(self, stop: asyncio.Event) -> None:
        kwargs = dict(self._kwargs)
        server_settings = {**(kwargs.pop("server_settings", None) or {}), "application_name": self.application_name}
        connection = await asyncpg.connect(**kwargs, server_settings=server_settings, timeout=CONNECT_SECONDS)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        try:
            await connection.add_listener(self.channel, self._notified)
            self._connection, self._failures = connection, 0
            self.connections += 1
            self.callback()  # whatever was notified while nobody listened
            while True:
                await first_of(stop, lost, timeout=CHECK_SECONDS)
                if stop.is_set():
                    return
                if lost.is_set() or connection.is_closed():
                    raise ConnectionLost("the listening connection closed")
                await connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_SECONDS)
        finally:
            self._connection = None
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)  # asyncpg aborts the connection when it cannot close it in time

    def _notified(self, _connection: object, _pid: int, _channel: str, _payload: str) -> None:
        self.callback()


@asynccontextmanager
async def listening(database: Database, channel: str, callback: Callable[[], None], *,
                    name: str) -> AsyncIterator[Listener | None]:
    """Within the block, call `callback` whenever another process commits a wake-up of `channel` (PostgreSQL).
    On SQLite there is nothing to listen to (one process per database): yields None."""
    if database.is_sqlite:
        yield None
        return
    listener = Listener(database=database, channel=channel, callback=callback, name=name)
    stop = asyncio.Event()
    task = asyncio.create_task(listener.run(stop), name=f"listen-{channel}")
    try:
        yield listener
    finally:
        stop.set()
        try:
            await asyncio.wait([task], timeout=5)
        finally:
            if not task.done():  # still connecting, or this block itself is being cancelled
                task.cancel()
                await asyncio.wait([task], timeout=1)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
