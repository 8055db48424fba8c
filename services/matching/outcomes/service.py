"""Recording what came of the offers, and reading it back for candidate lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.candidates.access import may_see
from services.matching.outcomes.funnel import Scope
from services.matching.outcomes.models import Decision, Interest, PlacementSeen
from services.matching.readmodels.models import PostingRecord, WorkerRecord
from services.matching.recommendations.models import RecommendationSet
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.contracts.notify import OFFER_INTERESTED, OfferDeclinedAll, OfferInterested
from shared.contracts.workers import WorkerSnapshot
from shared.errors import Forbidden, NotFound
from shared.events.envelope import Envelope
from shared.reference.regions import LEAGUE_CODE

DECISIONS = {"invited": "已邀约面试", "hired": "已录用", "not_suitable": "不合适"}


def _position(offered: RecommendationSet | None, posting_id: str | None) -> int | None:
    if offered is None or posting_id is None:
        return None
    return next((n for n, item in enumerate(offered.items, 1) if item.get("posting_id") == posting_id), None)


async def record_interest(*, session: AsyncSession, event: Envelope) -> None:
    """A labourer answered a set of offers (interest in one, or none fits); the same reply counts once."""
    reply = (OfferInterested if event.type == OFFER_INTERESTED else OfferDeclinedAll).model_validate(event.data)
    if not reply.worker_id or await session.get(Interest, reply.reply_id) is not None:
        return
    posting_id, number = (reply.posting_id, reply.offer_number) if isinstance(reply, OfferInterested) else (None, None)
    offered = await session.get(RecommendationSet, reply.set_id) if reply.set_id else None
    session.add(Interest(id=reply.reply_id, worker_id=reply.worker_id, posting_id=posting_id, set_id=reply.set_id,
                         run_id=reply.run_id or (offered.run_id if offered else None),
                         position=number or _position(offered, posting_id), channel=reply.channel,
                         received_at=event.occurred_at))


async def record_placement(*, session: AsyncSession, event: Envelope) -> None:
    """Workers recorded a placement (or ended one): keep it, with whether its posting had been offered."""
    placement = WorkerSnapshot.model_validate(event.data).placement
    if placement is None:
        return
    seen = await session.get(PlacementSeen, placement.id)
    if seen is not None:
        seen.ended_on = placement.ended_on or seen.ended_on
        return
    worker_id, posting_id = event.subject, placement.posting_id
    sets = (await session.scalars(select(RecommendationSet).where(RecommendationSet.worker_id == worker_id)
                                  .order_by(RecommendationSet.version.desc()))).all()
    offering = next((s for s in sets if _position(s, posting_id) is not None), None)
    session.add(PlacementSeen(id=placement.id, worker_id=worker_id, posting_id=posting_id,
                              start_date=placement.start_date, ended_on=placement.ended_on,
                              from_offers=offering is not None, set_id=offering.id if offering else None,
                              recorded_at=event.occurred_at))


async def decide(*, session: AsyncSession, posting_id: str, worker_id: str, decision: str, note: str,
                 by: Principal, clock: Clock) -> Decision:
    """The employer's word on a candidate: invited to an interview, hired, or not suitable."""
    record = await session.get(PostingRecord, posting_id)
    if record is None or not may_see(record, by):
        raise NotFound("posting not found", zh="没有找到这个岗位")
    worker = await session.get(WorkerRecord, worker_id)
    if worker is None or not worker.share_with_partners:  # only candidates a partner may see at all
        raise NotFound("candidate not found", zh="没有找到这位候选人")
    found = await session.get(Decision, (posting_id, worker_id))
    if found is None:
        found = Decision(posting_id=posting_id, worker_id=worker_id)
        session.add(found)
    found.decision, found.note = decision, note or None
    found.decided_by, found.decided_at = by.sub, clock.now()
    await session.flush()
    return found


async def marks(*, session: AsyncSession, posting_id: str) -> tuple[set[str], dict[str, str]]:
    """Who asked about the posting, and what was decided about whom."""
    interested = set(await session.scalars(select(Interest.worker_id).where(Interest.posting_id == posting_id)))
    decided = dict((await session.execute(select(Decision.worker_id, Decision.decision)
                                          .where(Decision.posting_id == posting_id))).all())
    return interested, decided


def funnel_scope(*, by: Principal, region: str | None, run_id: str | None, month: str | None) -> Scope:
    """Staff see their own region (or a part of it); admin the League or any region."""
    if by.role is Role.station_staff and region is not None and not by.covers_region(region):
        raise Forbidden(f"region {region} is outside your region {by.region}", zh="这个地区不在您负责的范围内")
    return Scope(region=region or by.region or LEAGUE_CODE[:4], run_id=run_id, month=month)
