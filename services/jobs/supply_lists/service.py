"""Supply lists: create, read, and import their rows as postings, keeping good rows and reporting bad ones.

An import checks its rows in a worker thread before the unit of work opens (`check_rows`); in it, a query or two
finds the list's postings and the employers named, and the new employers, postings and events go in as bulk INSERTs
(`import_postings`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from datetime import date
from typing import cast

from sqlalchemy import Table as SqlTable, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.employers.models import Employer
from services.jobs.events import postings_opened, view_of
from services.jobs.postings import service as postings
from services.jobs.postings.models import Posting
from services.jobs.supply_lists import rules
from services.jobs.supply_lists.models import SupplyList
from services.jobs.supply_lists.schemas import ImportReport
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.errors import Invalid, NotFound
from shared.uploads import Table

EMPLOYERS = cast(SqlTable, Employer.__table__)  # declarative models type __table__ as a FromClause
POSTINGS = cast(SqlTable, Posting.__table__)
BATCH = 1000  # postings per INSERT
LOOKUP = 1000  # employer names per IN list


async def create(*, session: AsyncSession, title: str, source_region_code: str, period_start: date,
                 period_end: date, office_id: str | None, by: Principal, clock: Clock) -> SupplyList:
    """Open a supply list for a partner office (an admin names the office)."""
    owner = office_id if by.is_admin else by.office_id
    if by.is_admin and not owner:
        raise Invalid("an admin must name office_id", field="office_id", zh="请写明合作办公室（office_id）")
    if not by.is_admin and office_id not in (None, by.office_id):
        raise Invalid("office_id comes from your token", field="office_id", zh="合作办公室按登录身份确定，不用填写")
    supply_list = SupplyList(id=str(uuid.uuid4()), office_id=owner, title=title,
                             source_region_code=source_region_code, period_start=period_start,
                             period_end=period_end, created_at=clock.now())
    session.add(supply_list)
    await session.flush()
    return supply_list


async def get(*, session: AsyncSession, list_id: str, by: Principal) -> SupplyList:
    """Read a list: its own office or admin; to anyone else it does not exist (a 403 would say which ids do)."""
    supply_list = await session.get(SupplyList, list_id)
    if supply_list is None or not (by.is_admin or (by.role is Role.partner_office
                                                   and by.office_id == supply_list.office_id)):
        raise NotFound("supply list not found", zh="没有找到这份岗位供给清单")
    return supply_list


async def list_for(*, session: AsyncSession, by: Principal) -> list[SupplyList]:
    query = select(SupplyList).order_by(SupplyList.created_at.desc())
    if not by.is_admin:
        query = query.where(SupplyList.office_id == by.office_id)
    return list(await session.scalars(query))


async def posting_counts(*, session: AsyncSession, list_id: str) -> dict[str, int]:
    rows = await session.execute(select(Posting.status, func.count()).where(Posting.supply_list_id == list_id)
                                 .group_by(Posting.status))
    return {status: count for status, count in rows.all()}


async def check_rows(*, table: Table, clock: Clock) -> list[rules.Checked]:
    """Check every row as a posting, in a worker thread: the event loop serves other requests meanwhile."""
    today = local_today(clock)
    return await asyncio.to_thread(lambda: [rules.check(row, today=today) for row in table.rows])


async def import_postings(*, session: AsyncSession, list_id: str, checked: list[rules.Checked],
                          unknown_columns: list[str], by: Principal, clock: Clock) -> ImportReport:
    """Turn each good row of a checked upload into a posting of the list; report each bad row once, with its first
    problem. The list's postings and the employers named are looked up in a query or a few; the new employers, the
    postings and their events go in as bulk INSERTs."""
    supply_list = await get(session=session, list_id=list_id, by=by)
    names = {item.employer_name for item in checked if item.fields is not None}
    employers_named = await _employers(session, names)
    outcome = rules.sort_out(checked, in_list=await _postings_in(session, list_id),
                             employers={name: office for name, (_, office) in employers_named.items()},
                             office_id=supply_list.office_id)
    now, today = clock.now(), local_today(clock)
    created = {name: str(uuid.uuid4()) for name in outcome.new_employers}
    if created:
        await session.execute(EMPLOYERS.insert(), [
            {"id": created[name], "name": name, "region_code": region_code, "office_id": supply_list.office_id,
             "created_at": now} for name, region_code in outcome.new_employers.items()])
    employer_ids = {name: employer_id for name, (employer_id, _) in employers_named.items()} | created
    rows = [postings.opened(fields | {"supply_list_id": supply_list.id}, employer_id=employer_ids[name], now=now,
                            today=today) for name, fields in outcome.postings]
    for start in range(0, len(rows), BATCH):
        await session.execute(POSTINGS.insert(), rows[start:start + BATCH])
    await postings_opened(session, (view_of(row, employer_name=name, supply_list_office_id=supply_list.office_id)
                                    for row, (name, _) in zip(rows, outcome.postings)), clock=clock)
    return ImportReport(imported=len(rows), errors=outcome.errors, employers_created=len(created),
                        unknown_columns=unknown_columns)


async def _employers(session: AsyncSession, names: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """Name -> (id, the office that brought it in) of the employers registered under any of `names`."""
    wanted = sorted(names)
    found: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(wanted), LOOKUP):
        rows = await session.execute(select(Employer.name, Employer.id, Employer.office_id)
                                     .where(Employer.name.in_(wanted[start:start + LOOKUP])))
        found.update({row.name: (row.id, row.office_id) for row in rows})
    return found


async def _postings_in(session: AsyncSession, list_id: str) -> dict[rules.Key, str]:
    """The key (employer, title, place, wages) -> id of each posting the list holds already."""
    rows = await session.execute(
        select(Employer.name, Posting.title, Posting.region_code, Posting.wage_min, Posting.wage_max, Posting.id)
        .join(Employer, Employer.id == Posting.employer_id).where(Posting.supply_list_id == list_id))
    return {tuple(row[:5]): row[5] for row in rows.all()}
