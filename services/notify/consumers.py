"""Which events the notify service handles: an issued recommendation set becomes the worker's message."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.messages import service as messages
from services.notify.settings import NotifySettings
from shared.clock import Clock
from shared.events.envelope import Envelope
from shared.events.inbox import EventHandler

RECOMMENDATIONS_ISSUED = "matching.recommendations.issued"


def handlers(settings: NotifySettings, clock: Clock) -> dict[str, list[EventHandler]]:
    async def queue_message(session: AsyncSession, event: Envelope) -> None:
        """Queue the worker's message; the dispatcher sends it (a message due now wakes it at commit, in this
        process or, on PostgreSQL, in another: `messages.wake_if_due`)."""
        await messages.accept_set(session=session, event=event, settings=settings, clock=clock)

    return {RECOMMENDATIONS_ISSUED: [queue_message]}
