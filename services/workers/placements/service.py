"""Recording that a worker took a job, and ending it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.events import PROFILE_PLACED, PROFILE_UPDATED, profile_changed
from services.workers.followups import schedule as visits
from services.workers.placements.models import Placement
from services.workers.placements.openings import Openings
from services.workers.placements.rules import job_seeking_subsidy, works_within
from services.workers.profiles import service as profiles
from services.workers.profiles.models import WorkerStatus
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.workers import PlacementFacts
from shared.errors import Conflict, Invalid, NotFound
from shared.reference.regions import is_known


async def record(*, session: AsyncSession, worker_id: str, posting_id: str, start_date: date, monthly_wage: int,
                 contract_months: int, work_region_code: str | None, organised_export: bool, openings: Openings,
                 follow_up_months: tuple[int, ...], by: Principal, clock: Clock) -> Placement:
    """The worker took a posting: hold its opening at jobs, record the placement, tell jobs and matching."""
    profile = await profiles.get(session=session, worker_id=worker_id, by=by)
    if work_region_code is not None and not is_known(work_region_code):
        raise Invalid(f"unknown region code {work_region_code}", field="work_region_code", zh="不认识这个地区代码")
    if await active(session=session, worker_id=worker_id) is not None:
        raise Conflict("the worker already has an active placement; end it first",
                       zh="这位劳动力已有在岗记录，请先结束它")
    placement_id = str(uuid.uuid4())
    opening = await openings.take(posting_id=posting_id, placement_id=placement_id, worker_id=worker_id,
                                  start_date=start_date, monthly_wage=monthly_wage)
    try:
        if work_region_code is not None and not works_within(work_region_code, opening.region_code):
            raise Invalid(f"the posting is in {opening.region_code}, not in {work_region_code}",
                          field="work_region_code", zh="工作地点与岗位所在地不一致")
        place = work_region_code or opening.region_code
        subsidy = job_seeking_subsidy(organised_export=organised_export, home_region_code=profile.home_region_code,
                                      work_region_code=place)
        placement = Placement(
            id=placement_id, worker_id=worker_id, posting_id=posting_id, start_date=start_date,
            monthly_wage=monthly_wage, contract_months=contract_months, work_region_code=place,
            organised_export=organised_export, recorded_by=by.sub, created_at=clock.now(),
            subsidy_eligible=subsidy.eligible, subsidy_rule=subsidy.rule, posting_title=opening.title,
            employer_id=opening.employer_id, employer_name=opening.employer_name)
        session.add(placement)
        await session.flush()  # the placement row first: its visits refer to it
        visits.plan(session=session, placement=placement, home_region_code=profile.home_region_code,
                    months=follow_up_months)
        profile.status = WorkerStatus.placed
        profile.version += 1
        profile.updated_at = clock.now()
        await session.flush()
        await profile_changed(session, profile, type=PROFILE_PLACED, clock=clock,
                              placement=placement_data(placement))
    except BaseException:
        # Not recorded: the opening goes back now (and jobs gives back by itself any the commit loses later).
        await openings.give_back(posting_id=posting_id, placement_id=placement_id)
        raise
    return placement


def placement_data(placement: Placement) -> PlacementFacts:
    """The placement as the profile's events carry it (with `ended_on` once it has ended)."""
    return PlacementFacts(id=placement.id, posting_id=placement.posting_id, start_date=placement.start_date,
                          monthly_wage=placement.monthly_wage, contract_months=placement.contract_months,
                          work_region_code=placement.work_region_code, organised_export=placement.organised_export,
                          subsidy_eligible=placement.subsidy_eligible, subsidy_rule=placement.subsidy_rule,
                          ended_on=placement.ended_on)


async def active(*, session: AsyncSession, worker_id: str) -> Placement | None:
    return await session.scalar(select(Placement).where(Placement.worker_id == worker_id,
                                                        Placement.ended_on.is_(None)))


async def end(*, session: AsyncSession, worker_id: str, placement_id: str, ended_on: date, reason: str,
              by: Principal, clock: Clock) -> Placement:
    """The job ended: the worker is seeking again."""
    profile = await profiles.get(session=session, worker_id=worker_id, by=by)
    placement = await session.get(Placement, placement_id)
    if placement is None or placement.worker_id != worker_id:
        raise NotFound("placement not found", zh="没有找到这条就业记录")
    if placement.ended_on is not None:
        raise Conflict(f"the placement ended on {placement.ended_on.isoformat()}")
    if ended_on < placement.start_date:
        raise Invalid("ended_on is before the start date", field="ended_on", zh="结束日期早于开始日期")
    placement.ended_on, placement.end_reason = ended_on, reason or None
    await visits.call_off(session=session, placement_id=placement.id, ended_on=ended_on, clock=clock)
    profile.status = WorkerStatus.seeking
    profile.version += 1
    profile.updated_at = clock.now()
    await session.flush()
    await profile_changed(session, profile, type=PROFILE_UPDATED, clock=clock,
                          placement=placement_data(placement))
    return placement


async def for_worker(*, session: AsyncSession, worker_id: str, by: Principal) -> list[Placement]:
    await profiles.get(session=session, worker_id=worker_id, by=by)
    return list(await session.scalars(select(Placement).where(Placement.worker_id == worker_id)
                                      .order_by(Placement.start_date.desc())))
