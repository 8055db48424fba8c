"""Recommending to one worker, and issuing a set: stored, then published for notify (and a shortfall for staff)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
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
from shared.events.outbox import NewEvent, add_events
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


class ToIssue(NamedTuple):
    """One worker's set to issue: the ranker's recommendation and the worker's home (notify shows station staff the
    messages of their own region only)."""

    recommendation: Recommendation
    home_region_code: str


SETS = cast(Table, RecommendationSet.__table__)  # declarative models type __table__ as a FromClause
LOOKUP = 1000  # workers per IN list


async def issue(*, session: AsyncSession, recommendation: Recommendation, postings: dict[str, PostingView],
                home_region_code: str, run_id: str | None, by: str, clock: Clock) -> dict[str, Any]:
    """Store one worker's set and publish it (and the shortfall, if any) in the caller's transaction; its row."""
    issued = await issue_all(session=session, sets=[ToIssue(recommendation, home_region_code)], postings=postings,
                             run_id=run_id, by=by, clock=clock)
    return issued[0]


async def issue_all(*, session: AsyncSession, sets: Sequence[ToIssue], postings: dict[str, PostingView],
                    run_id: str | None, by: str, clock: Clock) -> list[dict[str, Any]]:
    """Store many workers' sets and publish them (and their shortfalls) in the caller's transaction: a look-up of
    the workers' latest versions per thousand workers, one INSERT of the sets and one of their events, however
    many there are. The stored rows, in the order given. A worker given twice gets two versions."""
    latest = await _latest_versions(session, sorted({s.recommendation.worker_id for s in sets}))
    now = clock.now()
    rows: list[dict[str, Any]] = []
    events: list[NewEvent] = []
    for recommendation, home_region_code in sets:
        worker_id = recommendation.worker_id
        content = body(recommendation, postings)
        version = latest[worker_id] = latest.get(worker_id, 0) + 1
        row = {"id": str(uuid.uuid4()), "worker_id": worker_id, "version": version, "run_id": run_id,
               "items": content["items"], "shortfall": content["shortfall"], "issued_by": by, "issued_at": now,
               "delivery": None, "delivery_reason": None}
        rows.append(row)
        published = RecommendationsIssued.model_validate(
            content | {"set_id": row["id"], "run_id": run_id, "home_region_code": home_region_code})
        events.append(NewEvent(RECOMMENDATIONS_ISSUED, worker_id, version, published.data()))
        if published.shortfall is not None:
            shortfall = ShortfallDetected(worker_id=worker_id, set_id=row["id"], run_id=run_id,
                                          found=published.shortfall.found, reason=published.shortfall.reason)
            events.append(NewEvent(SHORTFALL_DETECTED, worker_id, version, shortfall.data()))
    if rows:
        await session.execute(insert(SETS), rows)
        await add_events(session, outbox, clock=clock, producer="matching", events=events)
    return rows


async def _latest_versions(session: AsyncSession, worker_ids: list[str]) -> dict[str, int]:
    """Each worker's newest set version, for the workers that have one."""
    latest: dict[str, int] = {}
    for start in range(0, len(worker_ids), LOOKUP):
        found = await session.execute(select(SETS.c.worker_id, func.max(SETS.c.version))
                                      .where(SETS.c.worker_id.in_(worker_ids[start:start + LOOKUP]))
                                      .group_by(SETS.c.worker_id))
        latest.update({worker_id: version for worker_id, version in found.all()})
    return latest


async def record_delivery(*, session: AsyncSession, set_id: str, status: str, reason: str | None) -> bool:
    """Note notify's final word on the message that carried a set; a set never delivered stays unmarked."""
    return bool(await record_deliveries(session=session, outcomes=[(set_id, status, reason)]))


async def record_deliveries(*, session: AsyncSession, outcomes: Sequence[tuple[str, str, str | None]]) -> int:
    """`record_delivery` of many outcomes (set id, status, reason), in order: one look-up of the sets per thousand,
    one UPDATE of those that change. How many changes were recorded."""
    wanted = sorted({set_id for set_id, _, _ in outcomes})
    current: dict[str, str | None] = {}
    for start in range(0, len(wanted), LOOKUP):
        found = await session.execute(select(SETS.c.id, SETS.c.delivery)
                                      .where(SETS.c.id.in_(wanted[start:start + LOOKUP])))
        current.update({set_id: delivery for set_id, delivery in found.all()})
    changed: dict[str, dict[str, Any]] = {}
    recorded = 0
    for set_id, status, reason in outcomes:
        if set_id not in current or current[set_id] == "delivered":
            continue
        current[set_id] = status
        changed[set_id] = {"set_id": set_id, "status": status, "reason": (reason or None) and reason[:200]}
        recorded += 1
    if changed:
        await session.execute(_DELIVERY, list(changed.values()))
    return recorded


_DELIVERY = (update(SETS).where(SETS.c.id == bindparam("set_id"))
             .values(delivery=bindparam("status"), delivery_reason=bindparam("reason")))


async def history(*, session: AsyncSession, worker_id: str, limit: int = 20) -> list[RecommendationSet]:
    return list(await session.scalars(select(RecommendationSet).where(RecommendationSet.worker_id == worker_id)
                                      .order_by(RecommendationSet.version.desc()).limit(limit)))
