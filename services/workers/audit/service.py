"""Writing and querying the audit log of personal data reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.audit.models import PersonalDataRead
from shared.auth import Principal
from shared.clock import Clock

READS = cast(Table, PersonalDataRead.__table__)  # declarative models type __table__ as a FromClause
_INSERT = READS.insert()


def read_row(*, by: Principal, worker_id: str, fields: Sequence[str], action: str, clock: Clock) -> dict[str, Any]:
    """The audit row saying that `by` saw `fields` of the worker in clear."""
    return {"at": clock.now(), "actor": by.sub, "role": by.role.value, "worker_id": worker_id, "fields": list(fields),
            "action": action}


async def record(*, session: AsyncSession, by: Principal, worker_id: str, fields: Sequence[str], action: str,
                 clock: Clock) -> None:
    """Note that `by` saw `fields` of the worker in clear (in the same transaction as the read)."""
    await session.execute(_INSERT, read_row(by=by, worker_id=worker_id, fields=fields, action=action, clock=clock))


async def record_all(*, session: AsyncSession, reads: Sequence[dict[str, Any]]) -> None:
    """Several reads (rows of `read_row`) noted in one statement, in the same transaction as the reads."""
    if reads:
        await session.execute(_INSERT, list(reads))


async def search(*, session: AsyncSession, worker_id: str | None, actor: str | None, since: datetime | None,
                 until: datetime | None, limit: int, offset: int) -> tuple[list[PersonalDataRead], int]:
    query = select(PersonalDataRead)
    if worker_id:
        query = query.where(PersonalDataRead.worker_id == worker_id)
    if actor:
        query = query.where(PersonalDataRead.actor == actor)
    if since:
        query = query.where(PersonalDataRead.at >= since)
    if until:
        query = query.where(PersonalDataRead.at < until)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(PersonalDataRead.seq.desc()).limit(limit).offset(offset))
    return list(rows), total
