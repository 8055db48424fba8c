"""Ranking consenting workers for postings, under the same hard constraints, shown masked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.candidates.access import may_see
from services.matching.outcomes import service as outcomes
from services.matching.ranker_cache import RankerCache
from services.matching.ranking.model import Candidate, PostingView
from services.matching.readmodels.models import PostingRecord, WorkerRecord
from services.matching.readmodels.service import worker_view
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.errors import NotFound
from shared.reference.regions import get_region

CAPACITY = {"full": "全劳力", "partial": "半劳力", "weak": "弱劳力", "none": "无劳动能力"}
GENDER = {"male": "男", "female": "女"}


async def for_posting(*, session: AsyncSession, posting_id: str, by: Principal, cache: RankerCache, clock: Clock,
                      limit: int) -> tuple[PostingView, list[dict]]:
    record = await session.get(PostingRecord, posting_id)
    if record is None or not may_see(record, by):
        raise NotFound("posting not found", zh="没有找到这个岗位")
    ranker, postings = await cache.get(session, today=local_today(clock))
    if posting_id not in postings:
        raise NotFound("the posting is not open", zh="这个岗位已不再招聘")
    views = await _sharing_workers(session, clock)
    interested, decided = await outcomes.marks(session=session, posting_id=posting_id)
    # Those who asked about the posting come first (still only those it fits and who agreed to be shown).
    ranked = ranker.rank_workers(posting_id, list(views.values()), limit=limit + len(interested))
    ranked.sort(key=lambda c: c.worker_id not in interested)
    return postings[posting_id], [masked(c, views) | {
        "interested": c.worker_id in interested, "decision": decided.get(c.worker_id),
        "decision_text": outcomes.DECISIONS.get(decided.get(c.worker_id) or "")} for c in ranked[:limit]]


async def for_supply_list(*, session: AsyncSession, list_id: str, by: Principal, cache: RankerCache, clock: Clock,
                          per_posting: int) -> list[tuple[PostingView, list[dict]]]:
    records = list(await session.scalars(select(PostingRecord).where(PostingRecord.supply_list_id == list_id)))
    if not records or not all(may_see(r, by) for r in records) or by.role is Role.employer:
        raise NotFound("supply list not found", zh="没有找到这份岗位供给清单")  # not 403: no hint that it exists
    ranker, postings = await cache.get(session, today=local_today(clock))
    views = await _sharing_workers(session, clock)
    workers = list(views.values())
    return [(postings[r.id], [masked(c, views) for c in ranker.rank_workers(r.id, workers, limit=per_posting)])
            for r in records if r.id in postings]


async def _sharing_workers(session: AsyncSession, clock: Clock) -> dict:
    """Seeking workers who agreed to be shown to partners: only they appear on any candidate list."""
    today = local_today(clock)
    rows = await session.execute(select(WorkerRecord.id, WorkerRecord.snapshot).where(
        WorkerRecord.status == "seeking", WorkerRecord.share_with_partners.is_(True)))
    return {worker_id: worker_view(worker_id, snapshot, today=today) for worker_id, snapshot in rows.all()}


def masked(candidate: Candidate, views: dict) -> dict:
    """What a partner sees of a candidate: no name and no number, only what a job decision needs."""
    worker = views[candidate.worker_id]
    region = get_region(worker.home_region_code)
    return {"worker_id": candidate.worker_id, "age": worker.age, "gender": worker.gender,
            "home_region_code": worker.home_region_code, "home_region_name": region.name if region else "",
            "labor_capacity": worker.labor_capacity, "education": worker.education, "skills": list(worker.skills),
            "certificates": list(worker.certificates), "desired_occupations": list(worker.desired_occupations),
            "transfer_intention": worker.transfer_intention, "distance_km": round(candidate.distance_km, 1),
            "score": round(candidate.score, 3), "reasons": list(candidate.reasons)}
