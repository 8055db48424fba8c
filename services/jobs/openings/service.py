"""Take an opening for a placement, confirm it when the placement is recorded, give back one never confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.events import POSTING_CLOSED, POSTING_UPDATED, posting_changed
from services.jobs.postings.models import Posting, PostingPlacement, PostingStatus
from shared.clock import Clock, local_today
from shared.errors import Conflict
from shared.reference.wages import minimum_wage

# How long an opening stays held for a placement whose event has not come; then it is given back.
HOLD = timedelta(minutes=15)


class Outcome(StrEnum):
    held = "held"
    not_found = "not_found"
    closed = "closed"
    full = "full"
    below_minimum_wage = "below_minimum_wage"


@dataclass(frozen=True)
class Taken:
    """What asking for an opening came to; only `held` changed anything."""

    outcome: Outcome
    posting: Posting | None = None
    minimum_wage: int | None = None  # the floor in force, when the wage was below it


async def take(*, session: AsyncSession, posting_id: str, placement_id: str, worker_id: str, start_date: date,
               monthly_wage: int, clock: Clock) -> Taken:
    """Hold one opening of an open posting for a placement; asked again for the same placement, change nothing."""
    # Locked: placements on one posting take turns, so two can never take its last opening.
    posting = await session.get(Posting, posting_id, with_for_update={"of": Posting})
    if posting is None:
        return Taken(Outcome.not_found)
    held = await session.get(PostingPlacement, placement_id)
    if held is not None:
        if held.posting_id != posting_id or (held.worker_id or worker_id) != worker_id:
            raise Conflict("the placement id was used for another posting or worker", zh="这条就业记录编号已被使用")
        return Taken(Outcome.held, posting)
    if posting.status == PostingStatus.filled or posting.headcount <= 0:
        return Taken(Outcome.full, posting)
    if posting.status != PostingStatus.open or posting.valid_until < local_today(clock):
        return Taken(Outcome.closed, posting)
    floor = minimum_wage(posting.region_code, start_date)
    if floor is not None and monthly_wage < floor.monthly_cny:
        return Taken(Outcome.below_minimum_wage, posting, minimum_wage=floor.monthly_cny)
    session.add(PostingPlacement(placement_id=placement_id, posting_id=posting_id, worker_id=worker_id,
                                 recorded_at=clock.now()))
    await _change_headcount(session, posting, by=-1, clock=clock)
    return Taken(Outcome.held, posting)


async def confirm(*, session: AsyncSession, posting_id: str, placement_id: str, clock: Clock) -> bool:
    """The placement was recorded (its event came): confirm its opening, or count one if none was held.

    False when there was nothing to count: the posting is unknown, or the opening was counted before.
    """
    posting = await session.get(Posting, posting_id, with_for_update={"of": Posting})
    if posting is None:
        return False
    held = await session.get(PostingPlacement, placement_id)
    if held is not None:
        if held.confirmed_at is None:
            held.confirmed_at = clock.now()
        return False
    # A placement recorded without holding an opening first (before openings were held): count it now.
    session.add(PostingPlacement(placement_id=placement_id, posting_id=posting_id, recorded_at=clock.now(),
                                 confirmed_at=clock.now()))
    await _change_headcount(session, posting, by=-1, clock=clock)
    return True


async def give_back(*, session: AsyncSession, posting_id: str, placement_id: str, clock: Clock) -> bool:
    """The placement was not recorded after all: give its unconfirmed opening back (True when one was held)."""
    held = await session.get(PostingPlacement, placement_id)
    if held is None or held.posting_id != posting_id or held.confirmed_at is not None:
        return False
    posting = await session.get(Posting, posting_id, with_for_update={"of": Posting})
    await session.delete(held)
    if posting is not None:
        await _change_headcount(session, posting, by=+1, clock=clock)
    return True


async def give_back_stale(*, session: AsyncSession, clock: Clock, limit: int = 500) -> int:
    """Give back the openings held longer than HOLD without their placement's event; return how many."""
    before: datetime = clock.now() - HOLD
    stale = (await session.scalars(select(PostingPlacement).where(
        PostingPlacement.confirmed_at.is_(None), PostingPlacement.recorded_at < before).limit(limit))).all()
    for held in stale:
        await give_back(session=session, posting_id=held.posting_id, placement_id=held.placement_id, clock=clock)
    return len(stale)


async def _change_headcount(session: AsyncSession, posting: Posting, *, by: int, clock: Clock) -> None:
    """Openings left change by `by`; the last one taken fills the posting, one given back reopens it."""
    posting.headcount = max(posting.headcount + by, 0)
    posting.placed = max(posting.placed - by, 0)
    posting.version += 1
    posting.updated_at = clock.now()
    event = POSTING_UPDATED
    if posting.headcount == 0 and posting.status == PostingStatus.open:
        posting.status, posting.close_reason, event = PostingStatus.filled, "filled", POSTING_CLOSED
    elif posting.headcount > 0 and posting.status == PostingStatus.filled and posting.valid_until >= local_today(clock):
        posting.status, posting.close_reason = PostingStatus.open, None
    await session.flush()
    await posting_changed(session, posting, type=event, clock=clock)
