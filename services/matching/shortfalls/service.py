"""Workers whose newest offers fall short of the guarantee: the to-do list of their station staff."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.readmodels.models import WorkerRecord
from services.matching.recommendations.models import RecommendationSet
from shared.auth import Principal
from shared.errors import Forbidden


async def open_shortfalls(*, session: AsyncSession, by: Principal, region: str | None,
                          limit: int) -> tuple[list[dict], int]:
    """Seeking workers in scope whose newest issued set has a shortfall, oldest issue first (longest waiting)."""
    scope = region or by.region or ""
    if not by.is_admin and not (by.region and scope.startswith(by.region)):
        raise Forbidden(f"region {scope} is outside your region {by.region}")
    newest = (select(RecommendationSet.worker_id, func.max(RecommendationSet.version).label("version"))
              .group_by(RecommendationSet.worker_id).subquery())
    rows = (await session.execute(
        select(RecommendationSet, WorkerRecord.home_region_code)
        .join(newest, (newest.c.worker_id == RecommendationSet.worker_id)
              & (newest.c.version == RecommendationSet.version))
        .join(WorkerRecord, WorkerRecord.id == RecommendationSet.worker_id)
        .where(WorkerRecord.status == "seeking",
               WorkerRecord.home_region_code.startswith(scope, autoescape=True))
        .order_by(RecommendationSet.issued_at, RecommendationSet.worker_id))).all()
    short = [{"worker_id": s.worker_id, "home_region_code": home, "found": s.shortfall["found"],
              "reason": s.shortfall["reason"], "set_id": s.id, "issued_at": s.issued_at}
             for s, home in rows if s.shortfall]
    return short[:limit], len(short)
