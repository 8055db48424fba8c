"""Fixtures shared by every tier."""

from __future__ import annotations

import pytest

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
def amqp_url():
    """A fresh RabbitMQ vhost (AMQP URL), deleted afterwards."""
    services.need("RabbitMQ", services.AMQP_HOST, services.AMQP_PORT)
    vhost = services.create_vhost()
    try:
        yield services.amqp_url(vhost)
    finally:
        services.delete_vhost(vhost)
