"""The demonstration data on the embedded platform: every placement is counted by jobs against a posting it made;
the programmes (courses, workshops, job fairs) read as designed, their invitations go out, and all of it once."""

from __future__ import annotations

import logging
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from jobbridge.demo import loader, programmes
from jobbridge.platform import create_platform
from services.jobs.fairs.models import FairAttendee, FairPosting, JobFair
from services.jobs.postings.models import Posting, PostingStatus
from services.jobs.settings import JobsSettings
from services.notify.messages.models import Message
from services.notify.settings import NotifySettings
from services.notify.vendors.base import FAIR_INVITATION
from services.workers.courses.models import Course, Enrolment
from services.workers.placements.models import Placement
from services.workers.settings import WorkersSettings
from services.workers.training.models import TrainingRecord
from services.workers.workshops.models import Workshop, WorkshopLabourer
from shared.events.envelope import Envelope
from shared.settings import CommonSettings
from tests.service.conftest import SECRET, Platform


@pytest.fixture
async def platform(tmp_path, clock):
    common = {"data_dir": tmp_path, "jwt_secret": SECRET, "relay_poll_seconds": 0.05}
    app = create_platform(("jobs", "workers", "notify"), settings=CommonSettings(**common), clock=clock,
                          service_settings={"jobs": JobsSettings(**common), "workers": WorkersSettings(**common),
                                            "notify": NotifySettings(**common)})  # the embedded default providers

    async def listener(_: Envelope) -> None:
        """Stands for the consumers not in this app (matching), so every event has somewhere to go."""

    await app.state.runtime.bus.subscribe("test-listener", ["#"], listener)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Platform(app, client, clock, service="jobs")


async def test_every_demonstration_placement_is_counted_against_a_posting_with_room_for_it(platform, caplog):
    caplog.set_level(logging.INFO, logger="jobbridge.jobs")
    ids = await loader.load(platform.app.state.units)
    await platform.settle(within=60)

    assert ids["employer_id"] and ids["staff_region"] == "152222"
    assert not [r for r in caplog.records if "placement not counted" in r.getMessage()]
    async with platform.unit_of("workers").database.sessions() as session:
        placements = list(await session.scalars(select(Placement)))
    async with platform.unit_of("jobs").database.sessions() as session:
        postings = {p.id: p for p in await session.scalars(select(Posting))}
    assert len(placements) > 150
    taken = Counter(placement.posting_id for placement in placements)
    for posting_id, count in taken.items():
        posting = postings[posting_id]  # a posting jobs made
        assert posting.placed == count, "jobs counted each placement once"
        assert posting.headcount >= 0 and posting.headcount + posting.placed >= count  # never past its openings
        assert posting.status in (PostingStatus.open, PostingStatus.filled)
    for placement in placements:
        assert placement.work_region_code == postings[placement.posting_id].region_code
        assert placement.contract_months

    programmes_loaded = await programme_counts(platform)
    assert programmes_loaded == {"courses": 5, "enrolments": programmes_loaded["enrolments"], "training_records": 5,
                                 "workshops": 2, "workshop_contracts": 11, "fairs": 4, "fair_postings": 23,
                                 "fair_attendees": 20, "invitations": 6}
    assert programmes_loaded["enrolments"] >= 6 + 4 * 3
    await the_programmes_read_as_designed(platform, staff_region="152222")

    # A second start loads nothing twice, and leaves every count as it was.
    again = await loader.load(platform.app.state.units)
    await platform.settle(within=30)
    assert again["staff_region"] == "152222"
    assert await programme_counts(platform) == programmes_loaded
    async with platform.unit_of("workers").database.sessions() as session:
        assert len(list(await session.scalars(select(Placement)))) == len(placements)
    async with platform.unit_of("jobs").database.sessions() as session:
        assert {p.id: p.placed for p in await session.scalars(select(Posting))} == {
            posting_id: posting.placed for posting_id, posting in postings.items()}


async def programme_counts(platform) -> dict[str, int]:
    async def count(service: str, table) -> int:
        async with platform.unit_of(service).database.sessions() as session:
            return await session.scalar(select(func.count()).select_from(table)) or 0

    async with platform.unit_of("notify").database.sessions() as session:
        invitations = await session.scalar(select(func.count()).select_from(Message)
                                           .where(Message.kind == FAIR_INVITATION)) or 0
    return {"courses": await count("workers", Course), "enrolments": await count("workers", Enrolment),
            "training_records": await count("workers", TrainingRecord),
            "workshops": await count("workers", Workshop), "workshop_contracts": await count("workers", WorkshopLabourer),
            "fairs": await count("jobs", JobFair), "fair_postings": await count("jobs", FairPosting),
            "fair_attendees": await count("jobs", FairAttendee), "invitations": invitations}


async def the_programmes_read_as_designed(platform, *, staff_region: str) -> None:
    """What the staff of the demo county see on the 招聘会, 扶贫车间 and 培训课程 pages, and what notify sent."""
    staff = platform.auth("station_staff", region=staff_region)
    year = platform.clock.now().year
    yearly = (await platform.client.get(f"/jobs/fairs/yearly?year={year}", headers=staff)).json()
    [county] = yearly["counties"]
    assert (county["county_code"], county["count"], county["met"], len(county["planned"])) == (staff_region, 2, True, 1)
    other = programmes.other_county(staff_region)
    everyone = (await platform.client.get(f"/jobs/fairs/yearly?year={year}", headers=platform.auth("admin"))).json()
    [elsewhere] = [c for c in everyone["counties"] if c["county_code"] == other]
    assert (elsewhere["count"], elsewhere["met"]) == (1, False)

    listing = (await platform.client.get("/workers/workshops", headers=staff)).json()
    checks = {row["name"][-len("刺绣扶贫车间"):]: row["subsidy"] for row in listing["items"]}
    assert listing["total"] == 2 and listing["met"] == 1
    assert (checks["刺绣扶贫车间"]["met"], checks["刺绣扶贫车间"]["counting"]) == (True, 6)
    short = next(subsidy for name, subsidy in checks.items() if name != "刺绣扶贫车间")
    assert (short["met"], short["counting"], short["missing"]) == (False, 3, ["还差2名符合条件的劳动力"])

    # A worker of the county short of a welder's certificate finds the coming course on the offers page.
    found = (await platform.client.get("/workers/courses/for-certificate",
                                       params={"certificate": "焊工证", "region": staff_region + "001"},
                                       headers=staff)).json()
    assert [(c["hours"], c["subsidised"], c["open"]) for c in found] == [(56, True, True)]
    month = platform.clock.now().strftime("%Y-%m")
    report = (await platform.client.get(f"/workers/reports/monthly/{month}", headers=staff)).json()
    assert report["total"]["figures"]["trained"]["value"] == 5  # the ended course's completions

    recorder = platform.unit_of("notify").state["recorder"]
    async with platform.unit_of("notify").database.sessions() as session:
        invitations = list(await session.scalars(select(Message).where(Message.kind == FAIR_INVITATION)))
    assert {m.status for m in invitations} <= {"sent", "not_sent"}, [(m.status, m.reason) for m in invitations]
    sent = [m for m in recorder.messages if m.template == FAIR_INVITATION]
    assert sent and len(sent) == sum(1 for m in invitations if m.status == "sent")
    assert all("招聘会" in m.text for m in sent if m.channel == "sms")
