"""Registering a labourer on the real PostgreSQL, where the write is one statement in autocommit: a number
registered already makes that statement clash, and only then is its holder looked up to say who holds it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import cast

import httpx
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.workers.app import create_app
from services.workers.audit.models import PersonalDataRead
from services.workers.db import outbox
from services.workers.profiles.models import WorkerProfile
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.service.conftest import worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
MIDDLE, FRONT = "152222", "152221"  # 科右中旗, 科右前旗
ZH = {"Accept-Language": "zh-CN"}


def staff(region: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role='station_staff', region=region, sub='s-' + region)}"}


@pytest.fixture
async def client(pg_url, tmp_path):
    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=60)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return {table.name: await connection.scalar(select(func.count()).select_from(table)) or 0
                    for table in (cast(Table, WorkerProfile.__table__), outbox,
                                  cast(Table, PersonalDataRead.__table__))}
    finally:
        await engine.dispose()


async def test_a_number_registered_already_is_named_as_the_caller_may_hear_and_nothing_is_written(client, pg_url):
    first = await client.post("/workers/profiles", json=worker(), headers=staff(MIDDLE))
    assert first.status_code == 201, first.text
    written = await counts(pg_url)
    assert set(written.values()) == {1}, written  # the profile, its event, the audited read of the answer

    again = await client.post("/workers/profiles", json=worker(phone="13900001111"), headers=staff(MIDDLE))
    assert again.status_code == 409 and again.json()["code"] == "already_registered"
    assert first.json()["id"] in again.json()["message"]

    elsewhere = await client.post("/workers/profiles", json=worker(home_region_code="152221100"),
                                  headers={**staff(FRONT), **ZH})
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "registered_elsewhere"
    assert "科尔沁右翼中旗" in elsewhere.json()["message"] and first.json()["id"] not in elsewhere.text

    assert await counts(pg_url) == written  # neither clash wrote a profile, an event or an audit row
    other = await client.post("/workers/profiles", json=worker(id_number="152222199005061115", phone="13900002222"),
                              headers=staff(MIDDLE))
    assert other.status_code == 201, other.text  # the connection that saw the clashes still writes

