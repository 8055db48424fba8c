"""Posting lifecycle: post, change, close, expire, fill; listing with filters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.employers.models import Employer
from services.jobs.events import POSTING_CLOSED, POSTING_OPENED, POSTING_UPDATED, posting_changed
from services.jobs.postings import rules
from services.jobs.postings.models import Posting, PostingStatus
from services.jobs.supply_lists.models import SupplyList
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
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


async def post(*, session: AsyncSession, fields: dict[str, Any], employer: Employer, clock: Clock) -> Posting:
    """Validate and open a posting; its `jobs.posting.opened` event goes into the same transaction."""
    today = local_today(clock)
    errors = rules.check(fields, today=today, new=True)
    if errors:
        raise PostingRejected(errors)
    values = rules.complete(fields)
    supply_list = await session.get(SupplyList, values["supply_list_id"]) if values.get("supply_list_id") else None
    posting = Posting(**opened(values, employer_id=employer.id, now=clock.now(), today=today), employer=employer,
                      supply_list=supply_list)
    session.add(posting)
    await session.flush()
    await posting_changed(session, posting, type=POSTING_OPENED, clock=clock)
    return posting


def opened(values: dict[str, Any], *, employer_id: str, now: datetime, today: date) -> dict[str, Any]:
    """The postings row that opens a posting of checked and completed `values` (pure: the caller inserts it)."""
    row = {key: value for key, value in values.items() if key != "employer_id"}
    return row | {"id": str(uuid.uuid4()), "employer_id": employer_id, "status": PostingStatus.open.value,
                  "close_reason": None, "placed": 0, "posted_on": today, "version": 1, "created_at": now,
                  "updated_at": now}


async def get(*, session: AsyncSession, posting_id: str, by: Principal) -> Posting:
    """Read a posting; an employer sees only its own (another's is answered as not found)."""
    posting = await session.get(Posting, posting_id)
    if posting is None or (by.role is Role.employer and posting.employer_id != by.employer_id):
        raise NotFound("posting not found", zh="没有找到这个岗位")
    return posting


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


async def search(*, session: AsyncSession, filters: PostingFilter, by: Principal, page: int,
                 page_size: int) -> tuple[list[Posting], int]:
    """List postings with filters, newest first; employers see their own only."""
    query = select(Posting)
    if by.role is Role.employer:
        query = query.where(Posting.employer_id == by.employer_id)
    if filters.employer_id:
        query = query.where(Posting.employer_id == filters.employer_id)
    if filters.status:
        query = query.where(Posting.status == filters.status)
    if filters.region:
        query = query.where(Posting.region_code.startswith(filters.region, autoescape=True))
    if filters.occupation:
        query = query.where(or_(Posting.occupation == filters.occupation,
                                Posting.occupation_code.startswith(filters.occupation, autoescape=True)))
    if filters.supply_list_id:
        query = query.where(Posting.supply_list_id == filters.supply_list_id)
    if filters.text:
        text = filters.text
        query = query.where(or_(Posting.title.contains(text, autoescape=True),
                                Posting.description.contains(text, autoescape=True),
                                Posting.occupation.contains(text, autoescape=True)))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Posting.created_at.desc(), Posting.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total
