"""Real PostgreSQL databases and RabbitMQ vhosts for the integration tier, one of each per test.

The tier skips (with the reason printed) when the services do not answer, unless REQUIRE_SERVICES=1 is set: then
their absence fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid

import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("TEST_AMQP_PORT", "5672"))


def required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need(service: str, host: str, port: int) -> None:
    """Skip (or fail, under REQUIRE_SERVICES) when a service does not answer."""
    if answers(host, port):
        return
    reason = f"{service} does not answer at {host}:{port}"
    if required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES is set")
    pytest.skip(f"{reason}; set REQUIRE_SERVICES=1 to make this a failure")


def pg_admin_dsn() -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"


def sqlalchemy_url(database: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


async def create_database() -> str:
    import asyncpg

    name = f"jb_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def terminate_backend(pid: int) -> None:
    """End a PostgreSQL backend from the server's side, as a database restart or an operator would."""
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid), f"no backend {pid} to end"
    finally:
        await conn.close()


async def backend_of(application_name: str) -> int:
    """The backend pid of the connection that named itself `application_name` (one, or the test fails)."""
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        [pid] = [row["pid"] for row in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", application_name)]
        return pid
    finally:
        await conn.close()


def rabbitmqctl(*args: str) -> str:
    tool = shutil.which("rabbitmqctl")
    if tool is None:
        if required():
            pytest.fail("rabbitmqctl is not on PATH, and REQUIRE_SERVICES is set")
        pytest.skip("rabbitmqctl is not on PATH; set REQUIRE_SERVICES=1 to make this a failure")
    done = subprocess.run([tool, "-q", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def create_vhost() -> str:
    name = f"jb_test_{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return name


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name)


def amqp_url(vhost: str) -> str:
    return f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{vhost}"


def cut_connections(vhost: str) -> int:
    """Close, from the broker's side, every client connection of the vhost."""
    listing = rabbitmqctl("list_connections", "pid", "vhost")
    pids = [
        pid for pid, _, connection_vhost in (line.partition("\t") for line in listing.splitlines())
        if pid.startswith("<") and connection_vhost == vhost
    ]
    for pid in pids:
        rabbitmqctl("close_connection", pid, "integration test cuts the connection")
    return len(pids)


def consumers_of(vhost: str, queue: str) -> int:
    # list_consumers asks the channels; list_queues' consumer count of a quorum queue can lag behind.
    listing = rabbitmqctl("list_consumers", "-p", vhost, "queue_name")
    return listing.splitlines().count(queue)
