"""Visits planned when a placement is recorded, and called off when it ends before they fall due."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.followups.models import FollowUp
from services.workers.followups.rules import due_dates
from services.workers.placements.models import Placement
from shared.clock import Clock


def plan(*, session: AsyncSession, placement: Placement, home_region_code: str, months: tuple[int, ...]) -> None:
    """Add the placement's visits, one per number of months after its start."""
    for after, due_on in due_dates(placement.start_date, months):
        session.add(FollowUp(id=str(uuid.uuid4()), placement_id=placement.id, worker_id=placement.worker_id,
                             home_region_code=home_region_code, months_after=after, due_on=due_on))


async def call_off(*, session: AsyncSession, placement_id: str, ended_on: date, clock: Clock) -> int:
    """The placement ended: visits not yet made that fall due after that day are no longer needed."""
    visits = (await session.scalars(select(FollowUp).where(
        FollowUp.placement_id == placement_id, FollowUp.done_at.is_(None), FollowUp.due_on > ended_on))).all()
    for visit in visits:
        visit.cancelled, visit.done_at = True, clock.now()
    return len(visits)
