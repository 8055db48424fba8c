"""Fixtures shared by every tier."""

from __future__ import annotations

import logging
import re

import pytest

from shared.logs import JsonFormatter
from tests import services


@pytest.fixture
async def pg_url():
    """A fresh PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    services.need("PostgreSQL", services.PG_HOST, services.PG_PORT)
    name = await services.create_database()
    try:
        yield services.sqlalchemy_url(name)
    finally:
        await services.drop_database(name)


@pytest.fixture
async def pg_databases():
    """Make fresh PostgreSQL databases on demand (`await make()` → URL); all dropped afterwards."""
    services.need("PostgreSQL", services.PG_HOST, services.PG_PORT)
    made: list[str] = []

    async def make() -> str:
        made.append(await services.create_database())
        return services.sqlalchemy_url(made[-1])

    yield make
    for name in made:
        await services.drop_database(name)


@pytest.fixture
def amqp_url():
    """A fresh RabbitMQ vhost (AMQP URL), deleted afterwards."""
    services.need("RabbitMQ", services.AMQP_HOST, services.AMQP_PORT)
    vhost = services.create_vhost()
    try:
        yield services.amqp_url(vhost)
    finally:
        services.delete_vhost(vhost)


class _PersonalDataInLogs(logging.Handler):
    """Watches every log record of the run for anything shaped like an ID-card or mobile number."""

    PATTERN = re.compile(r"(?<![\dA-Za-z])(?:1[3-9]\d{9}|\d{6}(?:19|20)\d{2}[01]\d[0-3]\d{4}[\dXx])(?![\dA-Za-z])")

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.found: list[str] = []
        self.formatter: logging.Formatter = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.formatter.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is not ours to judge
            return
        for match in self.PATTERN.findall(line):
            self.found.append(f"{record.name}: …{match[:3]}…{match[-2:]}…")


_watch = _PersonalDataInLogs()


def pytest_sessionstart(session) -> None:
    root = logging.getLogger()
    root.addHandler(_watch)
    root.setLevel(logging.INFO)
    logging.getLogger("jobbridge").setLevel(logging.DEBUG)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _watch.found:
        print(f"\npersonal data found in {len(_watch.found)} log records, e.g. {_watch.found[:5]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
