"""Workshops on the real PostgreSQL: the migration's tables and partial unique index, and the subsidy check."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from services.workers.app import create_app
from services.workers.settings import WorkersSettings
from shared.clock import FixedClock
from tests.fakes.openings import FakeOpenings
from tests.service.conftest import SECRET, Api
from tests.service.test_workshops import (  # noqa: F401 - collected here, run on PostgreSQL
    test_a_change_keeps_the_version_it_replaces_and_a_redo_changes_nothing,
    test_a_labourer_is_on_record_in_one_workshop_at_a_time,
    test_four_labourers_lack_one_and_the_fifth_meets_the_condition,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))  # the day the tests count from


@pytest.fixture
async def workers_api(pg_url, tmp_path, clock):
    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, database_url=pg_url, relay_poll_seconds=0.05)
    app = create_app(settings, clock=clock)
    app.state.units["workers"].state["openings"] = FakeOpenings()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client, clock, service="workers")


async def test_two_clerks_adding_the_same_labourer_at_once_leave_one_contract_in_force(workers_api):
    import asyncio

    from tests.service.test_workshops import COUNTY, register, workshop

    api = workers_api
    shop = (await workshop(api))["id"]
    zhang = await register(api, 1)

    async def add(wage: int):
        return await api.client.put(f"/workers/workshops/{shop}/labourers/{zhang}", headers=api.auth(**COUNTY),
                                    json={"contract_start": "2026-06-01", "contract_months": 12, "monthly_wage": wage})

    answers = await asyncio.gather(add(2300), add(2400))
    assert {a.status_code for a in answers} <= {200, 409} and 200 in {a.status_code for a in answers}
    history = (await api.client.get(f"/workers/workshops/{shop}/labourers/{zhang}/history",
                                    headers=api.auth(**COUNTY))).json()
    assert [h["replaced_at"] for h in history].count(None) == 1
