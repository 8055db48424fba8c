"""A PostgreSQL database or a RabbitMQ vhost made for one benchmark and removed after it (tests/services.py does
the work); when a service does not answer, Skipped says so instead."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench.report import Skipped
from tests import services


def need_postgres() -> None:
    if not services.answers(services.PG_HOST, services.PG_PORT):
        raise Skipped(f"PostgreSQL does not answer at {services.PG_HOST}:{services.PG_PORT}")


def need_rabbitmq() -> None:
    if not services.answers(services.AMQP_HOST, services.AMQP_PORT):
        raise Skipped(f"RabbitMQ does not answer at {services.AMQP_HOST}:{services.AMQP_PORT}")
    if shutil.which("rabbitmqctl") is None:
        raise Skipped("rabbitmqctl is not on PATH, so no vhost can be made for the benchmark")


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh database, as a SQLAlchemy URL; dropped on the way out."""
    import asyncpg

    need_postgres()
    try:
        name = await services.create_database()
    except (OSError, asyncpg.PostgresError) as exc:
        raise Skipped(f"PostgreSQL answers but cannot create a database: {exc}") from exc
    try:
        yield services.sqlalchemy_url(name)
    finally:
        await services.drop_database(name)


@asynccontextmanager
async def rabbitmq_vhost() -> AsyncIterator[str]:
    """A fresh vhost, as an AMQP URL; deleted, with its queues, on the way out."""
    need_rabbitmq()
    try:
        vhost = await asyncio.to_thread(services.create_vhost)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        raise Skipped(f"RabbitMQ answers but rabbitmqctl cannot create a vhost: {exc}") from exc
    try:
        yield services.amqp_url(vhost)
    finally:
        await asyncio.to_thread(services.delete_vhost, vhost)
