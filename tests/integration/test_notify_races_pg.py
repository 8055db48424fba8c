"""On PostgreSQL: what the dispatcher records of a batch of passes; and the API (receipts) and the dispatcher (records
of sends) changing one message from two processes, where whichever commits second must see what the first wrote."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from jobbridge.platform import module
from services.notify.db import outbox
from services.notify.delivery import service as delivery
from services.notify.delivery.attempt import Call, Claim, Outcome
from services.notify.messages.models import Message, MessageStatus
from services.notify.messages.service import idempotency_key
from services.notify.receipts import service as receipts
from services.notify.receipts.models import Receipt
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


async def claimed_message(unit, sms: dict | None = None) -> Claim:
    clock, worker_id, set_id = SystemClock(), str(uuid.uuid4()), str(uuid.uuid4())
    sms = sms or {"text": "短信", "params": {}}
    now = clock.now()
    async with unit.database.transaction() as session:
        session.add(Message(id=str(uuid.uuid4()), idempotency_key=idempotency_key(worker_id, set_id),
                            worker_id=worker_id, region_code="152222105", set_id=set_id, set_version=1, run_id=None,
                            status=MessageStatus.queued, attempts=0, text=sms["text"], sms=sms,
                            wechat={}, excluded_channels=[], version=1, created_at=now, updated_at=now,
                            next_attempt_at=now - timedelta(seconds=1)))
    async with unit.database.transaction() as session:
        [claim] = await delivery.claim_due(session=session, now=now, batch=10, lease_for=timedelta(seconds=60))
    return claim


async def test_a_claim_carries_the_sms_text_and_template_parameters_as_written(notify):
    sms = {"text": "【兴安就业】为您推荐：1.焊工，乌兰浩特，5千-6千；", "segments": 1,
           "params": {"job1": "1.焊工，乌兰浩特，5千-6千；", "job2": "", "job3": "", "contact": "0482-1234567",
                      "picks": "1"},
           "offers": [{"posting_id": str(uuid.uuid4()), "title": "焊工", "reasons": ["离家近"]}]}
    claim = await claimed_message(notify, sms)
    assert (claim.sms_text, claim.sms_params) == (sms["text"], sms["params"])


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


async def message_row(unit, message_id: str) -> Message:
    async with unit.database.sessions() as session:
        message = await session.get(Message, message_id)
        assert message is not None
        return message


async def test_a_batch_of_passes_is_recorded_each_as_its_pass_left_it(notify):
    """Sent, queued again, failed, sent with its receipt come first, and a pass that outlived its lease: one record."""
    unit, clock = notify, SystemClock()
    sent, again, failed, crossed, late = [await claimed_message(unit) for _ in range(5)]
    at = datetime(2026, 12, 5, 6, 30, 1, 123456, tzinfo=timezone.utc)
    retry_at = at + timedelta(minutes=5)
    async with unit.database.transaction() as session:  # the receipt of `crossed` comes before its send is recorded
        await receipts.accept(session=session, clock=clock, settings=unit.settings, receipts=[ReceiptIn(
            provider="aliyun", provider_message_id="900000000000000004^0", delivered=True, status="DELIVERED")])

    def call(outcome: str) -> list[Call]:
        return [Call(at=at, channel="sms", provider="aliyun", outcome=outcome)]

    done = [(sent, Outcome(status="sent", channel="sms", provider="aliyun", provider_message_id="900000000000000001^0",
                           text="短信一", calls=call("sent"), number_hash="a" * 64)),
            (again, Outcome(status="queued", next_attempt_at=retry_at, reason="短信服务商暂不可用，稍后重试",
                            last_error="isp.SYSTEM_ERROR", calls=call("transient"), excluded_channels={"wechat"})),
            (failed, Outcome(status="failed", reason="号码无效", provider="aliyun", calls=call("failed"))),
            (crossed, Outcome(status="sent", channel="sms", provider="aliyun",
                              provider_message_id="900000000000000004^0", text="短信四", calls=call("sent"))),
            (replace(late, lease="an earlier lease"),
             Outcome(status="sent", channel="sms", provider="aliyun", provider_message_id="900000000000000005^0",
                     calls=call("sent")))]
    async with unit.database.transaction() as session:
        await delivery.record_all(session=session, done=done, settings=unit.settings, clock=clock)

    one = await message_row(unit, sent.id)
    assert (one.status, one.provider, one.provider_message_id, one.sent_at) == ("sent", "aliyun",
                                                                               "900000000000000001^0", at)
    assert (one.attempts, one.lease, one.text, one.next_attempt_at, one.version) == (1, None, "短信一", None, 2)
    two = await message_row(unit, again.id)
    assert (two.status, two.next_attempt_at, two.reason, two.last_error) == ("queued", retry_at,
                                                                              "短信服务商暂不可用，稍后重试",
                                                                              "isp.SYSTEM_ERROR")
    assert (two.attempts, two.lease, two.excluded_channels, two.text, two.version) == (1, None, ["wechat"], "短信", 2)
    three = await message_row(unit, failed.id)
    assert (three.status, three.reason, three.attempts, three.lease) == ("failed", "号码无效", 1, None)
    four = await message_row(unit, crossed.id)
    assert (four.status, four.provider_message_id, four.text) == ("delivered", "900000000000000004^0", "短信四")
    five = await message_row(unit, late.id)
    assert (five.status, five.lease, five.attempts, five.provider_message_id) == ("queued", late.lease, 0, None)
    async with unit.database.sessions() as session:
        [linked] = list(await session.scalars(select(Receipt.message_id)))
        ended = list(await session.scalars(select(outbox.c.type).where(outbox.c.subject.in_([failed.id, crossed.id]))
                                           .order_by(outbox.c.type)))
    assert linked == crossed.id
    assert ended == ["notify.message.delivered", "notify.message.failed"]
