"""The demonstration data on the embedded platform: every placement is counted by jobs against a posting it made."""

from __future__ import annotations

import logging
from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from jobbridge.demo import loader
from jobbridge.platform import create_platform
from services.jobs.postings.models import Posting, PostingStatus
from services.jobs.settings import JobsSettings
from services.workers.placements.models import Placement
from services.workers.settings import WorkersSettings
from shared.events.envelope import Envelope
from shared.settings import CommonSettings
from tests.service.conftest import SECRET, Platform


@pytest.fixture
async def platform(tmp_path, clock):
    common = {"data_dir": tmp_path, "jwt_secret": SECRET, "relay_poll_seconds": 0.05}
    app = create_platform(("jobs", "workers"), settings=CommonSettings(**common), clock=clock,
                          service_settings={"jobs": JobsSettings(**common), "workers": WorkersSettings(**common)})

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

    # A second start loads nothing twice, and leaves every count as it was.
    again = await loader.load(platform.app.state.units)
    await platform.settle(within=30)
    assert again["staff_region"] == "152222"
    async with platform.unit_of("workers").database.sessions() as session:
        assert len(list(await session.scalars(select(Placement)))) == len(placements)
    async with platform.unit_of("jobs").database.sessions() as session:
        assert {p.id: p.placed for p in await session.scalars(select(Posting))} == {
            posting_id: posting.placed for posting_id, posting in postings.items()}
