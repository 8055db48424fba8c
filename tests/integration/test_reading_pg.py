"""Reading units of work on PostgreSQL: their statements run without a transaction around them (no BEGIN or COMMIT
to wait for), the connection they used is transactional again for the next unit of work, and a write given to one
is refused, never sent."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Integer, MetaData, delete, func, insert, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database

pytestmark = pytest.mark.integration


class Base(DeclarativeBase):
    metadata = MetaData()


class Note(Base):
    __tablename__ = "reading_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@pytest.fixture
async def database(pg_url):
    database = Database(pg_url, pool_size=1)  # one connection: the units of work below take turns on it
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


async def two_clocks(unit) -> tuple:
    """now() is the start of the current transaction: equal twice within one, apart between two."""
    first = await unit.scalar(select(func.now()))
    await asyncio.sleep(0.02)
    return first, await unit.scalar(select(func.now()))


async def test_a_reading_unit_runs_each_statement_on_its_own(database):
    async with database.reading() as connection:
        first, second = await two_clocks(connection)
    assert second > first


async def test_the_same_connection_is_transactional_again_after_reading(database):
    async with database.reading() as connection:
        await connection.scalar(text("SELECT 1"))
    async with database.transaction() as session:
        first, second = await two_clocks(session)
    assert second == first


async def test_a_write_given_to_a_reading_unit_is_refused_and_not_written(database):
    for write in (insert(Note).values(id=1), update(Note).values(id=2), delete(Note)):
        with pytest.raises(RuntimeError, match="reading unit of work"):
            async with database.reading() as connection:
                await connection.execute(write)
    async with database.transaction() as session:
        session.add(Note(id=3))
    async with database.reading() as connection:
        assert list(await connection.scalars(select(Note.id))) == [3]
