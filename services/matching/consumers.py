"""Which events the matching service handles: read-model updates, and the work items of batch runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.events import RUN_ITEM_REQUESTED, RUN_RANKED
from services.matching.outcomes import service as outcomes
from services.matching.ranker_cache import RankerCache
from services.matching.readmodels import service as readmodels
from services.matching.recommendations import service as recommendations
from services.matching.runs import service as runs
from services.matching.settings import MatchingSettings
from shared.clock import Clock
from shared.contracts import jobs, notify, workers
from shared.events.envelope import Envelope
from shared.events.inbox import BatchEventHandler, EventHandler

POSTING_EVENTS = (jobs.POSTING_OPENED, jobs.POSTING_UPDATED, jobs.POSTING_CLOSED)
WORKER_EVENTS = (workers.PROFILE_REGISTERED, workers.PROFILE_UPDATED, workers.PROFILE_PLACED)
MESSAGE_EVENTS = (notify.MESSAGE_DELIVERED, notify.MESSAGE_FAILED)
REPLY_EVENTS = (notify.OFFER_INTERESTED, notify.OFFER_DECLINED_ALL)
PLACEMENT_EVENTS = (workers.PROFILE_PLACED, workers.PROFILE_UPDATED)


def read_model_handlers(clock: Clock) -> dict[str, list[EventHandler]]:
    async def posting(session: AsyncSession, event: Envelope) -> None:
        await readmodels.apply_posting(session, event, clock=clock)

    async def worker(session: AsyncSession, event: Envelope) -> None:
        await readmodels.apply_worker(session, event, clock=clock)

    async def message(session: AsyncSession, event: Envelope) -> None:
        """How the offers reached the worker: so a run reports messages delivered, not only sets issued."""
        ended = notify.MessageEnded.model_validate(event.data)
        if ended.set_id:
            await recommendations.record_delivery(session=session, set_id=ended.set_id, status=ended.status,
                                                  reason=ended.reason)

    async def reply(session: AsyncSession, event: Envelope) -> None:
        """A labourer answered the offers: interest in one (first on its candidate list), or none fits."""
        await outcomes.record_interest(session=session, event=event)

    async def placement(session: AsyncSession, event: Envelope) -> None:
        """A placement recorded or ended: the funnel's last stages."""
        await outcomes.record_placement(session=session, event=event)

    handlers: dict[str, list[EventHandler]] = {t: [posting] for t in POSTING_EVENTS}
    for t in WORKER_EVENTS:
        handlers[t] = [worker, placement] if t in PLACEMENT_EVENTS else [worker]
    return handlers | {t: [message] for t in MESSAGE_EVENTS} | {t: [reply] for t in REPLY_EVENTS}


def read_model_batch_handlers() -> dict[str, BatchEventHandler]:
    """Messages' outcomes arrive by the thousand after a run: a batch of them is one look-up and one UPDATE."""

    async def messages(session: AsyncSession, events: Sequence[Envelope]) -> None:
        ended = [notify.MessageEnded.model_validate(event.data) for event in events]
        await recommendations.record_deliveries(session=session, outcomes=[
            (e.set_id, e.status, e.reason) for e in ended if e.set_id])

    return dict.fromkeys(MESSAGE_EVENTS, messages)


def run_handlers(cache: RankerCache, settings: MatchingSettings, clock: Clock) -> dict[str, list[EventHandler]]:
    """Work items go to their own queue, so run workers scale apart from the read-model consumer."""

    async def rank_item(session: AsyncSession, event: Envelope) -> None:
        await runs.rank_item(session=session, event=event, cache=cache, clock=clock)

    async def finish(session: AsyncSession, event: Envelope) -> None:
        await runs.finish(session=session, event=event, cache=cache, settings=settings, clock=clock)

    return {RUN_ITEM_REQUESTED: [rank_item], RUN_RANKED: [finish]}
