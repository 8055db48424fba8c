"""A receipt that crossed the record of its send (each transaction ran before the other committed) is not lost."""

from __future__ import annotations

from sqlalchemy import select

from services.notify.messages.models import Message
from services.notify.receipts import service as receipts
from services.notify.receipts.models import Receipt
from tests.service.notify_fixtures import fakes, notify, notify_changes, notify_contacts  # noqa: F401 - fakes, notify, notify_*: fixtures

OPENID = "oia2TjuEGTNoeX76QEjQNrcURxG8"


async def crossed(notify, worker_id: str, *, delivered: bool) -> None:
    """Leave the state the crossing leaves: the send recorded, its receipt kept as one for an unknown message."""
    async with notify.unit.database.transaction() as session:
        message = await session.scalar(select(Message).where(Message.worker_id == worker_id))
        session.add(Receipt(provider=message.provider, provider_message_id=message.provider_message_id,
                            delivered=delivered, status="success" if delivered else "failed:user block",
                            detail=None, message_id=None, received_at=notify.clock.now()))


async def sweep(notify) -> int:
    async with notify.unit.database.transaction() as session:
        return await receipts.apply_stranded(session=session, settings=notify.unit.settings, clock=notify.clock)


async def test_a_receipt_kept_as_unknown_is_applied_once_its_send_is_recorded(notify):
    worker_id, _ = await notify.register(openid=OPENID, wechat=True)
    other_id, _ = await notify.register()
    for worker in (worker_id, other_id):
        await notify.issue(worker)
    await notify.settle()
    await crossed(notify, worker_id, delivered=True)

    assert await sweep(notify) == 1
    await notify.settle()
    message = await notify.message(worker_id)
    assert (message["channel"], message["status"]) == ("wechat", "delivered")
    assert (await notify.message(other_id))["status"] == "sent"  # no receipt of its own: untouched
    assert [e.subject for e in notify.events_of("notify.message.delivered")] == [message["id"]]
    assert await sweep(notify) == 0  # applied once; the next sweep finds nothing


async def test_a_receipt_for_a_message_nobody_sent_stays_unknown(notify):
    async with notify.unit.database.transaction() as session:
        session.add(Receipt(provider="aliyun", provider_message_id="900000000000000001^0", delivered=True,
                            status="DELIVERED", detail=None, message_id=None, received_at=notify.clock.now()))
    assert await sweep(notify) == 0
    async with notify.unit.database.sessions() as session:
        kept = await session.scalar(select(Receipt).where(Receipt.provider_message_id == "900000000000000001^0"))
    assert kept.message_id is None
