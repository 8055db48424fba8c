"""A PostgreSQL database or a RabbitMQ vhost made for one benchmark and removed after it, named jb_bench_… so that
a leftover is told apart from a test's; when a service does not answer, Skipped says so instead."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
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


def _name() -> str:
    return f"jb_bench_{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh database, as a SQLAlchemy URL; dropped on the way out."""
    import asyncpg

    need_postgres()
    name = _name()
    try:
        connection = await asyncpg.connect(services.pg_admin_dsn())
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
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
    name = _name()
    try:
        await asyncio.to_thread(services.rabbitmqctl, "add_vhost", name)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        raise Skipped(f"RabbitMQ answers but rabbitmqctl cannot create a vhost: {exc}") from exc
    try:
        await asyncio.to_thread(services.rabbitmqctl, "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield services.amqp_url(name)
    finally:
        await asyncio.to_thread(services.delete_vhost, name)
