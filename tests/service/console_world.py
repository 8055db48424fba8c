"""The embedded platform with the console, in-process on SQLite: accounts of each role, postings, and a client
that signs in and submits forms the way a browser does (cookies, CSRF field).

tests/service/conftest.py imports the `console` fixture, so every service test can ask for it.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx
import pytest

from services.console.settings import ConsoleSettings
from shared.clock import FixedClock
from shared.events.envelope import Envelope
from tests.service.conftest import SECRET, Platform, vacancy

PASSWORD = "correct-horse-battery"
STAFF_REGION = "152222"  # 科右中旗
OTHER_REGION = "152221"  # 科右前旗
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


class Browser:
    """One person's cookies against the app: sign in, read pages, submit forms with the page's CSRF token."""

    def __init__(self, app) -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", follow_redirects=False)
        self.csrf = ""

    async def get(self, path: str, **kwargs) -> httpx.Response:
        answer = await self.client.get(path, **kwargs)
        if found := CSRF.search(answer.text):
            self.csrf = found.group(1)
        return answer

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/console/sign-in")
        return await self.client.post("/console/sign-in", data={"username": username, "password": password,
                                                                "csrf": self.csrf, "next": "/console/"})

    async def submit(self, path: str, data: dict | None = None, *, csrf: str | None = None,
                     files: dict | None = None) -> httpx.Response:
        """Post a form with the CSRF token of the last page read (or the one given)."""
        body = {"csrf": self.csrf if csrf is None else csrf, **(data or {})}
        return await self.client.post(path, data=body, files=files)

    async def close(self) -> None:
        await self.client.aclose()


class ConsoleWorld(Platform):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._browsers: list[Browser] = []

    async def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.app)
        self._browsers.append(browser)
        if username:
            answer = await browser.sign_in(username)
            assert answer.status_code == 303, answer.text
        return browser

    async def account(self, username: str, role: str, **scope: str) -> None:
        from services.console.accounts import service as accounts

        unit = self.app.state.units["console"]
        async with unit.database.transaction() as session:
            await accounts.create(session=session, clock=unit.clock, by="test", username=username,
                                  display_name=f"{username}的账号", role=role, password=PASSWORD, **scope)


@pytest.fixture
async def console(tmp_path):
    from jobbridge.platform import create_platform
    from services.jobs.settings import JobsSettings
    from services.matching.settings import MatchingSettings
    from services.notify.settings import NotifySettings
    from services.workers.settings import WorkersSettings
    from shared.settings import CommonSettings

    clock = FixedClock(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))
    common = {"data_dir": tmp_path, "jwt_secret": SECRET, "relay_poll_seconds": 0.05}
    settings = {"jobs": JobsSettings(**common), "workers": WorkersSettings(**common),
                "matching": MatchingSettings(**common), "notify": NotifySettings(**common),
                "console": ConsoleSettings(**common, failed_signin_delay_seconds=0, max_failed_signins=3)}
    app = create_platform(("jobs", "workers", "matching", "notify", "console"), settings=CommonSettings(**common),
                          clock=clock, service_settings=settings)

    async def listener(_: Envelope) -> None:
        """Stands for whoever binds to events no service here consumes."""

    await app.state.runtime.bus.subscribe("test-listener", ["#"], listener)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            world = ConsoleWorld(app, client, clock, service="console")
            await world.account("admin1", "admin", phone="0482-8261234")
            await world.account("station1", "station_staff", region=STAFF_REGION, phone="0482-4112345")
            await world.account("station2", "station_staff", region=OTHER_REGION)
            await world.account("office1", "partner_office", office_id="bj-fengtai-hrss")
            admin = world.auth("admin")
            made = await client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"},
                                     headers=admin)
            employer_id = made.json()["id"]
            for changes in ({}, {"title": "住家保姆", "wage_min": 5200, "wage_max": 6800},
                            {"title": "养老护理员", "occupation": "养老护理员", "region_code": "110105"},
                            {"title": "宾馆保洁员", "occupation": "保洁员", "certificates": []}):
                answer = await client.post("/jobs/postings", json={**vacancy(**changes), "employer_id": employer_id},
                                           headers=admin)
                assert answer.status_code == 201, answer.text
            await world.settle()
            try:
                yield world
            finally:
                for browser in world._browsers:
                    await browser.close()
