"""Which events the notify service handles: an issued recommendation set becomes the worker's message; a job fair's
invitations become one message each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.invitations import service as invitations
from services.notify.messages import service as messages
from services.notify.settings import NotifySettings
from shared.clock import Clock
from shared.contracts.jobs import FAIR_INVITED
from shared.contracts.matching import RECOMMENDATIONS_ISSUED
from shared.events.envelope import Envelope
from shared.events.inbox import BatchEventHandler, EventHandler


def handlers(settings: NotifySettings, clock: Clock) -> dict[str, list[EventHandler]]:
    async def queue_message(session: AsyncSession, event: Envelope) -> None:
        """Queue the worker's message; the dispatcher sends it (a message due now wakes it at commit, in this
        process or, on PostgreSQL, in another: `messages.wake_if_due`)."""
        await messages.accept_set(session=session, event=event, settings=settings, clock=clock)

    async def queue_invitations(session: AsyncSession, event: Envelope) -> None:
        """Queue each labourer's invitation to the fair (one per worker and fair, whatever arrives twice)."""
        await invitations.accept(session=session, event=event, settings=settings, clock=clock)

    return {RECOMMENDATIONS_ISSUED: [queue_message], FAIR_INVITED: [queue_invitations]}


def batch_handlers(settings: NotifySettings, clock: Clock) -> dict[str, BatchEventHandler]:
    async def queue_messages(session: AsyncSession, events: Sequence[Envelope]) -> None:
        """Queue the workers' messages of several sets at once (the consumer's batches)."""
        await messages.accept_sets(session=session, events=events, settings=settings, clock=clock)

    return {RECOMMENDATIONS_ISSUED: queue_messages}
