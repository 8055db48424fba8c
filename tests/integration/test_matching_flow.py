"""A batch run through PostgreSQL and RabbitMQ: work items fanned out over the broker, every set issued once."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

import httpx
import pytest

from jobbridge.platform import create_platform
from services.jobs.settings import JobsSettings
from services.matching.settings import MatchingSettings
from services.workers.profiles.idcard import make_id_number
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.events.envelope import Envelope
from shared.settings import CommonSettings
from tests.service.conftest import vacancy, worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
TOWNSHIPS = ("152222105", "152222101")


def auth(role: str, **scope: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}


async def eventually(check, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.2)


async def test_a_batch_run_over_the_broker_issues_one_set_per_worker(pg_databases, amqp_url, tmp_path):
    common = {"data_dir": tmp_path, "bus": "amqp", "amqp_url": amqp_url, "jwt_secret": SECRET,
              "relay_poll_seconds": 0.1}
    app = create_platform(("jobs", "workers", "matching"), settings=CommonSettings(**common), service_settings={
        "jobs": JobsSettings(database_url=await pg_databases(), **common),
        "workers": WorkersSettings(database_url=await pg_databases(), **common),
        "matching": MatchingSettings(database_url=await pg_databases(), **common)})
    issued: list[Envelope] = []

    async def notify_stand_in(event: Envelope) -> None:
        issued.append(event)

    async with app.router.lifespan_context(app):
        await app.state.runtime.bus.subscribe("test-notify", ["matching.recommendations.issued"], notify_stand_in)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            admin, staff = auth("admin"), auth("station_staff", region="152222")
            employer = (await client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                          headers=admin)).json()
            for n in range(8):
                body = vacancy(title=f"家政服务员{n}号", employer_id=employer["id"], headcount=2, gender=None)
                assert (await client.post("/jobs/postings", json=body, headers=admin)).status_code == 201
            registered = []
            for n in range(24):
                id_number = make_id_number("152222", date(1980 + n % 20, 1 + n % 12, 1 + n), n, "female")
                response = await client.post("/workers/profiles", headers=staff, json=worker(
                    name=f"工人{n}", id_number=id_number, phone=f"139{n:08d}", home_region_code=TOWNSHIPS[n % 2]))
                assert response.status_code == 201, response.text
                registered.append(response.json()["id"])

            async def read_models_ready() -> bool:
                from sqlalchemy import func, select

                from services.matching.readmodels.models import PostingRecord, WorkerRecord

                async with app.state.units["matching"].database.sessions() as session:
                    postings = await session.scalar(select(func.count()).select_from(PostingRecord))
                    workers = await session.scalar(select(func.count()).select_from(WorkerRecord))
                return (postings, workers) == (8, 24)

            await eventually(read_models_ready)
            run = (await client.post("/matching/runs", json={"region_code": "152222"}, headers=staff)).json()
            assert run["items_total"] == 2 and run["workers"] == 24

            async def done() -> bool:
                state = (await client.get(f"/matching/runs/{run['id']}", headers=staff)).json()
                return state["status"] == "done"

            await eventually(done, within=60)
            final = (await client.get(f"/matching/runs/{run['id']}", headers=staff)).json()
            assert (final["covered"], final["shortfalls"], final["items_done"]) == (24, 0, 2)
            # 8 postings × 2 openings × factor 5 = 80 offer slots for 24 workers × 3: nobody crowded out.
            assert all(count <= 10 for count in final["summary"]["offers_per_posting"].values())

            async def all_issued() -> bool:
                return len(issued) >= 24

            await eventually(all_issued)
            await asyncio.sleep(1)
            assert sorted(e.subject for e in issued) == sorted(registered)  # once each
            assert all(len(e.data["items"]) >= 3 and e.data["run_id"] == run["id"] for e in issued)
