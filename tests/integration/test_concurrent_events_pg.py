"""Events about one record handled at the same time (a consumer runs up to its prefetch at once) on PostgreSQL:
the newest version wins whatever the order of commits, and no event is taken for a duplicate and dropped."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from jobbridge.platform import module
from services.matching.readmodels.models import WorkerRecord
from services.matching.settings import MatchingSettings
from shared.events.envelope import Envelope
from tests.events import worker_snapshot

pytestmark = pytest.mark.integration
WORKERS = 40


def profile_event(worker_id: str, version: int, status: str) -> Envelope:
    kind = {"seeking": "workers.profile.registered", "placed": "workers.profile.placed"}.get(status,
                                                                                           "workers.profile.updated")
    return Envelope(type=kind, occurred_at="2026-11-28T03:00:00Z", producer="workers", subject=worker_id,
                    version=version, data=worker_snapshot(status="seeking" if status == "updated" else status))


@pytest.fixture
async def matching(pg_url, tmp_path):
    unit = module("matching").build(MatchingSettings(database_url=pg_url, data_dir=tmp_path))
    await unit.migrate()
    yield unit, next(c for c in unit.consumers if c.name == "matching")
    await unit.database.dispose()


async def records(unit) -> dict[str, tuple[int, str]]:
    async with unit.database.sessions() as session:
        rows = await session.execute(select(WorkerRecord.id, WorkerRecord.version, WorkerRecord.status))
    return {worker_id: (version, status) for worker_id, version, status in rows}


async def test_a_registration_and_a_placement_handled_at_once_end_placed(matching):
    unit, consumer = matching
    ids = [str(uuid.uuid4()) for _ in range(WORKERS)]
    # Both events of each worker at once, with no row yet: both try to insert it.
    await asyncio.gather(*(consumer.handle(e) for w in ids
                           for e in (profile_event(w, 2, "placed"), profile_event(w, 1, "seeking"))))
    assert await records(unit) == {w: (2, "placed") for w in ids}


async def test_two_updates_of_one_record_at_once_keep_the_newer(matching):
    unit, consumer = matching
    ids = [str(uuid.uuid4()) for _ in range(WORKERS)]
    await asyncio.gather(*(consumer.handle(profile_event(w, 1, "seeking")) for w in ids))
    # Both read version 1; without a lock the older could be written last.
    await asyncio.gather(*(consumer.handle(e) for w in ids
                           for e in (profile_event(w, 3, "placed"), profile_event(w, 2, "updated"))))
    assert await records(unit) == {w: (3, "placed") for w in ids}


async def test_the_same_event_delivered_twice_at_once_is_handled_once(matching):
    unit, consumer = matching
    event = profile_event(str(uuid.uuid4()), 1, "seeking")
    await asyncio.gather(consumer.handle(event), consumer.handle(event))
    async with unit.database.sessions() as session:
        handled = await session.scalar(select(consumer.inbox.c.event_id).where(
            consumer.inbox.c.event_id == str(event.id)))
    assert handled == str(event.id)
    assert await records(unit) == {event.subject: (1, "seeking")}
