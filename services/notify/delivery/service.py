"""Claiming due messages for a dispatcher pass, what notify knows of each worker, and recording a pass's outcome."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.delivery.attempt import UNKNOWN_PROVIDER, Claim, History, Outcome
from services.notify.delivery.numbers import SENT_OUTCOMES
from services.notify.messages import service as messages
from services.notify.messages.models import Attempt, Message, MessageStatus
from services.notify.opt_outs import service as opt_outs
from services.notify.receipts import service as receipts
from services.notify.settings import NotifySettings
from shared.clock import LOCAL_ZONE, Clock
from shared.db import begin_writing

log = logging.getLogger("jobbridge.notify")

# Asking a vendor about an earlier send (after a lost answer), not sending; "query_<kind>" when asking failed.
LOOK_UP_OUTCOMES = ("not_found", "not_reported", "found_sent")


async def claim_due(*, session: AsyncSession, now: datetime, batch: int, lease_for: timedelta) -> list[Claim]:
    """Take up to `batch` due messages for this pass: each is leased (not due again) until the lease ends."""
    query = (select(Message).where(Message.status == MessageStatus.queued, Message.next_attempt_at <= now)
             .order_by(Message.next_attempt_at).limit(batch))
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # dispatchers side by side never take the same message
    else:
        await begin_writing(session)
    claims = []
    for message in (await session.scalars(query)).all():
        before = message.unconfirmed_provider
        since, awaited = await _doubt(session, message, lease_for) if before else (None, False)
        message.lease = uuid.uuid4().hex
        message.next_attempt_at = now + lease_for
        # In doubt until the pass is recorded: should the process die after a provider took the message, the next
        # pass asks the SMS vendor before sending (WeChat drops a repeated client_msg_id by itself).
        message.unconfirmed_provider = before or UNKNOWN_PROVIDER
        claims.append(Claim(
            id=message.id, lease=message.lease, worker_id=message.worker_id,
            idempotency_key=message.idempotency_key, set_id=message.set_id, attempts=message.attempts,
            sms_text=message.sms.get("text", ""), sms_params=dict(message.sms.get("params") or {}),
            wechat=dict(message.wechat), excluded_channels=frozenset(message.excluded_channels or ()),
            unconfirmed_provider=before,
            unconfirmed_on=message.updated_at.astimezone(LOCAL_ZONE).date(),
            unconfirmed_since=since, report_awaited=awaited, kind=message.kind))
    await session.flush()
    return claims


async def _doubt(session: AsyncSession, message: Message, lease_for: timedelta) -> tuple[datetime, bool]:
    """For a message whose send may have gone: when that send went (about), and whether a look at the vendor since
    found nothing yet and waited for it once already (then the next empty look means "not sent")."""
    if message.unconfirmed_provider == UNKNOWN_PROVIDER:
        # A pass died: it was claimed when the lease that has just ended began.
        assert message.next_attempt_at is not None, "a claimed message holds its lease's end"
        return message.next_attempt_at - lease_for, False
    rows = await session.execute(select(Attempt.outcome, Attempt.at).where(Attempt.message_id == message.id)
                                 .order_by(Attempt.at.desc(), Attempt.id.desc()))
    awaited = False
    for outcome, at in rows:
        if outcome in LOOK_UP_OUTCOMES or outcome.startswith("query_"):
            awaited = awaited or outcome == "not_reported"
            continue
        return at, awaited  # the latest send call: the one whose answer was lost
    return message.updated_at, awaited


async def histories(*, session: AsyncSession, worker_ids: Iterable[str], now: datetime) -> dict[str, History]:
    """Per worker: the channels they left, and their SMS of the last day (for the per-number limits)."""
    ids = sorted(set(worker_ids))
    left = await opt_outs.channels_left(session=session, worker_ids=ids)
    sent: dict[str, list[datetime]] = defaultdict(list)
    rows = await session.execute(select(Attempt.worker_id, Attempt.at).where(
        Attempt.worker_id.in_(ids), Attempt.channel == "sms", Attempt.outcome.in_(SENT_OUTCOMES),
        Attempt.at >= now - timedelta(days=1)))
    for worker_id, at in rows:
        sent[worker_id].append(at)
    return {w: History(opted_out=frozenset(left.get(w, ())), sms_sent_at=tuple(sent[w])) for w in ids}


async def record(*, session: AsyncSession, claim: Claim, outcome: Outcome, settings: NotifySettings,
                 clock: Clock) -> Message | None:
    """Write what a pass did: its calls, opt-outs, and the message's new state (only while the lease is ours)."""
    for call in outcome.calls:
        session.add(Attempt(message_id=claim.id, worker_id=claim.worker_id, at=call.at, channel=call.channel,
                            provider=call.provider, outcome=call.outcome, code=call.code, detail=call.detail,
                            number_hash=outcome.number_hash if call.channel == "sms" else None))
    for channel, source in outcome.opt_outs:
        await opt_outs.record(session=session, worker_id=claim.worker_id, channel=channel, source=source,
                              clock=clock)
    if outcome.number_hash:
        await opt_outs.remember_route(session=session, number_hash=outcome.number_hash, worker_id=claim.worker_id,
                                      clock=clock)
    # Locked: a receipt for this message (applied by the API process) waits for this record, or this for it.
    message = await session.get(Message, claim.id, with_for_update=True)
    if message is None or message.lease != claim.lease:
        log.warning("a dispatcher pass outlived its lease; its calls are recorded, the message is left as it is",
                    extra={"message_id": claim.id})
        return message
    now = clock.now()
    message.attempts += len(outcome.calls)
    message.lease = None
    message.unconfirmed_provider = outcome.unconfirmed_provider
    message.excluded_channels = sorted(set(message.excluded_channels or ()) | outcome.excluded_channels)
    message.last_error = outcome.last_error or message.last_error
    message.updated_at = now
    if outcome.channel:
        message.channel = outcome.channel
        message.text = outcome.text or message.text
    if message.status != MessageStatus.queued:
        # A receipt (matched by our key where the vendor echoes it) settled it while the pass was running.
        message.provider_message_id = message.provider_message_id or outcome.provider_message_id
        return message
    if outcome.status == MessageStatus.queued:
        message.next_attempt_at, message.reason = outcome.next_attempt_at, outcome.reason
        message.version += 1
        return message
    if outcome.status in (MessageStatus.sent, MessageStatus.delivered):
        message.status, message.reason, message.next_attempt_at = MessageStatus.sent, None, None
        message.provider, message.provider_message_id = outcome.provider, outcome.provider_message_id
        sent_calls = [call.at for call in outcome.calls if call.outcome in SENT_OUTCOMES]
        message.sent_at = sent_calls[-1] if sent_calls else now
        message.version += 1
        await session.flush()
        if outcome.status == MessageStatus.delivered:
            # Found delivered by a look-up after a lost answer: its receipt, if one came, is kept and linked too.
            await messages.end(session=session, message=message, status=MessageStatus.delivered, reason=None,
                               clock=clock)
        await receipts.apply_waiting(session=session, message=message, settings=settings, clock=clock)
        return message
    message.provider = outcome.provider or message.provider
    await messages.end(session=session, message=message, status=MessageStatus(outcome.status),
                       reason=outcome.reason, clock=clock)
    return message
