"""Recording the training a worker took part in."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.profiles import service as profiles
from services.workers.training.models import SUBSIDISED_HOURS, TrainingRecord
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.errors import Invalid, NotFound


async def record(*, session: AsyncSession, worker_id: str, fields: dict, by: Principal,
                 clock: Clock) -> TrainingRecord:
    """Note a course the worker of the caller's area took part in."""
    await profiles.get(session=session, worker_id=worker_id, by=by)
    if fields["start_on"] > local_today(clock):
        raise Invalid("start_on is in the future: record a course once it has begun", field="start_on",
                      zh="培训还没开始，开始后再登记")
    row = TrainingRecord(id=str(uuid.uuid4()), worker_id=worker_id, recorded_by=by.sub, created_at=clock.now(),
                         **fields)
    session.add(row)
    await session.flush()
    return row


async def for_worker(*, session: AsyncSession, worker_id: str, by: Principal) -> list[TrainingRecord]:
    """The worker's courses, latest first."""
    await profiles.get(session=session, worker_id=worker_id, by=by)
    return list(await session.scalars(select(TrainingRecord).where(TrainingRecord.worker_id == worker_id)
                                      .order_by(TrainingRecord.start_on.desc(), TrainingRecord.created_at.desc())))


async def remove(*, session: AsyncSession, worker_id: str, record_id: str, by: Principal) -> None:
    """Take back a course recorded by mistake."""
    await profiles.get(session=session, worker_id=worker_id, by=by)
    row = await session.get(TrainingRecord, record_id)
    if row is None or row.worker_id != worker_id:
        raise NotFound("training record not found", zh="没有找到这条培训记录")
    await session.delete(row)
    await session.flush()


def present(row: TrainingRecord) -> dict:
    return {"id": row.id, "worker_id": row.worker_id, "course": row.course, "hours": row.hours,
            "start_on": row.start_on, "end_on": row.end_on, "completed": row.completed,
            "certificate": row.certificate, "subsidised": row.hours >= SUBSIDISED_HOURS,
            "created_at": row.created_at}
