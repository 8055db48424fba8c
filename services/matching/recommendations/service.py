"""Recommending to one worker, and issuing a set: stored, then published for notify (and a shortfall for staff)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import outbox
from services.matching.events import RECOMMENDATIONS_ISSUED, SHORTFALL_DETECTED
from services.matching.ranker_cache import RankerCache
from services.matching.ranking.model import Item, PostingView, Recommendation
from services.matching.readmodels.models import WorkerRecord
from services.matching.readmodels.service import worker_view
from services.matching.recommendations.models import RecommendationSet
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.contracts.matching import Offer, RecommendationsIssued, Shortfall, ShortfallDetected
from shared.errors import NotFound
from shared.events.outbox import add_event
from shared.reference.regions import get_region


async def worker_in_scope(session: AsyncSession, worker_id: str, by: Principal) -> WorkerRecord:
    """The worker's read model, if the caller's region covers the worker (404 otherwise: nothing leaks)."""
    record = await session.get(WorkerRecord, worker_id)
    if record is None or not by.covers_region(record.home_region_code):
        raise NotFound("worker not found", zh="没有找到这位劳动力")
    return record


async def recommend(*, session: AsyncSession, record: WorkerRecord, cache: RankerCache, clock: Clock,
                    limit: int) -> tuple[Recommendation, dict[str, PostingView]]:
    today = local_today(clock)
    ranker, postings = await cache.get(session, today=today)
    return ranker.recommend(worker_view(record.id, record.snapshot, today=today), limit=limit), postings


def offer(item: Item, posting: PostingView) -> Offer:
    """An item as staff and notify read it: the posting's essentials with the ranker's score and reasons."""
    region = get_region(posting.region_code)
    return Offer(posting_id=item.posting_id, title=posting.title, employer=posting.employer_name,
                 region_code=posting.region_code, region_name=region.name if region else posting.region_code,
                 wage_min=posting.wage_min, wage_max=posting.wage_max, distance_km=round(item.distance_km, 1),
                 meals=posting.meals, lodging=posting.lodging, score=round(item.score, 3), reasons=list(item.reasons),
                 relaxed=list(item.relaxed), fit=item.fit)


def body(recommendation: Recommendation, postings: dict[str, PostingView]) -> dict:
    """The offers and the shortfall, as stored with the set and carried by its event."""
    shortfall = recommendation.shortfall
    return {"worker_id": recommendation.worker_id,
            "items": [offer(item, postings[item.posting_id]).data() for item in recommendation.items],
            "shortfall": None if shortfall is None else Shortfall(found=shortfall.found, reason=shortfall.reason).data()}


async def issue(*, session: AsyncSession, recommendation: Recommendation, postings: dict[str, PostingView],
                home_region_code: str, run_id: str | None, by: str, clock: Clock) -> RecommendationSet:
    """Store the set and publish it (and the shortfall, if any) in the caller's transaction."""
    content = body(recommendation, postings)
    version = (await session.scalar(select(func.max(RecommendationSet.version))
                                    .where(RecommendationSet.worker_id == recommendation.worker_id)) or 0) + 1
    issued = RecommendationSet(id=str(uuid.uuid4()), worker_id=recommendation.worker_id, version=version,
                               run_id=run_id, items=content["items"], shortfall=content["shortfall"], issued_by=by,
                               issued_at=clock.now())
    session.add(issued)
    await session.flush()
    # The worker's home lets notify show station staff the messages of their own region only.
    published = RecommendationsIssued.model_validate(
        content | {"set_id": issued.id, "run_id": run_id, "home_region_code": home_region_code})
    await add_event(session, outbox, clock=clock, producer="matching", type=RECOMMENDATIONS_ISSUED,
                    subject=issued.worker_id, version=version, data=published.data())
    if published.shortfall is not None:
        shortfall = ShortfallDetected(worker_id=issued.worker_id, set_id=issued.id, run_id=run_id,
                                      found=published.shortfall.found, reason=published.shortfall.reason)
        await add_event(session, outbox, clock=clock, producer="matching", type=SHORTFALL_DETECTED,
                        subject=issued.worker_id, version=version, data=shortfall.data())
    return issued


async def record_delivery(*, session: AsyncSession, set_id: str, status: str, reason: str | None) -> bool:
    """Note notify's final word on the message that carried a set; a set never delivered stays unmarked."""
    issued = await session.get(RecommendationSet, set_id)
    if issued is None or issued.delivery == "delivered":
        return False
    issued.delivery, issued.delivery_reason = status, (reason or None) and reason[:200]
    return True


async def history(*, session: AsyncSession, worker_id: str, limit: int = 20) -> list[RecommendationSet]:
    return list(await session.scalars(select(RecommendationSet).where(RecommendationSet.worker_id == worker_id)
                                      .order_by(RecommendationSet.version.desc()).limit(limit)))
