"""A PostgreSQL database or a RabbitMQ vhost made for one benchmark and removed after it, named jb_bench_… so that
a leftover is told apart from a test's; when a service does not answer, Skipped says so instead."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
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


class Child:
    """A benchmark's helper process (`python -m <module> …`) that greets with one line once it runs (`ready`, or
    what it has to tell, such as its port), takes commands as lines on its standard input and answers each with one
    line; it stops when its input closes."""

    def __init__(self, process: asyncio.subprocess.Process, greeting: str) -> None:
        self.process, self.greeting = process, greeting

    @property
    def pid(self) -> int:
        return self.process.pid

    async def say(self, command: str, *, then: bytes = b"", within: float = 300.0) -> str:
        """Send one command line (and the data that follows it, if any); return the line it answers with."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command.encode() + b"\n" + then)
        await self.process.stdin.drain()
        return (await asyncio.wait_for(self.process.stdout.readline(), timeout=within)).decode().strip()


@asynccontextmanager
async def child(module: str, *args: str, ready: str = "ready", ready_within: float = 60.0) -> AsyncIterator[Child]:
    """Run `python -m module args…` until the block ends, once it greeted with a line that begins with `ready`."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, *args, stdin=subprocess.PIPE,
                                                   stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=ready_within)).decode().strip()
        if not line.startswith(ready):
            raise RuntimeError(f"{module} did not start: {line!r}")
        yield Child(process, line)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()


def seconds(answer: str) -> float:
    """The seconds of a helper's `cpu <seconds>` answer."""
    word, _, value = answer.partition(" ")
    if word != "cpu":
        raise RuntimeError(f"a helper process answered {answer!r} instead of its CPU time")
    return float(value)
