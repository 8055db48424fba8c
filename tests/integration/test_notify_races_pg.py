"""On PostgreSQL the API (receipts) and the dispatcher (records of sends) change one message from two processes;
whichever commits second must see what the first wrote."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from jobbridge.platform import module
from services.notify.delivery import service as delivery
from services.notify.delivery.attempt import Call, Claim, Outcome
from services.notify.messages.models import Message, MessageStatus
from services.notify.messages.service import idempotency_key
from services.notify.receipts import service as receipts
from services.notify.settings import NotifySettings
from services.notify.vendors.pushes import ReceiptIn
from shared.clock import SystemClock

pytestmark = pytest.mark.integration


@pytest.fixture
async def notify(pg_url, tmp_path):
    unit = module("notify").build(NotifySettings(database_url=pg_url, data_dir=tmp_path))
    await unit.migrate()
    yield unit
    await unit.close()


async def claimed_message(unit) -> Claim:
    clock, worker_id, set_id = SystemClock(), str(uuid.uuid4()), str(uuid.uuid4())
    now = clock.now()
    async with unit.database.transaction() as session:
        session.add(Message(id=str(uuid.uuid4()), idempotency_key=idempotency_key(worker_id, set_id),
                            worker_id=worker_id, region_code="152222105", set_id=set_id, set_version=1, run_id=None,
                            status=MessageStatus.queued, attempts=0, text="短信", sms={"text": "短信", "params": {}},
                            wechat={}, excluded_channels=[], version=1, created_at=now, updated_at=now,
                            next_attempt_at=now - timedelta(seconds=1)))
    async with unit.database.transaction() as session:
        [claim] = await delivery.claim_due(session=session, now=now, batch=10, lease_for=timedelta(seconds=60))
    return claim


async def status_of(unit, message_id: str) -> str:
    async with unit.database.sessions() as session:
        return (await session.get(Message, message_id)).status


async def test_a_send_recorded_while_its_receipt_is_being_applied_stays_delivered(notify):
    unit, clock = notify, SystemClock()
    claim = await claimed_message(unit)
    # The provider's receipt (Aliyun echoes our key as out_id) is applied, not yet committed ...
    async with unit.database.transaction() as receipt_session:
        await receipts.accept(session=receipt_session, clock=clock, settings=unit.settings, receipts=[ReceiptIn(
            provider="aliyun", provider_message_id="900000000000000001^0", delivered=True, status="DELIVERED",
            key=claim.idempotency_key)])

        # ... while the dispatcher records the send it made.
        async def record() -> None:
            async with unit.database.transaction() as session:
                await delivery.record(session=session, claim=claim, settings=unit.settings, clock=clock,
                                      outcome=Outcome(status="sent", channel="sms", provider="aliyun",
                                                      provider_message_id="900000000000000001^0", text="短信",
                                                      calls=[Call(at=clock.now(), channel="sms", provider="aliyun",
                                                                  outcome="sent")]))

        recording = asyncio.create_task(record())
        await asyncio.sleep(0.5)
        assert not recording.done(), "the record waits for the receipt's transaction"
    await recording
    assert await status_of(unit, claim.id) == MessageStatus.delivered
