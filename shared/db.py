"""Async SQLAlchemy engines and sessions for SQLite (embedded) and PostgreSQL (distributed), one database a service."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
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
    Float,
    Integer,
    Result,
    Select,
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
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared.errors import Conflict

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


# What `fetch_rows` knows of a statement on asyncpg: its SQL, the names of its positional parameters, the values of
# those it binds itself (literals), and what turns a column's value as asyncpg gives it into SQLAlchemy's. None: a
# column whose value SQLAlchemy would change in a way not known here; the statement goes through SQLAlchemy.
_Driven = tuple[str, tuple[str, ...], dict[str, Any], dict[str, Callable[[Any], Any]]]
_DRIVEN: dict[Select, _Driven | None] = {}
_DRIVEN_MAX = 512  # statements are built once each (module constants, lru_cache): this bound is never reached


async def fetch_rows(connection: AsyncConnection, statement: Select,
                     values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """Every row of a SELECT as a mapping of its columns, the same as `(await connection.execute(statement, values))
    .mappings().all()` gives. On PostgreSQL (asyncpg) the statement, compiled once, is sent by the driver itself:
    SQLAlchemy's execution path (execution context, cursor adaptation, result metadata) cost 170-300 µs of CPU a
    statement, more than the driver's whole round trip; columns are decoded by asyncpg's codecs, which are the ones
    SQLAlchemy sets up for its own use (JSON among them), and a type's own result processing (`UtcDateTime`) is
    applied here. A statement whose columns SQLAlchemy would process otherwise goes through SQLAlchemy.

    On a unit of work's connection (`await session.connection()`), a statement sent before any other runs ahead of
    the transaction's BEGIN (SQLAlchemy sends it with its first statement), as a transaction of its own: for a
    look-up under READ COMMITTED, where each statement sees what was committed when it ran, that is the same."""
    if getattr(statement, "is_dml", False):
        raise RuntimeError("fetch_rows reads; it was given a statement that writes")
    driven = _driven(statement, connection) if connection.dialect.driver == "asyncpg" else None
    if driven is None:
        return cast(Sequence[Mapping[str, Any]], (await connection.execute(statement, values)).mappings().all())
    sql, names, literals, processors = driven
    bound = literals | dict(values)
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None, "a checked-out connection has its driver's connection"
    try:
        records = await driver.fetch(sql, *(bound[name] for name in names))
    except BaseException:
        await connection.invalidate()  # what state the driver's connection is in is not known: it is not reused
        raise
    rows = [dict(record) for record in records]
    for name, process in processors.items():
        for row in rows:
            row[name] = process(row[name])
    return rows


def _driven(statement: Select, connection: AsyncConnection) -> _Driven | None:
    if statement in _DRIVEN:
        return _DRIVEN[statement]
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    processors: dict[str, Callable[[Any], Any]] | None
    try:
        processed = ((column.keyname, _processor(column.type, dialect)) for column in compiled._result_columns)
        processors = {name: process for name, process in processed if process is not None}
    except _NotKnown:
        processors = None
    names = tuple(compiled.positiontup or ())
    keys = [column.keyname for column in compiled._result_columns]
    driven: _Driven | None = None
    if processors is not None and len(set(keys)) == len(keys) and not compiled.post_compile_params:
        literals = {name: bind.effective_value for name, bind in compiled.binds.items()
                    if name in names and not bind.required}
        driven = (str(compiled), names, literals, processors)
    if len(_DRIVEN) >= _DRIVEN_MAX:
        _DRIVEN.clear()
    _DRIVEN[statement] = driven
    return driven


class _NotKnown(Exception):
    """SQLAlchemy would process a column's value in a way `fetch_rows` does not know."""


def _processor(type_: TypeEngine[Any], dialect: Any) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a column's value as asyncpg decodes it: nothing (None) or a function; _NotKnown when
    that is not known here. A TypeDecorator's own processing over an implementation that does nothing; floats as
    asyncpg gives them unless they are asked as Decimal."""
    if isinstance(type_, TypeDecorator):
        if _processor(type_.impl_instance, dialect) is not None:
            raise _NotKnown(type_)

        def process(value: Any, decorator: TypeDecorator = type_) -> Any:
            return decorator.process_result_value(value, dialect)

        return process
    if isinstance(type_, Float):
        if type_.asdecimal:
            raise _NotKnown(type_)
        return None
    try:
        return type_._cached_result_processor(dialect, None)
    except Exception as exc:  # a type that needs to know the column's database type
        raise _NotKnown(type_) from exc


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


def _ping_when_idle(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
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
        async with self._turns or contextlib.nullcontext(), self.sessions() as session:
            try:
                yield session
                await self._notify(session)
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict("the record clashes with one that already exists", zh="与已有的记录重复") from exc
            except BaseException:
                await session.rollback()
                raise
        for channel in sorted(session.info.pop(_WAKE, ())):
            for callback in self._after_commit.get(channel, ()):
                callback()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A unit of work that only reads, as a Core connection (no ORM session: its bookkeeping cost a read as much
        as the statement): each statement sees what was committed when it ran (one statement per answer keeps an
        answer consistent), and nothing waits for SQLite's write turn. An INSERT, UPDATE or DELETE through it is
        refused before it is sent."""
        async with self._readers.connect() as connection:
            yield connection

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
        await self.engine.dispose()


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
