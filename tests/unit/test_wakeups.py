"""Wake-ups sent with a commit: who is called, and when; the listener's connection settings (no server needed)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from shared.db import Database, wake_at_commit
from shared.events.wakeup import Listener, connect_kwargs, listening

metadata = MetaData()
things = Table("things", metadata, Column("id", Integer, primary_key=True))


@pytest.fixture
async def database(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'wake.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


class Woken:
    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


async def test_a_commit_wakes_the_callbacks_of_its_channels_once_after_it_committed(database):
    outbox, due = Woken(), Woken()
    database.on_commit("outbox", outbox)
    database.on_commit("due", due)
    async with database.transaction() as session:
        await session.execute(things.insert().values(id=1))
        wake_at_commit(session, "outbox")
        wake_at_commit(session, "outbox")
        assert outbox.times == 0  # not before the commit: the rows must be there for whoever wakes
    assert (outbox.times, due.times) == (1, 0)


async def test_a_rolled_back_unit_of_work_wakes_nobody(database):
    woken = Woken()
    database.on_commit("outbox", woken)
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await session.execute(things.insert().values(id=2))
            wake_at_commit(session, "outbox")
            raise RuntimeError("the request failed")
    async with database.transaction() as session:
        await session.execute(things.insert().values(id=3))  # a later commit that asked for nothing
    assert woken.times == 0


async def test_on_sqlite_nothing_listens_across_processes(database):
    async with listening(database, "outbox", Woken(), name="test") as listener:
        assert listener is None


async def test_the_listener_connects_as_the_engine_would_with_its_own_name():
    database = Database("postgresql+asyncpg://jobbridge:s3cret@db.internal:6432/notify?ssl=require"
                        "&prepared_statement_cache_size=0")
    try:
        kwargs = connect_kwargs(database)
        assert kwargs == {"host": "db.internal", "port": 6432, "user": "jobbridge", "password": "s3cret",
                          "database": "notify", "ssl": "require"}
        listener = Listener(database=database, channel="jobbridge_notify_due", callback=Woken(),
                            name="notify dispatcher")
        assert listener.application_name == "jobbridge notify dispatcher listen"
        assert listener.backend_pid is None and listener.connections == 0
    finally:
        await database.dispose()

