"""Statements the driver sends itself: a look-up (`fetch_rows`), and the one statement of a unit of work that writes
once (`write_once`, `SingleWrite`).

On PostgreSQL (asyncpg) a statement compiled once by SQLAlchemy is sent by asyncpg directly: SQLAlchemy's execution
path (execution context, cursor adaptation, result metadata) cost 170-300 µs of CPU a statement, more than the
driver's whole round trip. What SQLAlchemy would do to a parameter's value or a column's is done here too; a
statement whose columns it would process in a way not known here goes through SQLAlchemy, as on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, cast

import asyncpg
from sqlalchemy import Executable, Float, Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared.errors import Conflict


class _Driven(NamedTuple):
    """What `fetch_rows` and `write_once` know of a statement on asyncpg: its SQL, the names of its positional
    parameters, the values of those it binds itself (literals), what SQLAlchemy does to a parameter's value before
    the driver sends it (a JSON document, a `UtcDateTime`), and what turns a column's value as asyncpg gives it into
    SQLAlchemy's."""

    sql: str
    names: tuple[str, ...]
    literals: dict[str, Any]
    binds: Mapping[str, Callable[[Any], Any]]
    results: dict[str, Callable[[Any], Any]]


# None: a statement with a column whose value SQLAlchemy would change in a way not known here; it goes through
# SQLAlchemy.
_DRIVEN: dict[Executable, _Driven | None] = {}
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
    try:
        return await _sent(connection, driven, values)
    except BaseException:
        await connection.invalidate()  # what state the driver's connection is in is not known: it is not reused
        raise


async def write_once(connection: AsyncConnection, statement: Executable,
                     values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """Run one statement that writes, on a connection in autocommit (`Database.single_write`), where it is a
    transaction of its own; the rows it returns. On PostgreSQL (asyncpg) sent by the driver as `fetch_rows` sends
    a read (no BEGIN and COMMIT, none of SQLAlchemy's execution path). A unique or foreign key it breaks is a
    Conflict, and the connection, whose statement simply failed, is kept."""
    driven = _driven(statement, connection) if connection.dialect.driver == "asyncpg" else None
    try:
        if driven is None:
            result = await connection.execute(statement, values)
            return cast(Sequence[Mapping[str, Any]], result.mappings().all() if result.returns_rows else [])
        try:
            return await _sent(connection, driven, values)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(driven.sql, None, exc) from exc
        except asyncpg.PostgresError:
            raise  # the server refused the statement; the connection is in step with it
        except BaseException:
            await connection.invalidate()
            raise
    except IntegrityError as exc:
        raise _clash() from exc


def _clash() -> Conflict:
    return Conflict("the record clashes with one that already exists", zh="与已有的记录重复")


async def _sent(connection: AsyncConnection, driven: _Driven, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    bound = driven.literals | dict(values)
    arguments = [process(bound[name]) if (process := driven.binds.get(name)) else bound[name]
                 for name in driven.names]
    rows = [dict(record) for record in await (await _driver(connection)).fetch(driven.sql, *arguments)]
    for name, process in driven.results.items():
        for row in rows:
            row[name] = process(row[name])
    return rows


async def _driver(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under `connection`. Taken as it is while the connection holds one (a greenlet to ask
    SQLAlchemy for it cost as much as decoding a row); asked for otherwise, which reconnects an invalidated one."""
    sync = connection.sync_connection
    raw = sync.connection if sync is not None and not sync.closed and not sync.invalidated else \
        await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None, "a checked-out connection has its driver's connection"
    return cast(asyncpg.Connection, driver)


def _driven(statement: Executable, connection: AsyncConnection) -> _Driven | None:
    if statement in _DRIVEN:
        return _DRIVEN[statement]
    dialect = connection.dialect
    compiled = cast(SQLCompiler, cast(Any, statement).compile(dialect=dialect))
    results: dict[str, Callable[[Any], Any]] | None
    try:
        processed = ((column.keyname, _processor(column.type, dialect)) for column in compiled._result_columns)
        results = {name: process for name, process in processed if process is not None}
    except _NotKnown:
        results = None
    names = tuple(compiled.positiontup or ())
    keys = [column.keyname for column in compiled._result_columns]
    driven: _Driven | None = None
    if results is not None and len(set(keys)) == len(keys) and not compiled.post_compile_params:
        literals = {name: bind.effective_value for name, bind in compiled.binds.items()
                    if name in names and not bind.required}
        binds = {name: process for name, process in compiled._bind_processors.items()
                 if name in names and callable(process)}
        driven = _Driven(str(compiled), names, literals, binds, results)
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


class SingleWrite:
    """A unit of work that writes with one statement (`Database.single_write`): look-ups first (`fetch`), then the
    write (`write`), and channels to wake once it is written (`wake`).

    On PostgreSQL its connection is in autocommit and the write is a transaction of its own: PostgreSQL runs one
    statement, every INSERT in its WITH clauses included, all or nothing. So there is no BEGIN or COMMIT to send,
    and the statement goes through the driver (`write_once`); a second write is refused. A look-up before it sees
    what was committed when it ran, as it would in a READ COMMITTED transaction, and the write's constraints
    (unique keys, foreign keys) guard against a change in between, as they would there.

    On SQLite (which has no INSERT in a WITH clause) it is a transaction holding the database's write turn, in
    which `write` may run several statements.

    So on PostgreSQL the write is committed when `write` returns, where on SQLite it is committed when the unit
    ends: the write is the unit's last step that may fail, and whatever follows it (shaping the answer) happens
    after the unit.
    """

    def __init__(self, connection: AsyncConnection, *, autocommit: bool) -> None:
        self.connection = connection
        self.autocommit = autocommit
        self.woken: set[str] = set()
        self._written = False

    @property
    def on_postgresql(self) -> bool:
        return self.connection.dialect.name == "postgresql"

    async def fetch(self, statement: Select, values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        return await fetch_rows(self.connection, statement, values)

    async def write(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        """The rows the statement returns. A unique or foreign key it breaks is a Conflict: the statement wrote
        nothing, the unit may still look up (`fetch`) why, and the Conflict leaving the unit rolls back whatever
        else it wrote (on SQLite, where a write may be several statements)."""
        if not self.autocommit:
            try:
                result = await self.connection.execute(statement, values)
            except IntegrityError as exc:
                raise _clash() from exc
            return cast(Sequence[Mapping[str, Any]], result.mappings().all() if result.returns_rows else [])
        if self._written:
            raise RuntimeError("a single write has written its one statement already")
        self._written = True
        return await write_once(self.connection, statement, values)

    def wake(self, channel: str) -> None:
        """Wake whoever waits on `channel` in this process once written (`Database.on_commit`); on PostgreSQL the
        statement sends its own NOTIFY to other processes (`shared.db.notifying`)."""
        self.woken.add(channel)


async def look_up(unit: AsyncSession | SingleWrite, statement: Select,
                  values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """`fetch_rows` on a unit of work's connection, whichever kind the unit is."""
    if isinstance(unit, SingleWrite):
        return await unit.fetch(statement, values)
    return await fetch_rows(await unit.connection(), statement, values)
