"""Applying delivery receipts: delivered, failed, or (WeChat) back to the queue for an SMS instead."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.messages import service as messages
from services.notify.messages.models import Attempt, Message, MessageStatus
from services.notify.metrics import RECEIPTS
from services.notify.opt_outs import service as opt_outs
from services.notify.policy.schedule import QuietHours
from services.notify.receipts.models import Receipt
from services.notify.settings import NotifySettings
from services.notify.vendors.base import per_number_id
from services.notify.vendors.pushes import ReceiptIn
from services.notify.vendors.registry import WECHAT_PUSHES
from shared.clock import Clock
from shared.db import on_postgresql, one_of

log = logging.getLogger("jobbridge.notify")
MOBILE_DIGITS = 11  # a mainland mobile number; fewer (or a *) in a receipt: the vendor masked it


async def accept(*, session: AsyncSession, receipts: Sequence[ReceiptIn], settings: NotifySettings,
                 clock: Clock) -> int:
    """Keep every receipt and apply those whose message is known; return how many matched. An unknown id is no
    error for the provider: it is kept (its send may not be recorded yet) and applied when the send is."""
    matched = 0
    known = [_by_number(receipt, key=settings.reply_key) for receipt in receipts]
    # In one order, so that two batches locking the same messages never wait on each other in a circle.
    for receipt, number in sorted(known, key=lambda pair: (pair[0].provider, pair[0].provider_message_id)):
        message = await _message_for(session, receipt, number)
        session.add(Receipt(provider=receipt.provider, delivered=receipt.delivered, status=receipt.status[:40],
                            provider_message_id=(message.provider_message_id if message and message.provider_message_id
                                                 else receipt.provider_message_id),
                            detail=receipt.detail, message_id=message.id if message else None,
                            received_at=clock.now()))
        if message is None:
            RECEIPTS.labels(receipt.provider, "unknown").inc()
            log.info("receipt for an unknown message", extra={"provider": receipt.provider,
                                                              "provider_message_id": receipt.provider_message_id})
            continue
        matched += 1
        await _apply(session, message, receipt, settings=settings, clock=clock)
    await session.flush()
    return matched


@dataclass(frozen=True)
class _Number:
    """What a receipt that carries its number tells of it: the id its vendor gave the whole request, and the
    number's keyed hash (None if the vendor masked the number)."""

    request_id: str
    hashed: str | None


def _by_number(receipt: ReceiptIn, *, key: bytes) -> tuple[ReceiptIn, _Number | None]:
    """A receipt whose vendor id names a request of several numbers, with the message's id (the request's id and the
    number's keyed hash, as its send was recorded); any other as it is."""
    if not receipt.number:
        return receipt, None
    if "*" in receipt.number or len(re.sub(r"\D", "", receipt.number)) < MOBILE_DIGITS:
        return replace(receipt, number=None), _Number(receipt.provider_message_id, None)
    hashed = opt_outs.number_hash(receipt.number, key=key)
    return (replace(receipt, provider_message_id=per_number_id(receipt.provider_message_id, hashed), number=None),
            _Number(receipt.provider_message_id, hashed))


async def _message_for(session: AsyncSession, receipt: ReceiptIn, number: _Number | None) -> Message | None:
    # Locked (here and below): a dispatcher recording this message's send waits for the receipt, or the receipt
    # for the record; either way the second sees what the first wrote.
    mine = select(Message).where(Message.provider == receipt.provider).with_for_update()
    message = await session.scalar(mine.where(Message.provider_message_id == receipt.provider_message_id))
    if message is None and number is not None:
        message = await _by_request_or_number(session, mine, receipt, number)
    if message is None and receipt.key:
        # Aliyun echoes our OutId: it finds a message whose send answer was lost (so no BizId was recorded).
        message = await session.scalar(select(Message).where(Message.idempotency_key == receipt.key)
                                       .with_for_update())
        if message is not None and message.provider_message_id is None:
            message.provider, message.provider_message_id = receipt.provider, receipt.provider_message_id
    return message


async def _by_request_or_number(session: AsyncSession, mine: Select, receipt: ReceiptIn,
                                number: _Number) -> Message | None:
    """The message of a receipt that carries its number, when no message holds its id."""
    # The request's id alone: a message recorded so, before ids named the number.
    if found := await session.scalar(mine.where(Message.provider_message_id == number.request_id)):
        return found
    if number.hashed is None:
        # The number is masked: the only message of its request, if it had one.
        return _only(await session.scalars(mine.where(
            Message.provider_message_id.startswith(f"{number.request_id}/", autoescape=True)).limit(2)))
    # A message its vendor was asked about after the answer to its request was lost, and found: no id was ever
    # given to it, but the look-up's attempt holds the number. Only when one such message is the number's.
    asked = select(Attempt.message_id).where(Attempt.provider == receipt.provider, Attempt.outcome == "found_sent",
                                             Attempt.number_hash == number.hashed)
    message = _only(await session.scalars(mine.where(Message.provider_message_id.is_(None), Message.id.in_(asked))
                                          .limit(2)))
    if message is not None:
        message.provider_message_id = receipt.provider_message_id
    return message


def _only(found: Iterable[Message]) -> Message | None:
    found = list(found)
    return found[0] if len(found) == 1 else None


async def _apply(session: AsyncSession, message: Message, receipt: ReceiptIn, *, settings: NotifySettings,
                 clock: Clock) -> None:
    outcome = "delivered" if receipt.delivered else "failed"
    RECEIPTS.labels(receipt.provider, outcome).inc()
    if message.status not in (MessageStatus.queued, MessageStatus.sent):
        return  # a repeated receipt, or one for a message already settled: nothing changes
    if receipt.delivered:
        message.unconfirmed_provider = None
        message.sent_at = message.sent_at or clock.now()
        message.channel = message.channel or ("wechat" if receipt.provider == "wechat" else "sms")
        await messages.end(session=session, message=message, status=MessageStatus.delivered, reason=None,
                           clock=clock)
        return
    if receipt.provider == "wechat":
        await _wechat_failed(session, message, receipt, settings=settings, clock=clock)
        return
    await messages.end(session=session, message=message, status=MessageStatus.failed, clock=clock,
                       reason=f"运营商回执未送达（{receipt.provider} {receipt.status}"
                              + (f" {receipt.detail}）" if receipt.detail else "）"))


async def _wechat_failed(session: AsyncSession, message: Message, receipt: ReceiptIn, *, settings: NotifySettings,
                         clock: Clock) -> None:
    """WeChat could not deliver: the message goes back to the queue for SMS (the dispatcher decides whether SMS
    may be used). Not WeChat again: a resend inside ten minutes would be dropped as a repeat of its client_msg_id."""
    if WECHAT_PUSHES.user_refused(receipt.status):
        await opt_outs.record(session=session, worker_id=message.worker_id, channel="wechat",
                              source=f"wechat {receipt.status}", clock=clock)
    now = clock.now()
    quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    message.status = MessageStatus.queued
    message.excluded_channels = sorted(set(message.excluded_channels or ()) | {"wechat"})
    message.next_attempt_at, message.lease = quiet.next_allowed(now), None
    message.last_error = f"wechat {receipt.status}"[:300]
    message.reason = "微信未送达，改发短信"
    message.version += 1
    message.updated_at = now
    messages.wake_if_due(session=session, message=message, now=now)


async def apply_waiting(*, session: AsyncSession, message: Message, settings: NotifySettings,
                        clock: Clock) -> None:
    """A receipt that came before its send was recorded: apply it now."""
    await apply_waiting_all(session=session, messages=[message], settings=settings, clock=clock)


# Receipts of the providers and keys bound as `providers` and `keys` that wait for their sends, per kind of database
# (True: PostgreSQL).
_WAITING = {postgresql: select(Receipt).where(
    one_of(Receipt.provider, "providers", postgresql=postgresql),
    one_of(Receipt.provider_message_id, "keys", postgresql=postgresql), Receipt.message_id.is_(None))
    .order_by(Receipt.id.desc()) for postgresql in (True, False)}


async def apply_waiting_all(*, session: AsyncSession, messages: Sequence[Message], settings: NotifySettings,
                            clock: Clock) -> None:
    """Receipts that came before their sends were recorded: apply each message's latest, looked for in one query."""
    sent = {(m.provider, m.provider_message_id): m for m in messages if m.provider_message_id}
    if sent:
        await _apply_waiting(session, await _waiting(session, sent), sent, settings=settings, clock=clock)


async def apply_waiting_to_sends(*, session: AsyncSession, sends: Mapping[tuple[str | None, str], str],
                                 settings: NotifySettings, clock: Clock) -> None:
    """The same for sends recorded without their messages loaded (the provider and its id for the message → the
    message's id): a message is loaded, locked, only when a receipt waits for it."""
    if not sends:
        return
    waiting = await _waiting(session, sends)
    ids = sorted({sends[key] for receipt in waiting if (key := (receipt.provider, receipt.provider_message_id)) in sends})
    if not ids:
        return
    loaded = {message.id: message for message in await session.scalars(
        select(Message).where(Message.id.in_(ids)).order_by(Message.id).with_for_update()
        .execution_options(populate_existing=True))}
    sent = {key: loaded[message_id] for key, message_id in sends.items() if message_id in loaded}
    await _apply_waiting(session, waiting, sent, settings=settings, clock=clock)


async def _waiting(session: AsyncSession, sends: Collection[tuple[str | None, str]]) -> list[Receipt]:
    """The receipts kept without their message for these sends, newest first."""
    return list(await session.scalars(_WAITING[on_postgresql(session)], {
        "providers": sorted({provider for provider, _ in sends if provider}),
        "keys": sorted({key for _, key in sends if key})}))


async def _apply_waiting(session: AsyncSession, waiting: list[Receipt], sent: Mapping[tuple[str | None, str], Message],
                         *, settings: NotifySettings, clock: Clock) -> None:
    """Apply each message's latest waiting receipt, and link it to the message."""
    applied: set[str] = set()
    for receipt in waiting:
        message = sent.get((receipt.provider, receipt.provider_message_id))
        if message is None or message.id in applied:
            continue
        applied.add(message.id)
        receipt.message_id = message.id
        await _apply(session, message, ReceiptIn(provider=receipt.provider,
                                                 provider_message_id=receipt.provider_message_id,
                                                 delivered=receipt.delivered, status=receipt.status,
                                                 detail=receipt.detail), settings=settings, clock=clock)


async def apply_stranded(*, session: AsyncSession, settings: NotifySettings, clock: Clock,
                         within: timedelta = timedelta(days=1), batch: int = 500) -> int:
    """Apply receipts kept as unknown whose send has been recorded since.

    A receipt and the record of its send can cross: each transaction runs before the other commits, so the receipt
    finds no message and the send finds no receipt. The dispatcher sweeps for those now and then; returns how many.
    """
    ids = await session.scalars(
        select(Message.id).join(Receipt, (Receipt.provider == Message.provider)
                                & (Receipt.provider_message_id == Message.provider_message_id))
        .where(Receipt.message_id.is_(None), Receipt.received_at >= clock.now() - within).distinct().limit(batch))
    stranded = list(await session.scalars(select(Message).where(Message.id.in_(list(ids)))
                                          .order_by(Message.id).with_for_update()))
    for message in stranded:
        await apply_waiting(session=session, message=message, settings=settings, clock=clock)
    return len(stranded)
