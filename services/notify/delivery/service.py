"""Claiming due messages for a dispatcher pass, what notify knows of each worker, and recording a pass's outcome."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from services.notify.delivery.attempt import UNKNOWN_PROVIDER, Claim, History, Outcome
from services.notify.delivery.numbers import SENT_OUTCOMES
from services.notify.messages import service as messages
from services.notify.messages.models import Attempt, Message, MessageStatus
from services.notify.opt_outs import service as opt_outs
from services.notify.receipts import service as receipts
from services.notify.settings import NotifySettings
from shared.clock import LOCAL_ZONE, Clock
from shared.db import begin_writing, on_postgresql, one_of

log = logging.getLogger("jobbridge.notify")

# Asking a vendor about an earlier send (after a lost answer), not sending; "query_<kind>" when asking failed.
LOOK_UP_OUTCOMES = ("not_found", "not_reported", "found_sent")


async def claim_due(*, session: AsyncSession, now: datetime, batch: int, lease_for: timedelta) -> list[Claim]:
    """Take up to `batch` due messages for this pass: each is leased (not due again) until the lease ends."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        return await _claim_at_once(session, now=now, batch=batch, lease_for=lease_for)
    await begin_writing(session)  # SQLite: one writer at a time
    query = (select(Message).where(Message.status == MessageStatus.queued, Message.next_attempt_at <= now)
             .order_by(Message.next_attempt_at).limit(batch))
    claims = []
    lease = uuid.uuid4().hex
    for message in (await session.scalars(query)).all():
        before, due = message.unconfirmed_provider, message.next_attempt_at
        message.lease = lease
        message.next_attempt_at = now + lease_for
        # In doubt until the pass is recorded: should the process die after a provider took the message, the next
        # pass asks the SMS vendor before sending (WeChat drops a repeated client_msg_id by itself).
        message.unconfirmed_provider = before or UNKNOWN_PROVIDER
        sms = message.sms or {}
        claims.append(await _claim(session, message, sms_text=sms.get("text"), sms_params=sms.get("params"),
                                   lease=lease, before=before, due=due, lease_for=lease_for))
    await session.flush()
    return claims


async def _claim_at_once(session: AsyncSession, *, now: datetime, batch: int, lease_for: timedelta) -> list[Claim]:
    """PostgreSQL: the due messages chosen, locked (dispatchers side by side skip each other's) and leased by one
    UPDATE, which returns what the pass needs of them (of the SMS only its text and parameters, not the offers it
    numbers: the JSON decoded for each claim was a few per cent of the dispatcher's CPU)."""
    table = cast(Table, Message.__table__)
    due = (select(table.c.id, table.c.unconfirmed_provider.label("before"), table.c.next_attempt_at.label("due"))
           .where(table.c.status == MessageStatus.queued, table.c.next_attempt_at <= now)
           .order_by(table.c.next_attempt_at).limit(batch).with_for_update(skip_locked=True).subquery("due"))
    lease = uuid.uuid4().hex
    # In doubt until the pass is recorded (see claim_due).
    leased = (update(table).where(table.c.id == due.c.id)
              .values(lease=lease, next_attempt_at=now + lease_for,
                      unconfirmed_provider=func.coalesce(table.c.unconfirmed_provider, UNKNOWN_PROVIDER))
              .returning(table.c.id, table.c.worker_id, table.c.idempotency_key, table.c.set_id, table.c.attempts,
                         table.c.sms["text"].as_string().label("sms_text"), table.c.sms["params"].label("sms_params"),
                         table.c.wechat, table.c.excluded_channels, table.c.updated_at, table.c.kind,
                         due.c.before, due.c.due))
    rows = sorted((await session.execute(leased)).all(), key=lambda row: (row.due, row.id))
    return [await _claim(session, row, sms_text=row.sms_text, sms_params=row.sms_params, lease=lease,
                         before=row.before, due=row.due, lease_for=lease_for)
            for row in rows]


async def _claim(session: AsyncSession, message: Any, *, sms_text: str | None, sms_params: dict | None, lease: str,
                 before: str | None, due: datetime | None, lease_for: timedelta) -> Claim:
    """What a pass needs of a claimed message (a row or the Message itself, and its SMS's text and parameters)
    and, if an earlier send may have gone, when that was."""
    since, awaited = await _doubt(session, message.id, before, due=due, updated_at=message.updated_at,
                                  lease_for=lease_for) if before else (None, False)
    return Claim(id=message.id, lease=lease, worker_id=message.worker_id, idempotency_key=message.idempotency_key,
                 set_id=message.set_id, attempts=message.attempts, sms_text=sms_text or "",
                 sms_params=dict(sms_params or {}), wechat=dict(message.wechat or {}),
                 excluded_channels=frozenset(message.excluded_channels or ()), unconfirmed_provider=before,
                 unconfirmed_on=message.updated_at.astimezone(LOCAL_ZONE).date(), unconfirmed_since=since,
                 report_awaited=awaited, kind=message.kind)


async def _doubt(session: AsyncSession, message_id: str, before: str, *, due: datetime | None, updated_at: datetime,
                 lease_for: timedelta) -> tuple[datetime, bool]:
    """For a message whose send may have gone: when that send went (about), and whether a look at the vendor since
    found nothing yet and waited for it once already (then the next empty look means "not sent")."""
    if before == UNKNOWN_PROVIDER:
        # A pass died: it was claimed when the lease that has just ended began.
        assert due is not None, "a claimed message holds its lease's end"
        return due - lease_for, False
    rows = await session.execute(select(Attempt.outcome, Attempt.at).where(Attempt.message_id == message_id)
                                 .order_by(Attempt.at.desc(), Attempt.id.desc()))
    awaited = False
    for outcome, at in rows:
        if outcome in LOOK_UP_OUTCOMES or outcome.startswith("query_"):
            awaited = awaited or outcome == "not_reported"
            continue
        return at, awaited  # the latest send call: the one whose answer was lost
    return updated_at, awaited


async def histories(*, session: AsyncSession, worker_ids: Iterable[str], now: datetime) -> dict[str, History]:
    """Per worker: the channels they left, and their SMS of the last day (for the per-number limits)."""
    ids = sorted(set(worker_ids))
    left = await opt_outs.channels_left(session=session, worker_ids=ids)
    sent: dict[str, list[datetime]] = defaultdict(list)
    rows = await session.execute(_SENT_TO[on_postgresql(session)], {"workers": ids, "since": now - timedelta(days=1)})
    for worker_id, at in rows:
        sent[worker_id].append(at)
    return {w: History(opted_out=frozenset(left.get(w, ())), sms_sent_at=tuple(sent[w])) for w in ids}


# The SMS of the workers bound as `workers` since `since`, per kind of database (True: PostgreSQL).
_SENT_TO = {postgresql: select(Attempt.worker_id, Attempt.at).where(
    one_of(Attempt.worker_id, "workers", postgresql=postgresql), Attempt.channel == "sms",
    Attempt.outcome.in_(SENT_OUTCOMES), Attempt.at >= bindparam("since", type_=Attempt.at.type))
    for postgresql in (True, False)}


async def record(*, session: AsyncSession, claim: Claim, outcome: Outcome, settings: NotifySettings,
                 clock: Clock) -> None:
    """Write what a pass did: its calls, opt-outs, and the message's new state (only while the lease is ours)."""
    await record_all(session=session, done=[(claim, outcome)], settings=settings, clock=clock)


async def record_all(*, session: AsyncSession, done: Sequence[tuple[Claim, Outcome]], settings: NotifySettings,
                     clock: Clock) -> None:
    """Write what several passes did, in one transaction: their calls in one INSERT, the numbers texted in one
    upsert, their messages locked by one SELECT; then each message's new state, only while the lease is ours.

    A message sent or queued again is written with the others by one UPDATE of many rows (Core: the ORM's loading
    and flushing of each message cost more than the rest of the record); one that ends now, or that a receipt
    settled while the pass ran, goes through the ORM (its end is published)."""
    calls = [{"message_id": claim.id, "worker_id": claim.worker_id, "at": call.at, "channel": call.channel,
              "provider": call.provider, "outcome": call.outcome, "code": call.code, "detail": call.detail,
              "number_hash": outcome.number_hash if call.channel == "sms" else None}
             for claim, outcome in done for call in outcome.calls]
    if calls:
        await session.execute(insert(cast(Table, Attempt.__table__)), calls)  # Core: no ORM bookkeeping per row
    for claim, outcome in done:
        for channel, source in outcome.opt_outs:
            await opt_outs.record(session=session, worker_id=claim.worker_id, channel=channel, source=source,
                                  clock=clock)
    routes = {outcome.number_hash: claim.worker_id for claim, outcome in done if outcome.number_hash}
    if routes:
        await opt_outs.remember_routes(session=session, routes=routes, clock=clock)
    # Locked: a receipt for one of them (applied by the API process) waits for this record, or this for it.
    postgresql = on_postgresql(session)
    held = {row.id: row for row in await session.execute(_HELD[postgresql],
                                                         {"ids": sorted({claim.id for claim, _ in done})})}
    now = clock.now()
    written: list[dict[str, Any]] = []
    rare: dict[str, Outcome] = {}
    for claim, outcome in done:
        row = held.get(claim.id)
        if row is None or row.lease != claim.lease:
            log.warning("a dispatcher pass outlived its lease; its calls are recorded, the message is left as it is",
                        extra={"message_id": claim.id})
        elif (values := settled(row, outcome, now=now)) is not None:
            written.append(values)
        else:
            rare[claim.id] = outcome
    if written:
        await session.execute(_SETTLE, written)
    # Sends whose receipts may have come first: (provider, its id for the message) → the message.
    sends = {(values["b_provider"], values["b_provider_message_id"]): values["b_id"] for values in written
             if values["b_status"] == MessageStatus.sent and values["b_provider_message_id"]}
    if rare:
        # Without what the worker reads (JSON and text a record never needs): it raises, should that change.
        for message in await session.scalars(_LOCKED[postgresql], {"ids": sorted(rare)}):
            if await _settle(session, message, rare[message.id], clock=clock) and message.provider_message_id:
                sends[(message.provider, message.provider_message_id)] = message.id
    # Receipts that came before their sends were recorded.
    await receipts.apply_waiting_to_sends(session=session, sends=sends, settings=settings, clock=clock)


_MESSAGES = cast(Table, Message.__table__)
# What a record reads of the messages bound as `ids`, locked, per kind of database (True: PostgreSQL).
_HELD = {postgresql: select(*(_MESSAGES.c[name] for name in (
    "id", "lease", "status", "attempts", "excluded_channels", "last_error", "channel", "reason", "next_attempt_at",
    "provider", "provider_message_id", "sent_at", "version")))
    .where(one_of(_MESSAGES.c.id, "ids", postgresql=postgresql)).order_by(_MESSAGES.c.id).with_for_update()
    for postgresql in (True, False)}
_WRITTEN = ("attempts", "unconfirmed_provider", "excluded_channels", "last_error", "updated_at", "channel", "status",
            "reason", "next_attempt_at", "provider", "provider_message_id", "sent_at", "version")
# A pass's messages, each with the values `settled` gives it; the text only when the pass gives one.
_SETTLE = (update(_MESSAGES).where(_MESSAGES.c.id == bindparam("b_id"))
           .values({**{name: bindparam(f"b_{name}") for name in _WRITTEN}, "lease": None,
                    "text": func.coalesce(bindparam("b_text", type_=_MESSAGES.c.text.type), _MESSAGES.c.text)}))


def settled(message: Any, outcome: Outcome, *, now: datetime) -> dict[str, Any] | None:
    """A message's new values after a pass that sent it or queued it again (the `_SETTLE` parameters), from what
    the record read of it; None when it ends now, or when a receipt settled it while the pass ran (`_settle`)."""
    if message.status != MessageStatus.queued or outcome.status not in (MessageStatus.queued, MessageStatus.sent):
        return None
    values = {"id": message.id, **_after_pass(message, outcome, now=now), "text": outcome.text or None,
              "status": message.status, "reason": outcome.reason, "next_attempt_at": outcome.next_attempt_at,
              "provider": message.provider, "provider_message_id": message.provider_message_id,
              "sent_at": message.sent_at, "version": message.version + 1}
    if outcome.status == MessageStatus.sent:
        values.update(_sent(outcome, now=now))
    return {f"b_{name}": value for name, value in values.items()}


def _after_pass(message: Any, outcome: Outcome, *, now: datetime) -> dict[str, Any]:
    """What every pass changes of its message (its lease ends besides)."""
    return {"attempts": message.attempts + len(outcome.calls), "unconfirmed_provider": outcome.unconfirmed_provider,
            "excluded_channels": sorted(set(message.excluded_channels or ()) | outcome.excluded_channels),
            "last_error": outcome.last_error or message.last_error, "updated_at": now,
            "channel": outcome.channel or message.channel}


def _sent(outcome: Outcome, *, now: datetime) -> dict[str, Any]:
    """A message a provider took: sent, by whom, under which id, when."""
    sent_calls = [call.at for call in outcome.calls if call.outcome in SENT_OUTCOMES]
    return {"status": MessageStatus.sent, "reason": None, "next_attempt_at": None, "provider": outcome.provider,
            "provider_message_id": outcome.provider_message_id, "sent_at": sent_calls[-1] if sent_calls else now}


# The messages bound as `ids`, locked, per kind of database (True: PostgreSQL).
_LOCKED = {postgresql: select(Message).where(one_of(Message.id, "ids", postgresql=postgresql))
           .options(defer(Message.sms, raiseload=True), defer(Message.wechat, raiseload=True),
                    defer(Message.text, raiseload=True))
           .order_by(Message.id).with_for_update().execution_options(populate_existing=True)
           for postgresql in (True, False)}


async def _settle(session: AsyncSession, message: Message, outcome: Outcome, *, clock: Clock) -> bool:
    """The new state of a message that ends after its pass, or that a receipt settled while the pass ran (`settled`
    gives the others); True when it went (a receipt may be waiting for it)."""
    now = clock.now()
    for name, value in _after_pass(message, outcome, now=now).items():
        setattr(message, name, value)
    message.lease = None
    if outcome.text:
        message.text = outcome.text
    if message.status != MessageStatus.queued:
        # A receipt (matched by our key where the vendor echoes it) settled it while the pass was running.
        message.provider_message_id = message.provider_message_id or outcome.provider_message_id
        return False
    if outcome.status in (MessageStatus.sent, MessageStatus.delivered):
        for name, value in _sent(outcome, now=now).items():
            setattr(message, name, value)
        message.version += 1
        if outcome.status == MessageStatus.delivered:
            # Found delivered by a look-up after a lost answer: its receipt, if one came, is kept and linked too.
            await messages.end(session=session, message=message, status=MessageStatus.delivered, reason=None,
                               clock=clock)
        return True
    message.provider = outcome.provider or message.provider
    await messages.end(session=session, message=message, status=MessageStatus(outcome.status),
                       reason=outcome.reason, clock=clock)
    return False
