"""Posting lifecycle: post, change, close, expire, fill; listing with filters."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.jobs.employers.models import Employer
from services.jobs.events import POSTING_CLOSED, POSTING_UPDATED, posting_changed, posting_opened, view_of
from services.jobs.postings import rules
from services.jobs.postings.models import Posting, PostingStatus
from services.jobs.supply_lists.models import SupplyList
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.db import code_prefix
from shared.driven import SingleWrite, fetch_rows, look_up
from shared.errors import Conflict, Forbidden, Invalid, NotFound


class PostingRejected(Invalid):
    """The posting breaks one or more rules; all of them are listed."""

    def __init__(self, errors: list[rules.FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors), field=errors[0].field,
                         errors=[(e.field, e.message) for e in errors], errors_zh=[e.zh for e in errors],
                         zh="；".join(e.zh for e in errors))


@dataclass(frozen=True)
class PostingFilter:
    status: str | None = None
    region: str | None = None
    occupation: str | None = None
    text: str | None = None
    supply_list_id: str | None = None
    employer_id: str | None = None


POSTINGS = cast(Table, Posting.__table__)  # declarative models type __table__ as a FromClause
# Built once, their values bound by name: SQLAlchemy keeps their cache keys and compiled forms.
_EMPLOYER_NAME = select(Employer.name).where(Employer.id == bindparam("employer_id"))
_LIST_OFFICE = select(SupplyList.office_id).where(SupplyList.id == bindparam("supply_list_id"))


async def post(*, unit: AsyncSession | SingleWrite, fields: dict[str, Any], employer_id: str,
               clock: Clock) -> dict[str, Any]:
    """Validate and open a posting of a registered employer; the posting and its `jobs.posting.opened` event are
    one write (one statement on PostgreSQL: in a single write, `Database.single_write`, its own transaction). The
    posting's view (events.view_of). Written as a row, as a supply list's postings are."""
    found = await look_up(unit, _EMPLOYER_NAME, {"employer_id": employer_id})
    employer_name = found[0]["name"] if found else None
    if employer_name is None:
        raise Invalid(f"unknown employer {employer_id}", field="employer_id", zh="没有这个用人单位")
    today = local_today(clock)
    errors = rules.check(fields, today=today, new=True)
    if errors:
        raise PostingRejected(errors)
    values = rules.complete(fields)
    office_id = None
    if list_id := values.get("supply_list_id"):
        office_id = next((row["office_id"] for row in await look_up(unit, _LIST_OFFICE, {"supply_list_id": list_id})),
                         None)
    row = opened(values, employer_id=employer_id, now=clock.now(), today=today)
    view = view_of(row, employer_name=employer_name, supply_list_office_id=office_id)
    await posting_opened(unit, row, view, clock=clock)
    return view


def opened(values: dict[str, Any], *, employer_id: str, now: datetime, today: date) -> dict[str, Any]:
    """The postings row that opens a posting of checked and completed `values` (pure: the caller inserts it)."""
    row = {key: value for key, value in values.items() if key != "employer_id"}
    return row | {"id": str(uuid.uuid4()), "employer_id": employer_id, "status": PostingStatus.open.value,
                  "close_reason": None, "placed": 0, "posted_on": today, "version": 1, "created_at": now,
                  "updated_at": now}


def _hidden(employer_id: str, by: Principal) -> bool:
    """An employer sees only its own postings; another's is answered as not found."""
    return by.role is Role.employer and employer_id != by.employer_id


def _not_found() -> NotFound:
    return NotFound("posting not found", zh="没有找到这个岗位")


async def get(*, session: AsyncSession, posting_id: str, by: Principal) -> Posting:
    """The posting to change, as a record of the unit of work."""
    posting = await session.get(Posting, posting_id)
    if posting is None or _hidden(posting.employer_id, by):
        raise _not_found()
    return posting


# A postings row with the names a reader wants beside it, in one statement. Reads build no ORM objects: a row is
# turned straight into its view (events.view_of), as the snapshot in a posting's events is.
VIEW = (select(POSTINGS, Employer.name.label("employer_name"),
               SupplyList.office_id.label("supply_list_office_id"))
        .join(Employer, Employer.id == Posting.employer_id)
        .outerjoin(SupplyList, SupplyList.id == Posting.supply_list_id))


_VIEW_BY_ID = VIEW.where(Posting.id == bindparam("posting_id"))  # built once: SQLAlchemy keeps its cache key


def _view(row: Mapping[str, Any]) -> dict[str, Any]:
    return view_of(dict(row), employer_name=row["employer_name"], supply_list_office_id=row["supply_list_office_id"])


async def read(*, reader: AsyncConnection, posting_id: str, by: Principal) -> dict[str, Any]:
    """A posting as its readers see it (events.view_of)."""
    rows = await fetch_rows(reader, _VIEW_BY_ID, {"posting_id": posting_id})
    row = rows[0] if rows else None
    if row is None or _hidden(row["employer_id"], by):
        raise _not_found()
    return _view(row)


async def _owned(*, session: AsyncSession, posting_id: str, by: Principal) -> Posting:
    posting = await get(session=session, posting_id=posting_id, by=by)
    if not (by.is_admin or (by.role is Role.employer and posting.employer_id == by.employer_id)):
        raise Forbidden("only the employer that owns the posting, or an admin, may change it",
                        zh="只有发布这个岗位的用人单位或管理员可以修改")
    return posting


async def change(*, session: AsyncSession, posting_id: str, changes: dict[str, Any], by: Principal,
                 clock: Clock) -> Posting:
    """Apply a change to an open posting after checking the whole result against the rules."""
    posting = await _owned(session=session, posting_id=posting_id, by=by)
    if posting.status != PostingStatus.open:
        raise Conflict(f"the posting is {posting.status} and can no longer be changed",
                       zh="这个岗位已关闭或已招满，不能再修改")
    current = {key: getattr(posting, key) for key in rules_fields()}
    if "occupation" in changes and "occupation_code" not in changes:
        current["occupation_code"] = None  # a new occupation name means its code is derived again
    if "region_code" in changes and not {"lon", "lat"} & changes.keys():
        current["lon"] = current["lat"] = None
    merged = current | changes
    errors = rules.check(merged, today=local_today(clock), new="valid_until" in changes)
    if errors:
        raise PostingRejected(errors)
    for key, value in rules.complete(merged).items():
        setattr(posting, key, value)
    posting.version += 1
    posting.updated_at = clock.now()
    await session.flush()
    await posting_changed(session, posting, type=POSTING_UPDATED, clock=clock)
    return posting


def rules_fields() -> list[str]:
    return ["title", "occupation", "occupation_code", "description", "skills", "region_code", "address", "lon",
            "lat", "wage_min", "wage_max", "headcount", "age_min", "age_max", "gender", "certificates", "meals",
            "lodging", "contract_months", "public_welfare", "workshop", "valid_until"]


async def close(*, session: AsyncSession, posting_id: str, by: Principal, clock: Clock) -> Posting:
    """Close a posting at its owner's wish; closing a closed posting changes nothing."""
    posting = await _owned(session=session, posting_id=posting_id, by=by)
    if posting.status == PostingStatus.open:
        await _end(session, posting, status=PostingStatus.closed, reason="employer", clock=clock)
    return posting


async def _end(session: AsyncSession, posting: Posting, *, status: PostingStatus, reason: str, clock: Clock) -> None:
    posting.status = status
    posting.close_reason = reason
    posting.version += 1
    posting.updated_at = clock.now()
    await session.flush()
    await posting_changed(session, posting, type=POSTING_CLOSED, clock=clock)


async def expire_due(*, session: AsyncSession, clock: Clock, limit: int = 500) -> int:
    """Close open postings whose valid-until date has passed; return how many."""
    due = (await session.scalars(select(Posting).where(
        Posting.status == PostingStatus.open, Posting.valid_until < local_today(clock)).limit(limit))).all()
    for posting in due:
        await _end(session, posting, status=PostingStatus.closed, reason="expired", clock=clock)
    return len(due)


async def search(*, reader: AsyncConnection, filters: PostingFilter, by: Principal, page: int,
                 page_size: int) -> tuple[list[dict[str, Any]], int]:
    """List postings (their views) with filters, newest first; employers see their own only."""
    values: dict[str, Any] = {
        "mine": by.employer_id if by.role is Role.employer else None, "employer_id": filters.employer_id,
        "status": filters.status, "region": filters.region, "supply_list_id": filters.supply_list_id,
        "occupation": filters.occupation, "text": filters.text}
    # An employer's own postings only, whatever its token holds: the filter is there for the role, not the value.
    shape = tuple(name for name in _FILTERS if values[name] or (name == "mine" and by.role is Role.employer))
    if filters.occupation:
        values["occupation_code"] = _escaped(filters.occupation) + "%"
    if filters.text:
        values["text"] = "%" + _escaped(filters.text) + "%"
    rows = await fetch_rows(reader, _page(shape), values | {"limit": page_size, "offset": (page - 1) * page_size})
    if rows:
        return [_view(row) for row in rows], rows[0]["total"]
    total = await reader.scalar(select(func.count()).select_from(_matching(shape).subquery()), values) if page > 1 \
        else 0
    return [], total or 0


# Each filter of a listing, its value bound by name; a statement per combination of filters is built once.
_FILTERS = {
    "mine": Posting.employer_id == bindparam("mine"),
    "employer_id": Posting.employer_id == bindparam("employer_id"),
    "status": Posting.status == bindparam("status"),
    "region": code_prefix(Posting.region_code, bindparam("region")),
    "occupation": or_(Posting.occupation == bindparam("occupation"),
                      Posting.occupation_code.like(bindparam("occupation_code"), escape="/")),
    "supply_list_id": Posting.supply_list_id == bindparam("supply_list_id"),
    "text": or_(*(column.like(bindparam("text"), escape="/")
                  for column in (Posting.title, Posting.description, Posting.occupation))),
}


def _escaped(value: str) -> str:
    """A value for LIKE … ESCAPE '/' that matches itself only."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


@lru_cache(maxsize=128)
def _matching(shape: tuple[str, ...]) -> Select:
    return select(Posting).where(*(_FILTERS[name] for name in shape))


@lru_cache(maxsize=128)
def _page(shape: tuple[str, ...]) -> Select:
    """One statement: the page is picked, and every match counted, on narrow rows; then only its postings are read
    whole, with their employer and list. A page past the end has no row to carry the count."""
    picked = (_matching(shape).with_only_columns(Posting.id, Posting.created_at, func.count().over().label("total"))
              .order_by(Posting.created_at.desc(), Posting.id).limit(bindparam("limit")).offset(bindparam("offset"))
              .subquery())
    return (VIEW.add_columns(picked.c.total).join(picked, Posting.id == picked.c.id)
            .order_by(picked.c.created_at.desc(), picked.c.id))
