"""Supply lists: create, read, and import their rows as postings, keeping good rows and reporting bad ones."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.employers import service as employers
from services.jobs.employers.models import Employer
from services.jobs.postings import rules, service as postings
from services.jobs.postings.models import Posting
from services.jobs.postings.schemas import PostingIn
from services.jobs.supply_lists.models import SupplyList
from services.jobs.supply_lists.schemas import ImportReport, RowError
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.errors import Invalid, NotFound
from shared.field_errors import in_chinese, more_zh
from shared.uploads import Row, Table


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


async def import_postings(*, session: AsyncSession, list_id: str, table: Table, by: Principal,
                          clock: Clock) -> ImportReport:
    """Turn each good row of a read upload into a posting of the list; report each bad row once, with its first
    problem."""
    supply_list = await get(session=session, list_id=list_id, by=by)
    today = local_today(clock)
    seen = await _existing_keys(session, list_id)
    employers_by_name: dict[str, Employer] = {}
    created = 0
    errors: list[RowError] = []
    imported = 0
    for row in table.rows:
        problem, fields, name = _parse(row, today)
        if problem is None:
            key = _key(name, fields)
            if key in seen:
                where, where_zh = seen[key]
                problem = RowError(row=row.number, field="title", message=f"duplicate of {where}", zh=where_zh)
        if problem is not None:
            errors.append(problem)
            continue
        employer = employers_by_name.get(name) or await employers.find_by_name(session=session, name=name)
        if employer is not None and employer.office_id != supply_list.office_id:
            errors.append(RowError(row=row.number, field="employer_name", message=_NOT_YOURS.format(name=name),
                                   zh=_NOT_YOURS_ZH.format(name=name)))
            continue
        seen[key] = (f"row {row.number}", f"与第 {row.number} 行重复")
        if employer is None:
            employer = await employers.create(session=session, name=name, region_code=fields["region_code"],
                                              clock=clock, office_id=supply_list.office_id)
            created += 1
        employers_by_name[name] = employer
        fields["supply_list_id"] = supply_list.id
        await postings.post(session=session, fields=fields, employer=employer, clock=clock)
        imported += 1
    return ImportReport(imported=imported, errors=errors, employers_created=created,
                        unknown_columns=table.unknown_headers)


# An office posts only for employers it brought in: a name another office or an employer's own account holds is
# refused, or an import could attach postings to an employer that never offered them.
_NOT_YOURS = ("employer {name} was registered by someone else; an office may post only for employers it brought in "
              "(use the employer's full name as your office registered it, or ask the administrator)")
_NOT_YOURS_ZH = "“{name}”是别的账号登记的用人单位，只能为本办公室引入的用人单位发布岗位（请核对名称或联系管理员）"


def _parse(row: Row, today: date) -> tuple[RowError | None, dict, str]:
    values = {key: value for key, value in row.values.items() if value != ""}
    name = values.pop("employer_name", "").strip()
    try:
        fields = PostingIn.model_validate(values).model_dump()
    except ValidationError as exc:
        problems = exc.errors()
        first = problems[0]
        field = str(first["loc"][0]) if first["loc"] else "row"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return RowError(row=row.number, field=field, message=f"{first['msg']}{more}",
                        zh=in_chinese(first) + more_zh(len(problems))), {}, name
    if not name:
        return RowError(row=row.number, field="employer_name", message="employer_name is required",
                        zh="请填写用人单位"), {}, name
    broken = rules.check(fields, today=today, new=True)
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        return RowError(row=row.number, field=broken[0].field, message=broken[0].message + more,
                        zh=broken[0].zh + more_zh(len(broken))), {}, name
    return None, fields, name


def _key(employer_name: str, fields: dict) -> tuple:
    return (employer_name, fields["title"], fields["region_code"], fields["wage_min"], fields["wage_max"])


async def _existing_keys(session: AsyncSession, list_id: str) -> dict[tuple, tuple[str, str]]:
    rows = await session.execute(
        select(Employer.name, Posting.title, Posting.region_code, Posting.wage_min, Posting.wage_max, Posting.id)
        .join(Employer, Employer.id == Posting.employer_id).where(Posting.supply_list_id == list_id))
    return {tuple(row[:5]): (f"posting {row[5]} already in this list", "清单里已有这个岗位") for row in rows.all()}
