"""Async SQLAlchemy engines and sessions for SQLite (embedded) and PostgreSQL (distributed), one database a service."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    CursorResult,
    DateTime,
    Integer,
    Result,
    and_,
    any_,
    bindparam,
    event,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from shared.driven import SingleWrite
from shared.errors import Conflict
from shared.leases import IDLE_SINCE, Leases

# Constraint names every service's metadata uses, so migrations can name (and later drop) what they create.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s"}

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for sequences that grow for years.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _refuse_writes(_connection: Any, statement: Any, *_: Any) -> None:
    if getattr(statement, "is_dml", False):
        raise RuntimeError("a reading unit of work was given a statement that writes")


def rows_touched(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched (`session.execute` types its answer as a plain Result; for
    those statements it is a CursorResult, which counts them)."""
    return cast(CursorResult[Any], result).rowcount


def code_prefix(column: Any, prefix: Any) -> ColumnElement[bool]:
    """The rows whose code (digits, 12 at most: a region's adcode) starts with `prefix` (digits, or a bound parameter
    holding them). Said as a range besides the LIKE, so that a b-tree index on the column serves it under any
    collation (PostgreSQL uses an index for LIKE 'prefix%' only under the C collation or with a pattern index): a
    code starts with p exactly when p <= code <= p || '999999999999'."""
    prefix = literal(prefix) if isinstance(prefix, str) else prefix
    return and_(column >= prefix, column <= prefix.concat("9" * 12), column.like(prefix.concat("%")))


def one_of(column: Any, name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """The rows whose `column` is one of the list bound as `name`. On PostgreSQL `column = ANY(:name)`: one array
    parameter however long the list, where an IN list's placeholders are rendered anew by SQLAlchemy at every
    execution (6 % of notify's consumer under a burst); elsewhere an expanding IN."""
    if postgresql:
        return cast(ColumnElement[bool], column == any_(bindparam(name, type_=ARRAY(column.type))))
    return cast(ColumnElement[bool], column.in_(bindparam(name, expanding=True)))


class UtcDateTime(TypeDecorator):
    """A UTC instant that comes back time-zone aware from SQLite too (which stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC instant")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def _owner_only(url: str) -> None:
    """Make the SQLite file (and its WAL files, which SQLite creates with the file's mode) readable by its owner
    only, like secrets.json: it holds sealed personal numbers and everything else of the service."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path.startswith(":memory:") or "mode=memory" in path:
        return
    file = Path(path.split("?", 1)[0])
    file.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(file, os.O_CREAT | os.O_RDWR, 0o600))
    for each in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        if each.exists():
            os.chmod(each, 0o600)


def make_engine(url: str, *, pool_size: int = 20) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and foreign keys so concurrent tasks do not fail."""
    if url.startswith("sqlite"):
        _owner_only(url)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No overflow: connections past a pool's size are closed as soon as they come back, so under a steady load above
    # the size one was opened and closed (a PostgreSQL backend started and ended) for about every request over it:
    # 32 GET /jobs/postings/{id} at once on one server process got 760-790 answers a second with 10 + 10 overflow,
    # 1,120-1,170 with 20 kept (runs back to back). The pool opens connections only as they are needed, and keeps
    # them: a process that once had 20 statements in flight holds 20 of the server's connections (docs/scaling.md).
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle for longer than this is pinged before use: one a restarted server or the network dropped
# is replaced instead of failing the unit of work. One in steady use is not: a ping before every transaction would
# cost it three round trips (BEGIN, a query, ROLLBACK), which for a relay pass or a consumer batch is half its work.
PING_IDLE_SECONDS = 5.0
# Of a pool's connections, the share a Database may keep idle for its next reads, and as much for its next single
# writes (`shared.leases`): a fifth each, so that most stay free for the service's transactions.
LEASES_SHARE = 0.2


def _ping_when_idle(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info.setdefault(IDLE_SINCE, time.monotonic())  # kept idle before (`shared.leases`): since then

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool replaces the connection and tries the next one
            raise DisconnectionError("a pooled connection did not answer its ping") from exc


_WAKE = "wake_at_commit"
_NOTIFY = "notify_at_commit"


def wake_at_commit(session: AsyncSession, channel: str, *, notified: bool = False) -> None:
    """Wake whoever waits on `channel` once this unit of work (`Database.transaction`) commits: the callbacks this
    process registered with `Database.on_commit`, and on PostgreSQL every process LISTENing on the channel in this
    database (`shared.events.wakeup`). Nothing is woken if the unit of work rolls back.

    `notified`: the statement that wrote the rows sent the NOTIFY itself (`notifying`), so the commit sends none
    for it: a NOTIFY belongs to the (sub)transaction that sent it, and PostgreSQL delivers one per channel however
    many were sent."""
    session.info.setdefault(_WAKE, set()).add(channel)
    if not notified:
        session.info.setdefault(_NOTIFY, set()).add(channel)


def on_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def notifying(insert: Any, channel: str) -> Any:
    """`insert` (an INSERT) as a PostgreSQL statement that also NOTIFYs `channel` when it writes a row, in the same
    round trip: `WITH written AS (INSERT … RETURNING 1) SELECT pg_notify(…) FROM written`. Whoever runs it tells
    `wake_at_commit(…, notified=True)`."""
    written = insert.returning(literal_column("1")).cte("written")
    return select(func.pg_notify(channel, "")).select_from(written).limit(1)


class Database:
    """One service's database: its engine, its session factory, and wake-ups sent with each commit."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads on PostgreSQL in autocommit: a lone SELECT needs no BEGIN and COMMIT around it, two of its three round
        # trips. SQLite's driver begins a transaction only before a write, so its reads need nothing.
        self._readers = self.engine.execution_options(**({} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}))
        event.listen(self._readers.sync_engine, "before_execute", _refuse_writes)
        # On PostgreSQL both kinds run in autocommit, on connections kept between them (`shared.leases`); single
        # writes too: the one statement is its own transaction.
        self._reads: Leases | None = None
        self._writes: Leases | None = None
        if not self.is_sqlite:
            keep = int(pool_size * LEASES_SHARE)
            self._reads = Leases(self._readers, keep=keep, idle_seconds=PING_IDLE_SECONDS)
            self._writes = Leases(self.engine.execution_options(isolation_level="AUTOCOMMIT"), keep=keep,
                                  idle_seconds=PING_IDLE_SECONDS)
        self._after_commit: defaultdict[str, list[Callable[[], None]]] = defaultdict(list)
        # SQLite has one write lock and its busy handler sleeps up to 100 ms between tries: units of work of one
        # process take turns here instead, which cuts the tail latency under concurrent requests by about 3x.
        self._turns = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def on_commit(self, channel: str, callback: Callable[[], None]) -> None:
        """Call `callback` after every commit of this Database that asked to wake `channel` (`wake_at_commit`)."""
        self._after_commit[channel].append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit once at the end, roll back on any error; a unique-key clash becomes Conflict."""
        async with self._turns or contextlib.nullcontext(), self.sessions() as session, _committed(session):
            yield session
            await self._notify(session)
        self._woken(session.info.pop(_WAKE, ()))

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A unit of work that only reads, as a Core connection (no ORM session: its bookkeeping cost a read as much
        as the statement): each statement sees what was committed when it ran (one statement per answer keeps an
        answer consistent), and nothing waits for SQLite's write turn. An INSERT, UPDATE or DELETE through it is
        refused before it is sent."""
        async with self._reads.connection() if self._reads else self._readers.connect() as connection:
            yield connection

    @asynccontextmanager
    async def single_write(self) -> AsyncIterator[SingleWrite]:
        """A unit of work that writes with one statement (`shared.driven.SingleWrite`): on PostgreSQL a connection
        in autocommit, the statement its own transaction (one round trip where a transaction takes three, and no
        ORM session); on SQLite a transaction in the write turn. A unique-key clash becomes Conflict."""
        if self._writes is None:
            async with self._turns or contextlib.nullcontext(), self.engine.connect() as connection, \
                    _committed(connection):
                write = SingleWrite(connection, autocommit=False)
                await connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now, not half-way
                yield write
        else:
            async with self._writes.connection() as connection:
                write = SingleWrite(connection, autocommit=True)
                yield write
        self._woken(write.woken)

    def _woken(self, channels: Iterable[str]) -> None:
        """Call what waits on each channel a unit of work just committed asked to wake (`on_commit`)."""
        for channel in sorted(channels):
            for callback in self._after_commit.get(channel, ()):
                callback()

    async def _notify(self, session: AsyncSession) -> None:
        """NOTIFY, in the transaction, the channels it asked to wake whose writes sent none themselves (bulk writes,
        say): PostgreSQL delivers them only if it commits. Sent here rather than where those rows are written: a
        NOTIFY inside a SAVEPOINT that rolls back is lost, while rows written outside it are not. (A statement that
        NOTIFYs itself, `notifying`, loses its NOTIFY only with its own rows.)"""
        if self.is_sqlite:
            return
        for channel in sorted(session.info.get(_NOTIFY, ())):
            await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness reports any failure as not ready
            return False

    async def dispose(self) -> None:
        for leases in (self._reads, self._writes):
            if leases is not None:
                await leases.close()
        await self.engine.dispose()


@asynccontextmanager
async def _committed(unit: AsyncSession | AsyncConnection) -> AsyncIterator[None]:
    """Commit `unit` when the block ends, roll it back on any error; a unique-key clash becomes Conflict."""
    try:
        yield
        await unit.commit()
    except IntegrityError as exc:
        await unit.rollback()
        raise Conflict("the record clashes with one that already exists", zh="与已有的记录重复") from exc
    except BaseException:
        await unit.rollback()
        raise


async def begin_writing(session: AsyncSession) -> None:
    """Open the session's transaction as a writer now, so SAVEPOINTs (`begin_nested`) nest inside it.

    The SQLite driver begins a transaction only at the first INSERT, UPDATE or DELETE, and a SAVEPOINT issued before
    that starts one of its own, which its RELEASE then commits: rows "inside" the unit of work would survive its
    rollback. BEGIN IMMEDIATE also takes the write lock up front, so a bulk write is not refused half-way by a
    concurrent writer. PostgreSQL needs nothing.
    """
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None, "a checked-out connection has its driver's connection"
    if not driver.in_transaction:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
