"""Alembic helpers: every service keeps its own migrations and its own version table."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(*, service: str, migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(*, service: str, migrations_dir: Path, url: str) -> None:
    """Bring the service's database to the newest revision (blocking; call from a thread in async code)."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service=service, migrations_dir=migrations_dir, url=url), "head")


async def upgrade_async(*, service: str, migrations_dir: Path, url: str) -> None:
    await asyncio.to_thread(upgrade, service=service, migrations_dir=migrations_dir, url=url)


def run_env(target_metadata: MetaData) -> None:
    """The body of each service's migrations/env.py: run online migrations over an async engine."""
    from alembic import context

    config = context.config

    def option(name: str) -> str:
        value = config.get_main_option(name)
        if value is None:
            raise RuntimeError(f"alembic configuration without {name}")
        return value

    service = config.attributes.get("service") or Path(option("script_location")).parent.name
    url = option("sqlalchemy.url")

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          version_table=f"alembic_version_{service}", render_as_batch=url.startswith("sqlite"),
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())


def clean_stored_text(connection: Connection, table: str, *, key: str = "id", lines: Sequence[str] = (),
                      texts: Sequence[str] = (), documents: Sequence[str] = ()) -> int:
    """Drop the characters the API now refuses (shared.forms) from rows stored before it did; the rows changed.

    lines: one-line text columns; texts: columns whose text may hold tabs and line breaks; documents: JSON columns,
    each string in them cleaned as text. Every row is read once; only changed rows are written.
    """
    from shared.forms import clean

    columns = [sa.column(name) for name in (*lines, *texts)] + [sa.column(name, sa.JSON) for name in documents]
    rows = sa.table(table, sa.column(key), *columns)
    changed = 0
    for row in connection.execute(sa.select(rows)).mappings().all():
        update = {name: clean(row[name]) for name in lines if row[name] and clean(row[name]) != row[name]}
        update |= {name: clean(row[name], multiline=True) for name in texts
                   if row[name] and clean(row[name], multiline=True) != row[name]}
        update |= {name: cleaned for name in documents
                   if (cleaned := _clean_document(row[name], clean)) != row[name]}
        if update:
            connection.execute(sa.update(rows).where(rows.c[key] == row[key]).values(**update))
            changed += 1
    return changed


def _clean_document(value, clean):
    if isinstance(value, str):
        return clean(value, multiline=True)
    if isinstance(value, list):
        return [_clean_document(item, clean) for item in value]
    if isinstance(value, dict):
        return {name: _clean_document(item, clean) for name, item in value.items()}
    return value
