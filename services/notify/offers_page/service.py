"""The offers page of one message: what it shows, and the worker's answers on it (想了解 / 不合适 per offer).

想了解 is the same interest an SMS digit makes (a reply of kind interest, channel wechat, with its event); 不合适 is a
reply of kind not_fit on that offer, and when every offer of the message has one, a none_fit reply and its
declined_all event follow. The replies' unique keys make every answer once: pressing a button again changes nothing,
and the first answer to an offer stands.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import events
from services.notify.compose import Offer as ComposedOffer, board, wage_text
from services.notify.messages.models import Message
from services.notify.metrics import REPLIES
from services.notify.offers_page import token as tokens
from services.notify.replies.models import Reply, ReplyKind
from services.notify.replies.service import insert_once
from services.notify.settings import NotifySettings
from shared.clock import Clock
from shared.errors import NotFound

log = logging.getLogger("jobbridge.notify")
CHANNEL = PROVIDER = "wechat"  # the replies made here: the page is what the WeChat message links to


class PageAnswer(StrEnum):
    interest = "interest"  # 想了解
    not_fit = "not_fit"  # 不合适


BUTTONS = {PageAnswer.interest: "想了解", PageAnswer.not_fit: "不合适"}


class LinkGone(NotFound):
    """A token that is malformed, tampered with or expired, or whose message is no more."""

    zh = "链接已失效，请联系工作站"


@dataclass(frozen=True)
class PageOffer:
    number: int
    title: str
    employer: str
    place: str
    wage: str
    board: str
    reasons: list[str]
    answer: str | None  # interest, not_fit, or None: not answered yet


@dataclass(frozen=True)
class Page:
    offers: list[PageOffer]
    contact: str
    none_fit: bool = False  # every offer got 不合适


async def message_of(*, session: AsyncSession, token: str, settings: NotifySettings, clock: Clock,
                     lock: bool = False) -> Message:
    """The message a page token names (LinkGone when the token is bad or expired, or the message is gone); `lock`
    holds its row until the transaction ends (PostgreSQL; SQLite serializes writers anyway)."""
    try:
        message_id = tokens.read(token, key=settings.page_key, now=clock.now())
    except tokens.BadToken as exc:
        raise LinkGone(f"offers link refused: {exc}") from exc
    query = select(Message).where(Message.id == message_id)
    message = await session.scalar(query.with_for_update() if lock else query)
    if message is None:
        raise LinkGone("offers link names no message")
    return message


async def page(*, session: AsyncSession, token: str, settings: NotifySettings, clock: Clock) -> Page:
    """What the page shows: the numbered offers with the worker's answers so far, and whom to call."""
    message = await message_of(session=session, token=token, settings=settings, clock=clock)
    answers = {r.offer_number: r.kind for r in await session.scalars(
        select(Reply).where(Reply.message_id == message.id, Reply.offer_number.is_not(None)))}
    offers = []
    for number, item in enumerate(_offers(message), 1):
        shown = ComposedOffer.from_item(item)
        offers.append(PageOffer(
            number=number, title=shown.title, employer=shown.employer, place=shown.region_name,
            wage=wage_text(shown.wage_min, shown.wage_max, compact=False), board=board(shown),
            reasons=[str(r) for r in item.get("reasons") or ()], answer=answers.get(number)))
    return Page(offers=offers, contact=settings.contact_for(message.region_code),
                none_fit=answers.get(0) == ReplyKind.none_fit)


async def answer(*, session: AsyncSession, token: str, offer_number: int, answer: PageAnswer,
                 settings: NotifySettings, clock: Clock) -> Reply | None:
    """Record 想了解 or 不合适 on one offer of the page's message; None when that offer was answered already."""
    # Answers to one message are taken one at a time, so the last two 不合适 pressed at once still see each other
    # and make the one "none fits".
    message = await message_of(session=session, token=token, settings=settings, clock=clock, lock=True)
    offers = _offers(message)
    if not 1 <= offer_number <= len(offers):
        raise NotFound("no such offer on this page", field="offer", zh="没有这个岗位")
    item = offers[offer_number - 1]
    kind = ReplyKind.interest if answer == PageAnswer.interest else ReplyKind.not_fit
    reply = _reply(message, kind=kind, number=offer_number, posting_id=str(item.get("posting_id") or "") or None,
                   title=str(item.get("title") or "")[:100] or None, settings=settings, clock=clock)
    if not await insert_once(session, reply):
        REPLIES.labels(PROVIDER, "repeat").inc()
        return None
    REPLIES.labels(PROVIDER, kind).inc()
    log.info("offers page answer kept", extra={"reply_id": reply.id, "kind": kind, "worker_id": message.worker_id})
    if kind == ReplyKind.interest:
        await events.worker_replied(session, reply, clock=clock, channel=CHANNEL)
    elif await _all_not_fit(session, message, len(offers)):
        none_fit = _reply(message, kind=ReplyKind.none_fit, number=0, posting_id=None, title=None,
                          settings=settings, clock=clock)
        if await insert_once(session, none_fit):
            REPLIES.labels(PROVIDER, ReplyKind.none_fit).inc()
            await events.worker_replied(session, none_fit, clock=clock, channel=CHANNEL)
    return reply


def _offers(message: Message) -> list[dict]:
    return [o for o in (message.sms or {}).get("offers") or () if isinstance(o, dict) and o.get("posting_id")]


def _reply(message: Message, *, kind: ReplyKind, number: int, posting_id: str | None, title: str | None,
           settings: NotifySettings, clock: Clock) -> Reply:
    # The callback key of a page answer: one per message, offer and kind (the replies table needs one).
    key = hmac.new(settings.reply_key, f"page\x1f{message.id}\x1f{number}\x1f{kind}".encode(),
                   hashlib.sha256).hexdigest()
    words = BUTTONS[PageAnswer.interest] if kind == ReplyKind.interest else (
        BUTTONS[PageAnswer.not_fit] if kind == ReplyKind.not_fit else "都不合适")
    return Reply(id=str(uuid.uuid4()), kind=kind, worker_id=message.worker_id, region_code=message.region_code,
                 message_id=message.id, set_id=message.set_id, run_id=message.run_id, offer_number=number,
                 posting_id=posting_id, posting_title=title, content=words, provider=PROVIDER,
                 received_at=clock.now(), callback_key=key)


async def _all_not_fit(session: AsyncSession, message: Message, count: int) -> bool:
    numbers = set(await session.scalars(select(Reply.offer_number).where(
        Reply.message_id == message.id, Reply.kind == ReplyKind.not_fit)))
    return numbers >= set(range(1, count + 1))
