"""Which events the notify service handles: an issued recommendation set becomes the worker's message."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.messages import service as messages
from services.notify.settings import NotifySettings
from shared.clock import Clock
from shared.events.envelope import Envelope
from shared.events.inbox import EventHandler

RECOMMENDATIONS_ISSUED = "matching.recommendations.issued"


def handlers(settings: NotifySettings, clock: Clock, *, wake: Callable[[], None]) -> dict[str, list[EventHandler]]:
    async def queue_message(session: AsyncSession, event: Envelope) -> None:
        """Queue the worker's message; the dispatcher sends it (woken once this transaction commits)."""
        await messages.accept_set(session=session, event=event, settings=settings, clock=clock)
        orm_event.listen(session.sync_session, "after_commit", lambda _: wake(), once=True)

    return {RECOMMENDATIONS_ISSUED: [queue_message]}
