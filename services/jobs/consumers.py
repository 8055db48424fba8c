"""Which events the jobs service handles, and how."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.postings import service as postings
from shared.clock import Clock
from shared.events.envelope import Envelope
from shared.events.inbox import EventHandler

log = logging.getLogger("jobbridge.jobs")

PROFILE_PLACED = "workers.profile.placed"


def handlers(clock: Clock) -> dict[str, list[EventHandler]]:
    async def lower_headcount(session: AsyncSession, event: Envelope) -> None:
        """A worker took one of our postings: one opening fewer (the placement id makes it count once)."""
        placement = event.data.get("placement") or {}
        posting_id, placement_id = placement.get("posting_id"), placement.get("id")
        if not posting_id or not placement_id:
            return
        counted = await postings.record_placement(session=session, posting_id=posting_id,
                                                  placement_id=str(placement_id), clock=clock)
        if not counted:
            log.info("placement not counted (unknown posting or counted before)",
                     extra={"event_id": str(event.id), "posting_id": posting_id})

    return {PROFILE_PLACED: [lower_headcount]}
