"""The notify app in-process on SQLite, wired to the fake provider servers and to the workers app (ASGI).

Import the fixtures into a test module (`from tests.service.notify_fixtures import fakes, notify, notify_changes,
notify_contacts`). Everything shares one FixedClock:
the app, the fakes (they check signature timestamps against it) and the workers app.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import func, or_, select

from services.notify.app import create_app
from services.notify.contacts import Contact, ContactUnavailable, WorkersContacts
from services.notify.messages.models import Message
from services.notify.settings import NotifySettings
from services.workers.profiles.idcard import make_id_number
from shared.auth import mint_token
from shared.clock import Clock, FixedClock
from shared.events.envelope import Envelope
from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import FakeServer, SentMessage
from tests.fakes.tencent import FakeTencent
from tests.fakes.wechat import FakeWechat
from tests.service.conftest import SECRET, worker

ISSUED = "matching.recommendations.issued"
STAFF_REGION = "152222"  # 科右中旗
CONTACT = "科右中旗就业服务中心0482-4112345"


def offer(title: str = "保洁员", employer: str = "北京安居家政服务有限公司", region_code: str = "110105",
          region_name: str = "朝阳区", wage_min: int = 5000, wage_max: int = 6500, meals: bool = True,
          lodging: bool = True) -> dict:
    """One item of a `matching.recommendations.issued` set."""
    return {"posting_id": str(uuid.uuid4()), "title": title, "employer": employer, "region_code": region_code,
            "region_name": region_name, "wage_min": wage_min, "wage_max": wage_max, "distance_km": 612.4,
            "meals": meals, "lodging": lodging, "score": 0.87, "reasons": ["会：保洁"], "relaxed": []}


THREE = [offer(), offer("电焊工", "兴安盟钢铁有限公司", "152201", "乌兰浩特市", 4000, 5500, True, False),
         offer("护林员", "科右前旗林业局", "152221", "科尔沁右翼前旗", 2200, 2200, False, False)]


def issued(worker_id: str, *, version: int = 1, items: list[dict] | None = None, set_id: str | None = None,
           run_id: str | None = None, region: str | None = "152222105", clock: Clock | None = None) -> Envelope:
    """The event matching publishes for an issued set (with the worker's home, which the lead adds)."""
    data = {"worker_id": worker_id, "set_id": set_id or str(uuid.uuid4()), "run_id": run_id,
            "items": THREE if items is None else items, "shortfall": None}
    if region is not None:
        data["home_region_code"] = region
    occurred_at = clock.now() if clock else datetime.now(timezone.utc)
    return Envelope(type=ISSUED, occurred_at=occurred_at, producer="matching", subject=worker_id, version=version,
                    data=data)


class StaticContacts:
    """A contact directory held in memory: our own protocol's fake, for tests that need no workers app."""

    def __init__(self, contacts: dict[str, Contact] | None = None) -> None:
        self.contacts = dict(contacts or {})
        self.lookups = 0
        self.unavailable = False

    async def contact(self, worker_id: str) -> Contact | None:
        self.lookups += 1
        if self.unavailable:
            raise ContactUnavailable("workers did not answer (test)")
        return self.contacts.get(worker_id)


class Notify:
    """The notify app with its fakes and the workers app: register workers, publish sets, read what happened."""

    def __init__(self, app, client: httpx.AsyncClient, clock: FixedClock, workers, aliyun: FakeAliyun,
                 tencent: FakeTencent, wechat: FakeWechat, events: list[Envelope]) -> None:
        self.app, self.client, self.clock, self.workers = app, client, clock, workers
        self.aliyun, self.tencent, self.wechat = aliyun, tencent, wechat
        self.events = events
        self.unit = app.state.units["notify"]
        self.bus = app.state.runtime.bus
        self._sequence = 0

    @property
    def fakes(self) -> list[FakeServer]:
        return [self.aliyun, self.tencent, self.wechat]

    @property
    def callback_token(self) -> str:
        """The token notify made in its data folder (tmp_path) for its callback URLs."""
        return self.unit.settings.callback_token

    def callback(self, path: str) -> str:
        """A provider callback's URL as set in the provider's console, e.g. callback("receipts/aliyun")."""
        return f"http://test/notify/{path}?token={self.callback_token}"

    def auth(self, role: str = "admin", **scope: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}

    async def register(self, *, phone: str | None = None, openid: str | None = None, sms: bool = True,
                       wechat: bool = False, home: str = "152222105") -> tuple[str, str]:
        """Register a labourer in workers; return (worker id, phone)."""
        self._sequence += 1
        phone = phone or f"1390000{self._sequence:04d}"
        id_number = make_id_number(home[:6], date(1985, 3, 1), self._sequence, "female")
        body = worker(id_number=id_number, phone=phone, home_region_code=home, wechat_openid=openid,
                      consent={"sms": sms, "wechat": wechat, "share_with_partners": False})
        response = await self.workers.client.post("/workers/profiles", json=body,
                                                  headers=self.auth("station_staff", region=home[:6]))
        assert response.status_code == 201, response.text
        return response.json()["id"], phone

    async def publish(self, event: Envelope) -> Envelope:
        """Deliver the event to notify's consumer, as the bus would (returns once it is handled)."""
        await self.bus.publish(event)
        return event

    async def issue(self, worker_id: str, **kwargs) -> Envelope:
        return await self.publish(issued(worker_id, clock=self.clock, **kwargs))

    async def settle(self, within: float = 10.0) -> None:
        """Wait until no message is due or being sent, and every event of notify is published."""
        self.unit.state["dispatcher"].wake()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with self.unit.database.sessions() as session:
                busy = await session.scalar(select(func.count()).select_from(Message).where(
                    Message.status == "queued",
                    or_(Message.next_attempt_at <= self.clock.now(), Message.lease.is_not(None))))
                outbox = self.unit.outbox
                unpublished = await session.scalar(select(func.count()).select_from(outbox)
                                                   .where(outbox.c.published_at.is_(None)))
            if not busy and not unpublished:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{busy} messages still due and {unpublished} events unpublished after {within} s")

    async def later(self, **delta: float) -> None:
        """Move the clock on, and let the dispatcher send what became due."""
        self.clock.advance(**delta)
        await self.settle()

    async def messages(self, **query: str) -> list[dict]:
        response = await self.client.get("/notify/messages", params=query, headers=self.auth())
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def message(self, worker_id: str) -> dict:
        [found] = [m for m in await self.messages(worker_id=worker_id) if m["status"] != "suppressed"]
        return found

    def sent_to(self, *recipients: str) -> list[SentMessage]:
        """What the fake servers accepted for these numbers or openids (Tencent's +86 form included)."""
        wanted = set(recipients) | {f"+86{r}" for r in recipients}
        return [m for fake in self.fakes for m in fake.sent if m.to in wanted]

    def events_of(self, type_: str) -> list[Envelope]:
        return [e for e in self.events if e.type == type_]


def notify_settings(tmp_path, *, aliyun: FakeAliyun, tencent: FakeTencent, wechat: FakeWechat,
                    **changes) -> NotifySettings:
    values = dict(
        data_dir=tmp_path, jwt_secret=SECRET, relay_poll_seconds=0.02, dispatch_poll_seconds=0.02,
        sms_providers="aliyun,tencent", wechat_provider="wechat", provider_timeout_seconds=2.0,
        aliyun_endpoint=aliyun.url, aliyun_access_key_id=aliyun.access_key_id,
        aliyun_access_key_secret=aliyun.access_key_secret, aliyun_template_code=aliyun.template_code,
        tencent_endpoint=tencent.url, tencent_secret_id=tencent.secret_id, tencent_secret_key=tencent.secret_key,
        tencent_sdk_app_id=tencent.sdk_app_id, tencent_template_id=tencent.template_id,
        wechat_base_url=wechat.url, wechat_appid=wechat.appid, wechat_secret=wechat.secret,
        wechat_template_id=wechat.template_id, wechat_link="https://jobs.example/offers/{set_id}",
        wechat_callback_token=wechat.callback_token, contacts_by_region={STAFF_REGION: CONTACT})
    return NotifySettings(**(values | changes))


@pytest.fixture
def notify_changes() -> dict:
    """Settings a test module changes for the notify app (override this fixture)."""
    return {}


@pytest.fixture
def notify_contacts() -> StaticContacts | None:
    """The contact directory notify uses; None: the workers app, over HTTP (override this fixture)."""
    return None


@pytest.fixture
async def fakes(clock) -> AsyncIterator[tuple[FakeAliyun, FakeTencent, FakeWechat]]:
    aliyun, tencent, wechat = FakeAliyun(clock=clock), FakeTencent(clock=clock), FakeWechat(clock=clock)
    for fake in (aliyun, tencent, wechat):
        fake.hang_seconds = 3.0  # past the client's 2 s timeout (generous: a loaded machine must not time out by accident)
    async with aliyun, tencent, wechat:
        yield aliyun, tencent, wechat
    for fake in (aliyun, tencent, wechat):
        assert not fake.errors, f"{type(fake).__name__} failed:\n" + "\n".join(fake.errors)


@pytest.fixture
async def notify(tmp_path, clock, workers_api, fakes, notify_changes, notify_contacts) -> AsyncIterator[Notify]:
    aliyun, tencent, wechat = fakes
    settings = notify_settings(tmp_path, aliyun=aliyun, tencent=tencent, wechat=wechat, **notify_changes)
    # Tokens are checked against the wall clock by workers, so the lookup mints them on it (not the test's clock).
    contacts = notify_contacts or WorkersContacts(base_url="http://test", client=workers_api.client,
                                                  signing_key=SECRET)
    app = create_app(settings, clock=clock, contacts=contacts)
    events: list[Envelope] = []

    async def listener(event: Envelope) -> None:
        """Stands for the consumers of notify's events (none is in this app)."""
        events.append(event)

    await app.state.runtime.bus.subscribe("test-listener", ["notify.#"], listener)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Notify(app, client, clock, workers_api, aliyun, tencent, wechat, events)
