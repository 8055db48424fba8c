"""Accepting a recommendation set as a message (once, folded into a digest), ending messages, and reading them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import events
from services.notify.compose import SIGNATURE, compose_sms, compose_wechat
from services.notify.messages.models import Attempt, Message, MessageStatus
from services.notify.metrics import MESSAGES
from services.notify.policy import digest
from services.notify.policy.schedule import QuietHours
from services.notify.settings import NotifySettings
from services.notify.vendors.base import OFFERS
from shared.auth import Principal
from shared.clock import LOCAL_ZONE, Clock
from shared.contracts.matching import RecommendationsIssued
from shared.db import begin_writing, on_postgresql, one_of, rows_touched, wake_at_commit
from shared.errors import Invalid, NotFound
from shared.events.envelope import Envelope

log = logging.getLogger("jobbridge.notify")

KEY_NAMESPACE = uuid.UUID("5b0f7a52-6a57-4a0e-9d3c-2f8a3c1e9b41")
FINAL = (MessageStatus.delivered, MessageStatus.failed, MessageStatus.not_sent)
RECENT = 20  # a worker's messages looked at for the digest (a few a month in practice)
# The dispatchers' wake-up: a message became due now (in this process through the Database, in the others, such as
# `jobbridge relay notify`, through NOTIFY on PostgreSQL).
DUE_CHANNEL = "jobbridge_notify_due"


def idempotency_key(worker_id: str, set_id: str) -> str:
    """One key per worker and recommendation set: the message's unique key, and the providers' OutId,
    SessionContext and client_msg_id (32 characters fit them all)."""
    return uuid.uuid5(KEY_NAMESPACE, f"{worker_id}:{set_id}").hex


def content(items: Sequence[dict], *, settings: NotifySettings, region_code: str | None, set_id: str,
            message_id: str | None = None, now: datetime | None = None) -> tuple[dict, dict]:
    """The SMS (text, template parameters and the offers it numbers) and the WeChat template data for a set's
    offers."""
    contact = settings.contact_for(region_code)
    signature = f"【{settings.sms_sign_name}】" if settings.sms_sign_name else SIGNATURE
    sms = compose_sms(items, signature=signature, contact=contact)
    wechat = compose_wechat(items, link=settings.link_for(set_id, message_id=message_id, now=now), contact=contact)
    lines = [value["value"] for value in wechat["data"].values()]
    wechat["text"] = "\n".join(lines + ([wechat["url"]] if wechat.get("url") else []))
    # The offers the SMS numbers, in its order: a reply's digit names one of them (services/notify/replies), and
    # the offers page shows them (services/notify/offers_page).
    offers = [offer_shown(item) for item in items[:sms.numbered]]
    return {"text": sms.text, "params": dict(sms.params), "segments": sms.segments, "offers": offers}, wechat


def offer_shown(item: dict) -> dict:
    """What is kept of one offer: what the worker reads of it, nothing about the worker but the reasons."""
    def words(key: str, limit: int) -> str:
        return " ".join(str(item.get(key) or "").split())[:limit]

    reasons = [" ".join(str(r).split())[:40] for r in item.get("reasons") or () if str(r).strip()][:5]
    return {"posting_id": words("posting_id", 36), "title": words("title", 100), "employer": words("employer", 100),
            "region_code": words("region_code", 12), "region_name": words("region_name", 40),
            "wage_min": _amount(item.get("wage_min")), "wage_max": _amount(item.get("wage_max")),
            "meals": bool(item.get("meals")), "lodging": bool(item.get("lodging")), "reasons": reasons}


def _amount(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


async def accept_set(*, session: AsyncSession, event: Envelope, settings: NotifySettings, clock: Clock) -> str:
    """Turn an issued recommendation set into the worker's message, once; an unsent earlier one gives way to it.
    Returns the message's id."""
    [message_id] = await accept_sets(session=session, events=[event], settings=settings, clock=clock)
    return message_id


@dataclass
class _Known:
    """What accepting a set reads of one of the worker's recent offers messages (the ones in the database, and the
    ones this batch makes)."""

    id: str
    idempotency_key: str
    status: str
    set_version: int
    sent_at: datetime | None
    next_attempt_at: datetime | None
    lease: str | None
    unconfirmed_provider: str | None


_MESSAGES = cast(Table, Message.__table__)
_KNOWN = [getattr(_MESSAGES.c, name) for name in _Known.__dataclass_fields__]


async def accept_sets(*, session: AsyncSession, events: Sequence[Envelope], settings: NotifySettings,
                      clock: Clock) -> list[str]:
    """Accept several issued sets as `accept_set` would one after the other, in one statement each to serialize
    their workers, to read the workers' recent messages and to write the new ones (Core statements: no ORM object
    per message, but for the rare message that ends at once). Returns each set's message id."""
    issued = [RecommendationsIssued.model_validate(event.data) for event in events]
    workers = sorted({one.worker_id for one in issued})
    await _serialize_workers(session, workers)
    # The workers' recent messages answer every question below in one query; an older duplicate of a set, if
    # any, is refused by the unique key (and the consumer treats that as the redelivery it is).
    # A job fair's invitation neither takes the place of offers nor gives way to them: only offers are looked at.
    recent = await _recent(session, workers)
    new: dict[str, dict[str, Any]] = {}  # the rows to insert, by id
    accepted = [await _accept(session, event, one, recent[one.worker_id], new, settings=settings, clock=clock)
                for event, one in zip(events, issued)]
    if new:
        await session.execute(insert(_MESSAGES), list(new.values()))
    return accepted


async def _accept(session: AsyncSession, event: Envelope, issued: RecommendationsIssued, recent: list[_Known],
                  new: dict[str, dict[str, Any]], *, settings: NotifySettings, clock: Clock) -> str:
    """One set, given the worker's recent offers messages (newest first; the new message joins them, and its row
    joins `new` unless it ends at once)."""
    worker_id, set_id = issued.worker_id, issued.set_id
    key = idempotency_key(worker_id, set_id)
    if existing := next((m for m in recent if m.idempotency_key == key), None):
        return existing.id
    now = clock.now()
    region = issued.home_region_code
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()), "idempotency_key": key, "kind": OFFERS, "worker_id": worker_id,
        "region_code": region, "set_id": set_id, "set_version": event.version, "run_id": issued.run_id,
        "channel": None, "status": MessageStatus.queued, "reason": None, "attempts": 0, "text": "", "sms": {},
        "wechat": {}, "excluded_channels": [], "provider": None, "provider_message_id": None,
        "unconfirmed_provider": None, "next_attempt_at": None, "lease": None, "last_error": None, "version": 1,
        "created_at": now, "updated_at": now, "sent_at": None, "delivered_at": None}
    known = _Known(id=row["id"], idempotency_key=key, status=MessageStatus.queued, set_version=event.version,
                   sent_at=None, next_attempt_at=None, lease=None, unconfirmed_provider=None)
    earlier = list(recent)
    recent[:] = [known, *earlier][:RECENT]
    items = [offer.data() for offer in issued.items]
    if not items:
        shortfall = issued.shortfall.reason if issued.shortfall else None
        await _end_at_once(session, row, known, clock=clock,
                           reason="没有可推送的岗位" + (f"（{shortfall}）" if shortfall else ""))
        return known.id
    try:
        row["sms"], row["wechat"] = content(items, settings=settings, region_code=region, set_id=set_id,
                                            message_id=row["id"], now=now)
    except ValueError as exc:  # e.g. a station contact too long for three segments: no retry would help
        await _end_at_once(session, row, known, clock=clock, reason=f"无法生成消息：{exc}")
        return known.id
    row["text"] = row["sms"]["text"]
    new[known.id] = row
    newest = max((m.set_version for m in earlier), default=None)
    if newest is not None and newest >= event.version:
        row["status"] = known.status = MessageStatus.suppressed
        row["reason"] = f"已收到更新的推荐（第{newest}次）"
        MESSAGES.labels(MessageStatus.suppressed).inc()
        return known.id
    await _place(session, row, earlier, new, settings=settings, now=now)
    known.next_attempt_at = row["next_attempt_at"]
    if row["next_attempt_at"] <= now:
        wake_at_commit(session, DUE_CHANNEL)
    return known.id


async def _end_at_once(session: AsyncSession, row: dict[str, Any], known: _Known, *, reason: str,
                       clock: Clock) -> None:
    """A set that cannot become a message to send: its message is written as not sent, and that is published."""
    message = Message(**row)
    session.add(message)
    await end(session=session, message=message, status=MessageStatus.not_sent, reason=reason, clock=clock)
    known.status = MessageStatus.not_sent


async def _recent(session: AsyncSession, workers: Sequence[str]) -> dict[str, list[_Known]]:
    """Each worker's latest RECENT offers messages, newest first."""
    rows = await session.execute(_RECENT[on_postgresql(session)], {"workers": list(workers)})
    recent: dict[str, list[_Known]] = {worker_id: [] for worker_id in workers}
    for worker_id, *known in rows:
        recent[worker_id].append(_Known(*known))
    return recent


def _recent_query(postgresql: bool) -> Select:
    """The latest RECENT offers messages of the workers bound as `workers`."""
    ranked = (select(Message.id, func.row_number().over(partition_by=Message.worker_id,
                                                        order_by=Message.created_at.desc()).label("rank"))
              .where(one_of(Message.worker_id, "workers", postgresql=postgresql), Message.kind == OFFERS)
              .subquery())
    return (select(_MESSAGES.c.worker_id, *_KNOWN).join(ranked, ranked.c.id == _MESSAGES.c.id)
            .where(ranked.c.rank <= RECENT).order_by(_MESSAGES.c.created_at.desc()))


_RECENT = {postgresql: _recent_query(postgresql) for postgresql in (True, False)}  # True: PostgreSQL


def wake_if_due(*, session: AsyncSession, message: Message, now: datetime) -> None:
    """Wake the dispatchers once this transaction commits, if the message is waiting to go now."""
    if message.status == MessageStatus.queued and message.next_attempt_at is not None \
            and message.next_attempt_at <= now:
        wake_at_commit(session, DUE_CHANNEL)


async def _serialize_workers(session: AsyncSession, workers: Sequence[str]) -> None:
    """Sets for one worker are accepted one at a time, so two of them never both become messages (the workers'
    locks taken in one order, so two batches never wait on each other crosswise)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(text("SELECT count(pg_advisory_xact_lock(hashtext(key))) FROM "
                                   "(SELECT key FROM unnest(CAST(:keys AS text[])) AS key ORDER BY key) AS workers"),
                              {"keys": [f"notify:{worker_id}" for worker_id in sorted(workers)]})
    else:
        await begin_writing(session)


async def _place(session: AsyncSession, row: dict[str, Any], recent: list[_Known], new: dict[str, dict[str, Any]],
                 *, settings: NotifySettings, now: datetime) -> None:
    """Queue the new message: in place of the worker's unsent one, or held behind a recent one (the digest)."""
    pending_row = next((m for m in recent if m.status == MessageStatus.queued), None)
    last_sent_at = max((m.sent_at for m in recent if m.sent_at is not None), default=None)
    pending = None
    if pending_row is not None:
        pending = digest.Pending(next_attempt_at=pending_row.next_attempt_at, in_flight=_in_flight(pending_row, now))
    window = timedelta(minutes=settings.digest_minutes)
    plan = digest.plan(pending=pending, last_sent_at=last_sent_at, now=now, window=window)
    if plan.supersede:
        assert pending_row is not None, "only a pending message is superseded"
        if not await _supersede(session, pending_row, new, by=row["set_id"], now=now):
            # A dispatcher claimed it meanwhile: it is going now, so the new one waits for the window.
            plan = digest.plan(pending=digest.Pending(pending_row.next_attempt_at, in_flight=True),
                               last_sent_at=last_sent_at, now=now, window=window)
    quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    row["next_attempt_at"] = quiet.next_allowed(plan.not_before)
    if row["next_attempt_at"] > plan.not_before:
        row["reason"] = f"夜间免打扰，{_local(row['next_attempt_at'])}发送"
    elif plan.not_before > now:
        row["reason"] = f"与前一条消息合并，{_local(plan.not_before)}后发送"


def _in_flight(message: _Known, now: datetime) -> bool:
    """Being sent now (claimed), or sent once with the answer lost: it may be on the worker's phone already."""
    claimed = message.lease is not None and message.next_attempt_at is not None and message.next_attempt_at > now
    return claimed or message.unconfirmed_provider is not None


async def _supersede(session: AsyncSession, pending: _Known, new: dict[str, dict[str, Any]], *, by: str,
                     now: datetime) -> bool:
    """Suppress the pending message unless a dispatcher holds it (checked in the UPDATE itself, not before); one of
    this batch, not written yet, is suppressed before it is."""
    reason = f"被更新的推荐取代（{by}）"
    if (row := new.get(pending.id)) is not None:
        row.update(status=MessageStatus.suppressed, reason=reason, next_attempt_at=None, version=row["version"] + 1,
                   updated_at=now)
        suppressed = 1
    else:
        result = await session.execute(
            update(_MESSAGES).where(_MESSAGES.c.id == pending.id, _MESSAGES.c.status == MessageStatus.queued,
                                    _MESSAGES.c.unconfirmed_provider.is_(None),
                                    (_MESSAGES.c.lease.is_(None)) | (_MESSAGES.c.next_attempt_at <= now))
            .values(status=MessageStatus.suppressed, reason=reason, next_attempt_at=None, lease=None,
                    version=_MESSAGES.c.version + 1, updated_at=now))
        suppressed = rows_touched(result)
    if suppressed:
        pending.status, pending.next_attempt_at = MessageStatus.suppressed, None
        MESSAGES.labels(MessageStatus.suppressed).inc()
    return bool(suppressed)


async def end(*, session: AsyncSession, message: Message, status: MessageStatus, reason: str | None,
              clock: Clock) -> None:
    """Give a message its final status and publish it (delivered, or failed / not sent with the reason)."""
    now = clock.now()
    message.status, message.updated_at, message.next_attempt_at, message.lease = status, now, None, None
    message.reason = reason
    message.version += 1
    if status == MessageStatus.delivered:
        message.delivered_at = message.delivered_at or now
    await session.flush()
    MESSAGES.labels(status).inc()
    await events.message_ended(session, message, clock=clock)


@dataclass(frozen=True)
class MessageFilter:
    worker_id: str | None = None
    run_id: str | None = None
    status: str | None = None


def _visible(query, by: Principal):
    """Station staff see the messages of workers homed in their region; admin sees all."""
    if by.is_admin:
        return query
    return query.where(Message.region_code.startswith(by.region or "\x00", autoescape=True))


async def search(*, session: AsyncSession, filters: MessageFilter, by: Principal, page: int,
                 page_size: int) -> tuple[list[Message], int]:
    """Messages of one worker or one run, newest first, within the caller's region; admin may also ask for every
    message of one status (e.g. the failed ones)."""
    if not (filters.worker_id or filters.run_id or (by.is_admin and filters.status)):
        raise Invalid("give worker_id or run_id", field="worker_id", zh="请填写 worker_id 或 run_id")
    query = _visible(select(Message), by)
    if filters.worker_id:
        query = query.where(Message.worker_id == filters.worker_id)
    if filters.run_id:
        query = query.where(Message.run_id == filters.run_id)
    if filters.status:
        query = query.where(Message.status == filters.status)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Message.created_at.desc(), Message.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


async def get(*, session: AsyncSession, message_id: str, by: Principal) -> tuple[Message, list[Attempt]]:
    """One message with its attempts (outside the caller's region: not found)."""
    message = await session.scalar(_visible(select(Message).where(Message.id == message_id), by))
    if message is None:
        raise NotFound("message not found", zh="没有找到这条消息")
    attempts = await session.scalars(select(Attempt).where(Attempt.message_id == message_id).order_by(Attempt.id))
    return message, list(attempts)


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")
