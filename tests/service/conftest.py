"""The jobs app in-process on SQLite, with a clock the tests set."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.jobs.app import create_app
from services.jobs.settings import JobsSettings
from shared.auth import mint_token
from shared.clock import FixedClock
from shared.events.envelope import Envelope
from tests.fakes.labourers import FakeLabourers
from tests.fakes.openings import FakeOpenings

SECRET = "service-test-secret-of-at-least-32-bytes"


class Api:
    """A client bound to the app, with tokens per role and a look into the outbox."""

    def __init__(self, app, client: httpx.AsyncClient, clock: FixedClock, service: str = "jobs") -> None:
        self.app, self.client, self.clock, self.service = app, client, clock, service

    @property
    def unit(self):
        return self.app.state.units[self.service]

    @property
    def openings(self) -> FakeOpenings:
        """The postings workers alone can place on (jobs is not in its app)."""
        return self.app.state.units["workers"].state["openings"]

    @property
    def labourers(self) -> FakeLabourers:
        """The registered labourers jobs alone may invite to fairs (workers is not in its app)."""
        return self.app.state.units["jobs"].state["labourers"]

    def auth(self, role: str, **scope: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}

    async def events(self, type_: str | None = None) -> list[Envelope]:
        outbox = self.unit.outbox
        async with self.unit.database.sessions() as session:
            rows = (await session.execute(select(outbox.c.body).order_by(outbox.c.seq))).scalars().all()
        found = [Envelope.from_json(body) for body in rows]
        return [e for e in found if type_ is None or e.type == type_]

    async def employer(self, name: str = "北京安居家政服务有限公司", region_code: str = "110106") -> str:
        response = await self.client.post("/jobs/employers", json={"name": name, "region_code": region_code},
                                          headers=self.auth("admin"))
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))  # 10:00 in Beijing


@pytest.fixture
async def api(tmp_path, clock):
    settings = JobsSettings(data_dir=tmp_path, jwt_secret=SECRET, relay_poll_seconds=0.05,
                            upload_max_bytes=2 * 1024 * 1024)
    app = create_app(settings, clock=clock)
    app.state.units["jobs"].state["labourers"] = FakeLabourers()  # workers is not in this app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client, clock)


@pytest.fixture
async def workers_api(tmp_path, clock):
    from services.workers.app import create_app as create_workers_app
    from services.workers.settings import WorkersSettings

    settings = WorkersSettings(data_dir=tmp_path, jwt_secret=SECRET, relay_poll_seconds=0.05,
                               upload_max_bytes=2 * 1024 * 1024)
    app = create_workers_app(settings, clock=clock)
    app.state.units["workers"].state["openings"] = FakeOpenings()  # jobs is not in this app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client, clock, service="workers")


def worker(**changes) -> dict:
    """A valid labourer of 科右中旗, as station staff register one (the contract's example)."""
    body = {"name": "张秀英", "id_number": "152222198311036001", "phone": "13394641177",
            "home_region_code": "152222105", "labor_capacity": "full", "education": "junior",
            "skills": ["保洁", "做饭"], "certificates": ["健康证"], "desired_occupations": ["家政服务员"],
            "transfer_intention": "anywhere", "expected_wage": 4000, "wants_training": True,
            "wants_entrepreneurship": False, "wechat_openid": None,
            "consent": {"sms": True, "wechat": False, "share_with_partners": True}}
    body.update(changes)
    return body


def vacancy(**changes) -> dict:
    """A valid Beijing posting, as an employer sends it."""
    body = {"title": "家政服务员（住家）", "occupation": "家政服务员", "description": "照顾老人起居，做饭",
            "skills": ["做饭", "照顾老人"], "region_code": "110106", "address": "北京市丰台区",
            "wage_min": 5000, "wage_max": 6500, "headcount": 3, "age_min": 18, "age_max": 55, "gender": None,
            "certificates": ["健康证"], "meals": True, "lodging": True, "contract_months": 12,
            "valid_until": "2027-03-31"}
    body.update(changes)
    return body


class Platform(Api):
    """Several services in one app on the in-process bus, as `make run` serves them."""

    def unit_of(self, service: str):
        return self.app.state.units[service]

    async def settle(self, within: float = 10.0) -> None:
        """Wait until every outbox is published (and so every event handled by the in-process consumers)."""
        import asyncio
        import time

        from sqlalchemy import func

        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            pending = 0
            for unit in self.app.state.units.values():
                if unit.outbox is None:  # the console publishes nothing
                    continue
                async with unit.database.sessions() as session:
                    pending += await session.scalar(select(func.count()).select_from(unit.outbox)
                                                    .where(unit.outbox.c.published_at.is_(None)))
            if pending == 0:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{pending} events still unpublished after {within} s")


@pytest.fixture
async def platform_api(tmp_path, clock):
    from jobbridge.platform import create_platform
    from services.matching.settings import MatchingSettings
    from services.workers.settings import WorkersSettings
    from shared.settings import CommonSettings

    common = {"data_dir": tmp_path, "jwt_secret": SECRET, "relay_poll_seconds": 0.05}
    app = create_platform(("jobs", "workers", "matching"), settings=CommonSettings(**common), clock=clock,
                          service_settings={"jobs": JobsSettings(**common), "workers": WorkersSettings(**common),
                                            "matching": MatchingSettings(**common)})

    async def listener(_: Envelope) -> None:
        """Stands for the consumers not in this app (notify), so every event has somewhere to go."""

    await app.state.runtime.bus.subscribe("test-listener", ["#"], listener)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Platform(app, client, clock, service="matching")


# The console's fixture (the platform with the console, accounts of each role); imported last, since it builds on
# what this module defines.
from tests.service.console_world import console  # noqa: E402,F401
