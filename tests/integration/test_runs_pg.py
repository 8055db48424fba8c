"""One active run per area holds on PostgreSQL too, when starts for the same area arrive at the same moment."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from jobbridge.platform import create_platform
from services.matching.readmodels.models import WorkerRecord
from services.matching.settings import MatchingSettings
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.settings import CommonSettings
from tests.service.conftest import worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


async def test_concurrent_starts_for_one_area_make_one_run(pg_databases, tmp_path):
    common = {"data_dir": tmp_path, "jwt_secret": SECRET, "relay_poll_seconds": 0.05, "rate_limits": ""}
    app = create_platform(("workers", "matching"), settings=CommonSettings(**common), service_settings={
        "workers": WorkersSettings(database_url=await pg_databases(), **common),
        "matching": MatchingSettings(database_url=await pg_databases(), **common)})
    staff = {"Authorization": f"Bearer {mint_token(key=SECRET, role='station_staff', region='152222')}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            registered = await client.post("/workers/profiles", json=worker(), headers=staff)
            matching = app.state.units["matching"]
            for _ in range(100):  # the worker reaches matching's read model through the relay
                async with matching.database.sessions() as session:
                    if await session.get(WorkerRecord, registered.json()["id"]):
                        break
                await asyncio.sleep(0.1)
            await app.state.runtime.stop_relays()  # runs stay queued: their work items are not published

            answers = await asyncio.gather(*(client.post("/matching/runs", json={"region_code": "152222"},
                                                         headers=staff) for _ in range(6)))

    assert sorted(a.status_code for a in answers) == [202, 409, 409, 409, 409, 409]
