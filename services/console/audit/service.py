"""Writing and reading the console's audit log."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.console.audit.models import AuditEntry
from shared.clock import Clock


async def record(*, session: AsyncSession, clock: Clock, actor: str, action: str, target: str = "",
                 **detail: object) -> None:
    """Add an entry to the audit log, in the caller's unit of work."""
    session.add(AuditEntry(at=clock.now(), actor=actor, action=action, target=target, detail=detail))
    await session.flush()


async def recent(*, session: AsyncSession, page: int = 1, page_size: int = 50,
                 actor: str | None = None) -> tuple[list[AuditEntry], int]:
    """The newest entries first, optionally of one actor."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(AuditEntry.id.desc()).limit(page_size).offset((page - 1) * page_size))
    return list(rows), total
