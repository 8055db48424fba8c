"""On PostgreSQL, replies arrive from several API processes at once: the same reply taken twice at the same moment
(a vendor redelivering while the first delivery is still being handled, or the worker sending "2" twice) makes one
interest and one event; offers page answers pressed at once are kept once, and the last two 不合适 still make the
one "none fits". And notify's migrations build the tables its models describe."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from jobbridge.platform import module
from services.notify.db import Base
from services.notify.messages.models import Message, MessageStatus
from services.notify.messages.service import idempotency_key
from services.notify.opt_outs import service as opt_outs
from services.notify.opt_outs.models import ReplyRoute
from services.notify.replies import service as replies
from services.notify.replies.models import Reply
from services.notify.settings import NotifySettings
from services.notify.vendors.pushes import SmsReply
from shared.clock import FixedClock, SystemClock

pytestmark = pytest.mark.integration

PHONE = "13900004321"
POSTINGS = [str(uuid.uuid4()) for _ in range(3)]


@pytest.fixture
async def notify(pg_url, tmp_path):
    unit = module("notify").build(NotifySettings(database_url=pg_url, data_dir=tmp_path))
    await unit.migrate()
    yield unit
    await unit.database.dispose()


async def offers_sms_sent(unit) -> str:
    """A worker's offers SMS, sent a minute ago to PHONE (its reply route kept); returns the worker id."""
    clock, worker_id, set_id = SystemClock(), str(uuid.uuid4()), str(uuid.uuid4())
    now = clock.now()
    offers = [{"posting_id": p, "title": f"岗位{n}"} for n, p in enumerate(POSTINGS, 1)]
    async with unit.database.transaction() as session:
        session.add(Message(id=str(uuid.uuid4()), idempotency_key=idempotency_key(worker_id, set_id),
                            worker_id=worker_id, region_code="152222105", set_id=set_id, set_version=1, run_id="r-1",
                            channel="sms", status=MessageStatus.sent, attempts=1, text="短信",
                            sms={"text": "短信", "params": {}, "offers": offers}, wechat={}, excluded_channels=[],
                            version=2, created_at=now, updated_at=now, sent_at=now - timedelta(minutes=1)))
        await opt_outs.remember_route(session=session, number_hash=opt_outs.number_hash(
            PHONE, key=unit.settings.reply_key), worker_id=worker_id, clock=clock)
    return worker_id


async def take_at_once(unit, items: list[SmsReply], provider: str = "aliyun") -> list[Reply | None]:
    """Take each reply in its own transaction, all started together (as concurrent callbacks in several APIs)."""
    start = asyncio.Event()

    async def one(item: SmsReply) -> Reply | None:
        await start.wait()
        async with unit.database.transaction() as session:
            return await replies.take(session=session, item=item, provider=provider, settings=unit.settings,
                                      clock=SystemClock())

    tasks = [asyncio.create_task(one(item)) for item in items]
    await asyncio.sleep(0.05)
    start.set()
    return await asyncio.gather(*tasks)


async def counts(unit) -> tuple[int, int]:
    async with unit.database.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(Reply))
        events = await session.scalar(select(func.count()).select_from(unit.outbox)
                                      .where(unit.outbox.c.type.like("notify.offer.%")))
    return rows or 0, events or 0


async def test_the_same_callback_taken_at_once_makes_one_interest_and_one_event(notify):
    await offers_sms_sent(notify)
    redelivered = SmsReply(content="2", number=PHONE, marks="2026-12-03 10:00:00|7")
    taken = await take_at_once(notify, [redelivered] * 6)
    assert sum(reply is not None for reply in taken) == 1
    assert await counts(notify) == (1, 1)


async def test_the_same_answer_sent_twice_at_once_is_one_interest(notify):
    await offers_sms_sent(notify)
    twice = [SmsReply(content=content, number=PHONE, marks=f"2026-12-03 10:00:0{n}|{n}")
             for n, content in enumerate(["2", "回2", "２", "2 好的"])]
    await take_at_once(notify, twice)
    async with notify.database.sessions() as session:
        [reply] = list(await session.scalars(select(Reply)))
    assert (reply.kind, reply.offer_number, reply.posting_id) == ("interest", 2, POSTINGS[1])
    assert await counts(notify) == (1, 1)


async def test_different_answers_at_once_are_each_kept(notify):
    await offers_sms_sent(notify)
    answers = [SmsReply(content=content, number=PHONE, marks=f"t|{n}") for n, content in enumerate(["1", "3", "0"])]
    await take_at_once(notify, answers)
    async with notify.database.sessions() as session:
        kept = sorted((r.kind, r.offer_number) for r in await session.scalars(select(Reply)))
    assert kept == [("interest", 1), ("interest", 3), ("none_fit", 0)]
    assert await counts(notify) == (3, 3)


async def test_the_migrations_build_the_tables_the_models_describe(notify):
    async with notify.database.engine.connect() as connection:
        def differences(sync_connection):
            context = MigrationContext.configure(sync_connection, opts={
                "compare_type": True, "version_table": "alembic_version_notify"})
            return compare_metadata(context, Base.metadata)

        assert await connection.run_sync(differences) == []


async def press_at_once(unit, message_id: str, presses: list[tuple[int, str]]) -> None:
    """Press offers page buttons each in its own transaction, all started together (several phones or APIs)."""
    from services.notify.offers_page import service as page, token as tokens

    clock, start = SystemClock(), asyncio.Event()
    token = tokens.make(message_id, key=unit.settings.page_key, now=clock.now())

    async def one(number: int, answer: str) -> None:
        await start.wait()
        async with unit.database.transaction() as session:
            await page.answer(session=session, token=token, offer_number=number, answer=page.PageAnswer(answer),
                              settings=unit.settings, clock=clock)

    tasks = [asyncio.create_task(one(number, answer)) for number, answer in presses]
    await asyncio.sleep(0.05)
    start.set()
    await asyncio.gather(*tasks)


async def test_offers_page_answers_at_once_are_kept_once_and_the_last_two_not_fit_make_one_none_fit(notify):
    await offers_sms_sent(notify)
    async with notify.database.sessions() as session:
        message_id = await session.scalar(select(Message.id))
    await press_at_once(notify, message_id, [(1, "interest")] * 4)
    assert await counts(notify) == (1, 1)
    await press_at_once(notify, message_id, [(2, "not_fit"), (3, "not_fit")])
    assert await counts(notify) == (3, 1)  # offer 1 was of interest: not every offer got 不合适
    async with notify.database.transaction() as session:
        await session.execute(Reply.__table__.delete())
        await session.execute(notify.outbox.delete())
    await press_at_once(notify, message_id, [(1, "not_fit"), (2, "not_fit"), (3, "not_fit"), (3, "not_fit")])
    async with notify.database.sessions() as session:
        kept = sorted((r.kind, r.offer_number) for r in await session.scalars(select(Reply)))
    assert kept == [("none_fit", 0), ("not_fit", 1), ("not_fit", 2), ("not_fit", 3)]
    assert await counts(notify) == (4, 1)


async def test_numbers_texted_again_are_tied_to_the_worker_texted_last(notify):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    first, second, other = (str(uuid.uuid4()) for _ in range(3))
    async with notify.database.transaction() as session:
        await opt_outs.remember_routes(session=session, routes={"h-shared": first, "h-other": other}, clock=clock)
    clock.advance(hours=2)
    async with notify.database.transaction() as session:  # the shared number now goes to another worker
        await opt_outs.remember_routes(session=session, routes={"h-shared": second, "h-new": first}, clock=clock)
    async with notify.database.sessions() as session:
        rows = {row.number_hash: (row.worker_id, row.last_sent_at)
                for row in (await session.execute(select(ReplyRoute))).scalars()}
        assert await opt_outs.worker_for(session=session, number_hash="h-shared") == second
    assert rows == {"h-shared": (second, clock.now()), "h-new": (first, clock.now()),
                    "h-other": (other, clock.now() - timedelta(hours=2))}
