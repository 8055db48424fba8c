"""Creating and finding employers."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.employers.models import Employer
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Conflict, NotFound


async def create(*, session: AsyncSession, name: str, region_code: str, clock: Clock,
                 office_id: str | None = None) -> Employer:
    """Register an employer; names are unique so imports can find them again."""
    if await find_by_name(session=session, name=name):
        raise Conflict(f"an employer named {name} already exists", zh=f"已有名为“{name}”的用人单位")
    employer = Employer(id=str(uuid.uuid4()), name=name, region_code=region_code, office_id=office_id,
                        created_at=clock.now())
    session.add(employer)
    await session.flush()
    return employer


async def find_by_name(*, session: AsyncSession, name: str) -> Employer | None:
    return await session.scalar(select(Employer).where(Employer.name == name))


async def get(*, session: AsyncSession, employer_id: str, by: Principal) -> Employer:
    """Read one employer: admin any, an employer itself, an office the employers it brought in."""
    employer = await session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer not found", zh="没有找到这个用人单位")
    if by.is_admin or (by.role is Role.employer and by.employer_id == employer.id) or (
            by.role is Role.partner_office and by.office_id == employer.office_id):
        return employer
    # The same answer as for an id that does not exist: a 403 would tell which employer ids are real.
    raise NotFound("employer not found", zh="没有找到这个用人单位")


async def list_all(*, session: AsyncSession, limit: int, offset: int) -> tuple[list[Employer], int]:
    from sqlalchemy import func

    total = await session.scalar(select(func.count()).select_from(Employer)) or 0
    rows = (await session.scalars(select(Employer).order_by(Employer.name).limit(limit).offset(offset))).all()
    return list(rows), total
