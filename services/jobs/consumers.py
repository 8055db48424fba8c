"""Which events the jobs service handles, and how."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.openings import service as openings
from shared.clock import Clock
from shared.events.envelope import Envelope
from shared.events.inbox import EventHandler

PROFILE_PLACED = "workers.profile.placed"


def handlers(clock: Clock) -> dict[str, list[EventHandler]]:
    async def lower_headcount(session: AsyncSession, event: Envelope) -> None:
        """A worker took one of our postings: confirm the opening held for it (the placement id counts it once)."""
        placement = event.data.get("placement") or {}
        posting_id, placement_id = placement.get("posting_id"), placement.get("id")
        if not posting_id or not placement_id:
            return
        await openings.confirm(session=session, posting_id=posting_id, placement_id=str(placement_id), clock=clock)

    return {PROFILE_PLACED: [lower_headcount]}
