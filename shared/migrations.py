"""Alembic helpers: every service keeps its own migrations and its own version table."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
