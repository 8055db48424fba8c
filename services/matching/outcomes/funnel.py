"""The funnel from offer to lasting work: offered → delivered → interested → invited → placed → still employed at
six months, per county, each stage a set of labourers (so every figure has its list)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.outcomes.models import Decision, Interest, PlacementSeen
from services.matching.readmodels.models import WorkerRecord
from services.matching.recommendations.models import RecommendationSet
from shared.clock import LOCAL_ZONE, add_months
from shared.reference.regions import county_of

STAGES = ("offered", "delivered", "interested", "invited", "placed", "retained_6m")
STAGE_ZH = {"offered": "推荐岗位", "delivered": "送达", "interested": "有意向", "invited": "邀约面试",
            "placed": "就业", "retained_6m": "稳定就业6个月"}
RETAINED_MONTHS = 6


@dataclass
class Stages:
    """The labourers at each stage, and what tells how well the offers worked."""

    workers: dict[str, set[str]] = field(default_factory=lambda: {stage: set() for stage in STAGES})
    placed_from_offers: set[str] = field(default_factory=set)
    interest_positions: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {stage: len(ids) for stage, ids in self.workers.items()}

    def measures(self) -> dict[str, int | float | None]:
        """Placed in a posting they had been offered; the share of interest in one of the first three offers."""
        positions = self.interest_positions
        return {"placed_from_offers": len(self.placed_from_offers),
                "interest_in_first_three": round(sum(p <= 3 for p in positions) / len(positions), 4)
                if positions else None}


@dataclass(frozen=True)
class Scope:
    region: str  # an adcode prefix
    run_id: str | None = None
    month: str | None = None  # YYYY-MM, by the local calendar of the set's issue


async def funnel(*, session: AsyncSession, scope: Scope, today: date) -> tuple[Stages, dict[str, Stages]]:
    """The stages in total and per home county of the labourers offered something in the scope."""
    if scope.run_id:  # a run's sets first, then the homes of their workers only (a run report is polled)
        found = (await session.execute(_SETS.where(RecommendationSet.run_id == scope.run_id))).all()
        homes = await _homes(session, scope.region, workers=sorted({s.worker_id for s in found}))
    else:
        homes = await _homes(session, scope.region)
        found = (await session.execute(_SETS.where(RecommendationSet.worker_id.in_(list(homes))))).all()
    sets = [s for s in found
            if s.worker_id in homes and s.offers and (scope.month is None or _month(s) == scope.month)]
    first_offer: dict[str, datetime] = {}
    set_ids: set[str] = set()
    total, counties = Stages(), defaultdict[str, Stages](Stages)
    for offer in sets:
        set_ids.add(offer.id)
        first_offer[offer.worker_id] = min(offer.issued_at, first_offer.get(offer.worker_id, offer.issued_at))
        for stages in (total, counties[_county(homes[offer.worker_id])]):
            stages.workers["offered"].add(offer.worker_id)
            if offer.delivery == "delivered":
                stages.workers["delivered"].add(offer.worker_id)
    workers = list(first_offer)
    interests = (await session.scalars(select(Interest).where(Interest.worker_id.in_(workers),
                                                              Interest.posting_id.is_not(None)))).all()
    decisions = (await session.scalars(select(Decision).where(Decision.worker_id.in_(workers),
                                                              Decision.decision.in_(("invited", "hired"))))).all()
    placements = (await session.scalars(select(PlacementSeen).where(PlacementSeen.worker_id.in_(workers)))).all()
    # The postings offered, only for the workers something came of: the offers are the bulk of a set to read.
    followed = ({i.worker_id for i in interests} | {d.worker_id for d in decisions}
                | {p.worker_id for p in placements})
    offered = await _offered(session, [s.id for s in sets if s.worker_id in followed])
    for interest in interests:
        if interest.set_id in set_ids or interest.posting_id in offered[interest.worker_id]:
            for stages in (total, counties[_county(homes[interest.worker_id])]):
                stages.workers["interested"].add(interest.worker_id)
                if interest.position is not None:
                    stages.interest_positions.append(interest.position)
    for decision in decisions:
        if decision.posting_id in offered[decision.worker_id]:
            for stages in (total, counties[_county(homes[decision.worker_id])]):
                stages.workers["invited"].add(decision.worker_id)
    for placement in placements:
        if placement.recorded_at < first_offer[placement.worker_id]:
            continue  # a job recorded before these offers were made is none of their doing
        mark = add_months(placement.start_date, RETAINED_MONTHS)
        retained = mark <= today and (placement.ended_on is None or placement.ended_on >= mark)
        for stages in (total, counties[_county(homes[placement.worker_id])]):
            stages.workers["placed"].add(placement.worker_id)
            if placement.posting_id in offered[placement.worker_id]:
                stages.placed_from_offers.add(placement.worker_id)
            if retained:
                stages.workers["retained_6m"].add(placement.worker_id)
    return total, dict(counties)


# What the funnel reads of a set, as rows: no ORM object for each of a run's thousands of sets.
_SETS = select(RecommendationSet.id, RecommendationSet.worker_id,
               func.json_array_length(RecommendationSet.items).label("offers"), RecommendationSet.issued_at,
               RecommendationSet.delivery)
LOOKUP = 1000  # sets per IN list


async def _offered(session: AsyncSession, set_ids: list[str]) -> defaultdict[str, set[str]]:
    """The postings offered to each worker in these sets."""
    offered: defaultdict[str, set[str]] = defaultdict(set)
    for start in range(0, len(set_ids), LOOKUP):
        for worker_id, items in (await session.execute(
                select(RecommendationSet.worker_id, RecommendationSet.items)
                .where(RecommendationSet.id.in_(set_ids[start:start + LOOKUP])))).all():
            offered[worker_id].update(item["posting_id"] for item in items)
    return offered


async def _homes(session: AsyncSession, region: str, *, workers: list[str] | None = None) -> dict[str, str]:
    """Home region by worker, of the workers homed in `region` (of `workers` only, when given)."""
    query = select(WorkerRecord.id, WorkerRecord.home_region_code).where(
        WorkerRecord.home_region_code.startswith(region, autoescape=True))
    if workers is not None:
        query = query.where(WorkerRecord.id.in_(workers))
    return {worker_id: home for worker_id, home in (await session.execute(query)).all()}


def _month(offer: Row[Any]) -> str:
    return offer.issued_at.astimezone(LOCAL_ZONE).strftime("%Y-%m")


def _county(home: str) -> str:
    county = county_of(home)
    return county.code if county else home[:6]
