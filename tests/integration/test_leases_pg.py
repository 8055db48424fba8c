"""Connections kept between short units of work in autocommit (`shared.leases`), on PostgreSQL: the next unit gets
the same connection with nothing left open on it; only a few are kept, and not for long; a unit that fails, or a
connection the server ended, does not pass its trouble on; the service's transactions are not kept waiting."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from shared import db
from shared.db import Database, make_engine
from shared.errors import NotFound
from shared.leases import Leases
from tests import services

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(pg_url):
    engine = make_engine(pg_url, pool_size=4).execution_options(isolation_level="AUTOCOMMIT")
    yield engine
    await engine.dispose()


async def backend(leases: Leases) -> int:
    async with leases.connection() as connection:
        return int(await connection.scalar(text("SELECT pg_backend_pid()")))


def checked_out(leases: Leases) -> int:
    return leases.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined]


async def test_the_next_unit_gets_the_same_connection_with_no_transaction_left_on_it(engine):
    leases = Leases(engine, keep=2, idle_seconds=5.0)
    try:
        first = await backend(leases)
        assert await backend(leases) == first
        async with leases.connection() as connection:
            # now() is the start of the transaction: two statements apart in time see two, in autocommit.
            before = await connection.scalar(select(func.now()))
            await asyncio.sleep(0.02)
            assert await connection.scalar(select(func.now())) > before
            assert await connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = "
                                                "pg_backend_pid() AND backend_xid IS NOT NULL")) == 0
    finally:
        await leases.close()
    assert checked_out(leases) == 0


async def test_no_more_than_keep_are_kept_and_the_rest_go_back_to_the_pool(engine):
    leases = Leases(engine, keep=1, idle_seconds=5.0)
    try:
        async def hold() -> None:
            async with leases.connection() as connection:
                await connection.scalar(text("SELECT pg_sleep(0.05)"))

        await asyncio.gather(hold(), hold(), hold())
        assert (leases.idle, checked_out(leases)) == (1, 1)
    finally:
        await leases.close()
    assert checked_out(leases) == 0


async def test_a_connection_idle_for_its_time_goes_back_to_the_pool(engine):
    leases = Leases(engine, keep=2, idle_seconds=0.1)
    try:
        await backend(leases)
        assert checked_out(leases) == 1
        await asyncio.sleep(0.3)
        assert (leases.idle, checked_out(leases)) == (0, 0)
    finally:
        await leases.close()


async def test_a_unit_that_fails_gives_its_connection_back_to_the_pool(engine):
    leases = Leases(engine, keep=2, idle_seconds=5.0)
    try:
        with pytest.raises(DBAPIError):
            async with leases.connection() as connection:
                await connection.execute(text("SELECT no_such_column FROM pg_class"))
        assert (leases.idle, checked_out(leases)) == (0, 0)
    finally:
        await leases.close()


async def test_a_unit_that_answers_not_found_keeps_its_connection_for_the_next(engine):
    leases = Leases(engine, keep=2, idle_seconds=5.0)
    try:
        with pytest.raises(NotFound):
            async with leases.connection() as connection:
                first = int(await connection.scalar(text("SELECT pg_backend_pid()")))
                raise NotFound("no such posting")
        assert leases.idle == 1
        assert await backend(leases) == first
    finally:
        await leases.close()


async def test_a_connection_the_server_ended_while_kept_fails_one_unit_and_is_replaced(engine):
    leases = Leases(engine, keep=2, idle_seconds=5.0)
    try:
        ended = await backend(leases)
        await services.terminate_backend(ended)
        # As with the pool's own connections in steady use: no ping, so one unit fails and the connection is dropped.
        with pytest.raises(DBAPIError):
            await backend(leases)
        assert await backend(leases) != ended
    finally:
        await leases.close()


async def test_a_connection_the_server_ended_after_an_idle_spell_is_replaced_without_an_error(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.2)
    database = Database(pg_url, pool_size=5)
    try:
        async with database.reading() as connection:
            ended = int(await connection.scalar(text("SELECT pg_backend_pid()")))
        await services.terminate_backend(ended)
        # Kept for 0.2 s, then back in the pool for less than that: the pool pings it all the same, since it has
        # been idle for 0.25 s in all.
        await asyncio.sleep(0.25)
        async with database.reading() as connection:
            assert int(await connection.scalar(text("SELECT pg_backend_pid()"))) != ended
    finally:
        await database.dispose()


async def test_the_services_transactions_get_a_kept_connection_once_it_has_been_idle(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.2)
    database = Database(pg_url, pool_size=5)  # a fifth kept for reads, a fifth for single writes
    try:
        async with database.reading() as connection:
            await connection.scalar(text("SELECT 1"))
        async with database.single_write() as write:
            await write.fetch(select(func.now()), {})
        together = asyncio.Barrier(5)

        async def transaction() -> None:
            async with database.transaction() as session:
                await session.scalar(text("SELECT 1"))
                await together.wait()  # each holds its connection until all five have one

        # Five at once on a pool of five, two of whose connections are kept idle: the last two wait until those two
        # have been idle for their time, not for the pool's timeout (30 s).
        await asyncio.wait_for(asyncio.gather(*(transaction() for _ in range(5))), timeout=3.0)
    finally:
        await database.dispose()
