"""The connection pool on PostgreSQL: a connection in steady use is not pinged, one that sat idle is, and one the
server ended while it sat idle is replaced without failing the unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import db
from shared.db import Database
from tests import services

pytestmark = pytest.mark.integration


async def backend(database: Database) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")))


async def test_a_connection_in_steady_use_is_not_pinged_so_its_loss_fails_one_unit_of_work(pg_url):
    database = Database(pg_url, pool_size=1)
    try:
        ended = await backend(database)
        await services.terminate_backend(ended)
        # Used again within PING_IDLE_SECONDS: no ping found it dead, the unit of work fails (a relay or consumer
        # tries again, an API request answers with an error) and the pool drops the connection.
        with pytest.raises(DBAPIError):
            await backend(database)
        assert await backend(database) != ended
    finally:
        await database.dispose()


async def test_a_connection_the_server_ended_while_idle_is_replaced(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.0)  # every checkout counts as after an idle spell
    database = Database(pg_url, pool_size=1)
    try:
        ended = await backend(database)
        await services.terminate_backend(ended)

        assert await backend(database) != ended  # no error: the ping found it dead, the pool made a new one
    finally:
        await database.dispose()
