"""Seats on a training course on the real PostgreSQL: enrolments at the same moment never take more seats than
there are."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import httpx
import pytest

from services.workers.app import create_app
from services.workers.profiles.idcard import make_id_number
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from tests.service.conftest import worker
from tests.service.test_courses import course

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"


@pytest.fixture
async def client(pg_url, tmp_path):
    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=0.05)
    app = create_app(settings, clock=FixedClock(datetime(2026, 11, 28, 2, tzinfo=timezone.utc)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            http.headers["Authorization"] = f"Bearer {mint_token(key=SECRET, role='admin')}"
            yield http


async def register(client: httpx.AsyncClient, n: int) -> str:
    body = worker(name=f"学员{n}", id_number=make_id_number("152222", date(1990, 1, 1), n, "female"),
                  phone=f"1390000{n:04d}")
    response = await client.post("/workers/profiles", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def enrol_at_once(client: httpx.AsyncClient, course_id: str, worker_ids: list[str]) -> list[int]:
    answers = await asyncio.gather(*(client.post(f"/workers/courses/{course_id}/enrolments", json={"worker_id": w})
                                     for w in worker_ids))
    return sorted(a.status_code for a in answers)


async def test_two_enrolments_for_the_last_seat_at_once_give_one(client):
    made = await client.post("/workers/courses", json=course(seats=2))
    assert made.status_code == 201, made.text
    course_id = made.json()["id"]
    first, *rivals = [await register(client, n) for n in range(3)]
    assert (await client.post(f"/workers/courses/{course_id}/enrolments", json={"worker_id": first})).status_code == 201
    assert await enrol_at_once(client, course_id, rivals) == [201, 409]
    seated = (await client.get(f"/workers/courses/{course_id}/enrolments")).json()
    assert len(seated) == 2 and (await client.get(f"/workers/courses/{course_id}")).json()["taken"] == 2


async def test_a_crowd_takes_exactly_the_seats_there_are(client):
    course_id = (await client.post("/workers/courses", json=course(seats=3))).json()["id"]
    crowd = [await register(client, n) for n in range(10, 22)]
    assert await enrol_at_once(client, course_id, crowd) == [201] * 3 + [409] * 9
    assert len((await client.get(f"/workers/courses/{course_id}/enrolments")).json()) == 3
    assert (await client.get(f"/workers/courses/{course_id}")).json()["seats_left"] == 0
