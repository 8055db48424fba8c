"""Job fairs on PostgreSQL: jobs' migration 0004 and its routes, two invitation batches at once for one fair, and
notify's invitations (migration 0005) accepted twice from one event."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from jobbridge.platform import module
from services.jobs.app import create_app
from services.jobs.settings import JobsSettings
from services.notify.invitations import service as invitations
from services.notify.messages.models import Message
from services.notify.settings import NotifySettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.events.envelope import Envelope
from tests.fakes.labourers import FakeLabourers
from tests.service.conftest import vacancy

pytestmark = pytest.mark.integration

SECRET = "integration-secret-of-at-least-32-bytes"
CLOCK = FixedClock(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))


def auth(role: str = "admin", region: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, region=region)}"}


async def test_fairs_on_postgresql_with_two_invitation_batches_at_once(pg_url, tmp_path):
    app = create_app(JobsSettings(data_dir=tmp_path, database_url=pg_url, jwt_secret=SECRET), clock=CLOCK)
    labourers = app.state.units["jobs"].state["labourers"] = FakeLabourers()  # workers is not in this app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            employer = (await client.post("/jobs/employers", json={"name": "兴安盟家政服务有限公司",
                                                                    "region_code": "152222"}, headers=auth())).json()
            posting = (await client.post("/jobs/postings", json=vacancy(region_code="152222", wage_min=2500,
                                                                        employer_id=employer["id"]),
                                         headers=auth())).json()
            staff = auth("station_staff", region="152222")
            fair = (await client.post("/jobs/fairs", headers=staff, json={
                "title": "科右中旗冬季招聘会", "held_on": "2026-11-28", "region_code": "152222105",
                "venue": "巴彦呼舒镇人力资源市场"})).json()
            added = await client.post(f"/jobs/fairs/{fair['id']}/postings", json={"posting_ids": [posting["id"]]},
                                      headers=staff)
            assert added.status_code == 200, added.text
            workers = [str(uuid.uuid4()) for _ in range(3)]
            labourers.register(*workers, home="152222100")
            url = f"/jobs/fairs/{fair['id']}/invitations"
            answers = await asyncio.gather(
                client.post(url, json={"worker_ids": workers[:2]}, headers=staff),
                client.post(url, json={"worker_ids": workers[1:]}, headers=staff))
            assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
            invited = [w for a in answers for w in a.json()["invited"]]
            assert sorted(invited) == sorted(workers), "each labourer invited once, by one batch or the other"
            came = await client.put(f"/jobs/fairs/{fair['id']}/attendees/{workers[0]}", headers=staff,
                                    json={"outcome": "hired", "posting_id": posting["id"]})
            assert came.status_code == 200, came.text
            ledger = (await client.get("/jobs/fairs/yearly?year=2026", headers=staff)).json()
            [row] = ledger["counties"]
            assert (row["county_code"], row["count"], row["met"]) == ("152222", 1, False)
            assert row["fairs"][0]["hired"] == 1 and row["fairs"][0]["invited"] == 3


async def test_notify_accepts_an_invitation_event_once_on_postgresql(pg_url, tmp_path):
    unit = module("notify").build(NotifySettings(database_url=pg_url, data_dir=tmp_path))
    await unit.migrate()
    try:
        event = Envelope(type="jobs.fair.invited", occurred_at=CLOCK.now(), producer="jobs", subject="f-1", version=2,
                         data={"fair_id": str(uuid.uuid4()), "title": "科右中旗冬季招聘会", "held_on": "2026-12-10",
                               "start_time": "09:00", "region_code": "152222105", "venue": "人力资源市场",
                               "postings": 3, "worker_ids": [str(uuid.uuid4()), str(uuid.uuid4())],
                               "invited_within": "152222"})
        for _ in range(2):
            async with unit.database.transaction() as session:
                await invitations.accept(session=session, event=event, settings=unit.settings, clock=CLOCK)
        async with unit.database.sessions() as session:
            kinds = (await session.execute(select(Message.kind, func.count()).group_by(Message.kind))).all()
        assert kinds == [("fair_invitation", 2)]
    finally:
        await unit.close()
