"""Connections in autocommit kept open between the short units of work that use them (`Database.reading`,
`Database.single_write` on PostgreSQL).

Taking a connection from SQLAlchemy's pool and giving it back cost 60-110 µs of CPU (a greenlet each way, the pool's
events, the connection's isolation level set and reset), as much as the statement a read by id sends. A unit of work
in autocommit leaves nothing on its connection to reset (no transaction is open when it ends), so the next such unit
can take the same connection as it is. A few are kept at a time, and none for longer than a few seconds idle: the
rest go back to the pool, where the service's transactions find them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.errors import DomainError

# Where a pooled connection's record holds the moment it fell idle: set by the pool as it takes a connection back,
# or, for one kept here, when it was last given back, so that the pool's ping sees the whole idle spell.
IDLE_SINCE = "idle_since"


class Leases:
    """Connections of `engine` (one whose connections are in autocommit) lent to one unit of work at a time.

    At most `keep` idle ones are held. One idle for `idle_seconds` goes back to the pool, where the service's
    transactions can have it, and which pings a connection that has been idle before lending it
    (`shared.db._ping_when_idle`): one a restarted server dropped is replaced there instead of failing a request. A
    unit that ends with any other error than the service's own (`DomainError`: a 404, a 409) gives its connection
    back to the pool too, whatever state the error left it in."""

    def __init__(self, engine: AsyncEngine, *, keep: int, idle_seconds: float,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.keep, self.idle_seconds, self.now = engine, keep, idle_seconds, now
        self._idle: list[tuple[AsyncConnection, float]] = []  # the most recently used last
        self._sweep: asyncio.TimerHandle | None = None
        self._returning: set[asyncio.Task[None]] = set()

    @property
    def idle(self) -> int:
        return len(self._idle)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        connection = await self._take()
        try:
            yield connection
        except DomainError:
            # Raised by the service between statements (a 404, a 409 the driver's answer became): the connection is
            # in step with its server.
            await self._give_back(connection)
            raise
        except BaseException:
            await connection.close()
            raise
        await self._give_back(connection)

    async def _take(self) -> AsyncConnection:
        while self._idle:
            connection, since = self._idle.pop()
            if self.now() - since < self.idle_seconds:
                del connection.info[IDLE_SINCE]
                return connection
            await connection.close()
        return await self.engine.connect()

    async def _give_back(self, connection: AsyncConnection) -> None:
        if connection.closed or connection.invalidated or len(self._idle) >= self.keep:
            await connection.close()
            return
        if connection.in_transaction():
            # The mark SQLAlchemy sets at a statement it runs itself. In autocommit the server holds no transaction,
            # so ending it sends nothing.
            await connection.rollback()
        since = self.now()
        connection.info[IDLE_SINCE] = since
        self._idle.append((connection, since))
        if self._sweep is None:
            self._sweep = asyncio.get_running_loop().call_later(self.idle_seconds, self._expire)

    def _expire(self) -> None:
        """Give back to the pool the connections idle for `idle_seconds`; look again when the next one will be."""
        self._sweep = None
        cutoff = self.now() - self.idle_seconds
        stale = [connection for connection, since in self._idle if since <= cutoff]
        self._idle = [(connection, since) for connection, since in self._idle if since > cutoff]
        if stale:
            task = asyncio.get_running_loop().create_task(_close_all(stale))
            self._returning.add(task)
            task.add_done_callback(self._returning.discard)
        if self._idle:
            wait = self._idle[0][1] + self.idle_seconds - self.now()
            self._sweep = asyncio.get_running_loop().call_later(max(wait, 0.0), self._expire)

    async def close(self) -> None:
        """Give every idle connection back to the pool (before the engine is disposed of)."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        idle, self._idle = [connection for connection, _ in self._idle], []
        await _close_all(idle)
        if self._returning:
            await asyncio.gather(*self._returning)


async def _close_all(connections: list[AsyncConnection]) -> None:
    for connection in connections:
        await connection.close()
