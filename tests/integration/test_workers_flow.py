"""Jobs and workers together on PostgreSQL and RabbitMQ: placements lower headcounts; no personal data leaks."""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import date
from typing import Any

import httpx
import pytest

from jobbridge.platform import create_platform
from services.jobs.settings import JobsSettings
from services.workers.profiles.idcard import make_id_number
from services.workers.settings import WorkersSettings
from shared.auth import mint_token
from shared.events.envelope import Envelope
from shared.settings import CommonSettings
from tests.service.conftest import vacancy, worker

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
ID_NUMBER, PHONE, OPENID = "152222198311036001", "13394641177", "oia2TjuEGTNoeX76QEjQNrcURxG8"


@pytest.fixture
async def platform(pg_databases, amqp_url, tmp_path):
    common = {"data_dir": tmp_path, "bus": "amqp", "amqp_url": amqp_url, "jwt_secret": SECRET,
              "relay_poll_seconds": 0.2}
    jobs_db, workers_db = await pg_databases(), await pg_databases()
    app = create_platform(("jobs", "workers"), settings=CommonSettings(**common), service_settings={
        "jobs": JobsSettings(database_url=jobs_db, **common),
        "workers": WorkersSettings(database_url=workers_db, **common)})
    seen: list[Envelope] = []

    async def spy(event: Envelope) -> None:
        seen.append(event)

    async with app.router.lifespan_context(app):
        await app.state.runtime.bus.subscribe("test-spy", ["#"], spy)  # every event of the platform
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client, seen, workers_db


def auth(role: str, **scope: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}


async def eventually(check, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.1)


async def test_a_placement_fills_the_posting_and_no_event_or_dump_holds_personal_numbers(platform):
    app, client, seen, workers_db = platform
    admin, staff = auth("admin"), auth("station_staff", region="152222")
    employer = (await client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                  headers=admin)).json()
    posting = (await client.post("/jobs/postings", json=vacancy(headcount=1),
                                 headers=auth("employer", employer_id=employer["id"]))).json()
    profile = await client.post("/workers/profiles", headers=staff, json=worker(
        wechat_openid=OPENID, consent={"sms": True, "wechat": True, "share_with_partners": True}))
    assert profile.status_code == 201, profile.text
    placement = await client.post(f"/workers/profiles/{profile.json()['id']}/placements", headers=staff, json={
        "posting_id": posting["id"], "start_date": "2026-12-01", "monthly_wage": 5500, "contract_months": 12,
        "work_region_code": "110106", "organised_export": True})
    assert placement.status_code == 201, placement.text

    async def filled() -> bool:
        read = await client.get(f"/jobs/postings/{posting['id']}", headers=admin)
        return read.json()["status"] == "filled"

    await eventually(filled)

    async def all_seen() -> bool:
        return {e.type for e in seen} >= {"jobs.posting.opened", "workers.profile.registered",
                                          "workers.profile.placed", "jobs.posting.closed"}

    await eventually(all_seen)
    wire = "".join(event.to_json().decode() for event in seen)
    for secret in (ID_NUMBER, PHONE, OPENID, "张秀英", "1983-11-03"):
        assert secret not in wire

    database = workers_db.rsplit("/", 1)[1]
    dump = await asyncio.to_thread(subprocess.run, ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", database],
                                   capture_output=True, text=True, check=True)
    assert "worker_profiles" in dump.stdout and "张秀英" in dump.stdout  # the dump is real and has the row
    for secret in (ID_NUMBER, PHONE, OPENID, "198311036001", "94641177"):
        assert secret not in dump.stdout


async def test_placements_made_at_once_on_postgresql_take_each_opening_once(platform):
    """Eight staff place eight labourers on a posting with three openings at the same moment: three are placed,
    five are told it is full, and the posting is filled with nothing counted twice once the events arrive."""
    app, client, seen, _ = platform
    admin, staff = auth("admin"), auth("station_staff", region="152222")
    employer = (await client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                  headers=admin)).json()
    posting = (await client.post("/jobs/postings", json=vacancy(headcount=3),
                                 headers=auth("employer", employer_id=employer["id"]))).json()
    workers = []
    for n in range(8):
        body = worker(id_number=make_id_number("152222", date(1985, 3, n + 1), n + 1, "female"),
                      phone=f"1390000{n:04d}")
        registered = await client.post("/workers/profiles", headers=staff, json=body)
        assert registered.status_code == 201, registered.text
        workers.append(registered.json()["id"])
    body = {"posting_id": posting["id"], "start_date": "2026-12-01", "monthly_wage": 5500, "contract_months": 12}
    answers = await asyncio.gather(*(client.post(f"/workers/profiles/{w}/placements", headers=staff, json=body)
                                     for w in workers))
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 5
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"posting_full"}

    async def confirmed() -> bool:
        return sum(e.type == "workers.profile.placed" for e in seen) == 3

    await eventually(confirmed)
    await asyncio.sleep(0.5)  # jobs has handled them: the posting says so below
    read = (await client.get(f"/jobs/postings/{posting['id']}", headers=admin)).json()
    assert (read["headcount"], read["placed"], read["status"]) == (0, 3, "filled")
