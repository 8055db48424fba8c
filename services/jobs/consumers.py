"""Which events the jobs service handles, and how."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.openings import service as openings
from shared.clock import Clock
from shared.contracts.workers import PROFILE_PLACED, WorkerSnapshot
from shared.events.envelope import Envelope
from shared.events.inbox import EventHandler


def handlers(clock: Clock) -> dict[str, list[EventHandler]]:
    async def lower_headcount(session: AsyncSession, event: Envelope) -> None:
        """A worker took one of our postings: confirm the opening held for it (the placement id counts it once)."""
        placement = WorkerSnapshot.model_validate(event.data).placement
        if placement is None:
            return
        await openings.confirm(session=session, posting_id=placement.posting_id, placement_id=placement.id,
                               clock=clock)

    return {PROFILE_PLACED: [lower_headcount]}
