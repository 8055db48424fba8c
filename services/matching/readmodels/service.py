"""Applying events to the read models: newer versions replace older ones, older ones change nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.ranking.model import PostingView, WorkerView
from services.matching.readmodels.models import Generation, PostingRecord, WorkerRecord
from shared.clock import Clock
from shared.db import rows_touched
from shared.events.envelope import Envelope

POSTINGS = "postings"


async def apply_posting(session: AsyncSession, event: Envelope, *, clock: Clock) -> bool:
    """Keep the posting's newest snapshot; return whether anything changed."""
    data = event.data
    # Locked: another event about the same record, handled at the same time, waits for this one (no lost update).
    record = await session.get(PostingRecord, event.subject, with_for_update=True)
    if record is not None and record.version >= event.version:
        return False  # an older or repeated snapshot: we hold a newer one already
    fields = {"version": event.version, "status": data.get("status", "open"), "employer_id": data["employer_id"],
              "supply_list_id": data.get("supply_list_id"), "supply_list_office_id": data.get("supply_list_office_id"),
              "snapshot": data, "updated_at": clock.now()}
    if record is None:
        session.add(PostingRecord(id=event.subject, **fields))
    else:
        for key, value in fields.items():
            setattr(record, key, value)
    await _bump(session, POSTINGS)
    return True


async def apply_worker(session: AsyncSession, event: Envelope, *, clock: Clock) -> bool:
    data = event.data
    # Locked: another event about the same record, handled at the same time, waits for this one (no lost update).
    record = await session.get(WorkerRecord, event.subject, with_for_update=True)
    if record is not None and record.version >= event.version:
        return False
    fields = {"version": event.version, "status": data.get("status", "seeking"),
              "home_region_code": data["home_region_code"], "transfer_intention": data["transfer_intention"],
              "share_with_partners": bool((data.get("consent") or {}).get("share_with_partners")),
              "snapshot": data, "updated_at": clock.now()}
    if record is None:
        session.add(WorkerRecord(id=event.subject, **fields))
    else:
        for key, value in fields.items():
            setattr(record, key, value)
    return True


async def _bump(session: AsyncSession, name: str) -> None:
    changed = await session.execute(update(Generation).where(Generation.name == name)
                                    .values(value=Generation.value + 1))
    if rows_touched(changed) == 0:
        session.add(Generation(name=name, value=1))


async def generation(session: AsyncSession, name: str = POSTINGS) -> int:
    return await session.scalar(select(Generation.value).where(Generation.name == name)) or 0


async def open_postings(session: AsyncSession) -> list[PostingView]:
    rows = await session.scalars(select(PostingRecord.snapshot).where(PostingRecord.status == "open"))
    return [posting_view(snapshot) for snapshot in rows]


def posting_view(s: dict) -> PostingView:
    return PostingView(
        id=s["id"], employer_id=s["employer_id"], employer_name=s.get("employer_name", ""), title=s["title"],
        occupation=s.get("occupation") or "", occupation_code=s.get("occupation_code"), region_code=s["region_code"],
        lon=float(s["lon"]), lat=float(s["lat"]), wage_min=int(s["wage_min"]), wage_max=int(s["wage_max"]),
        headcount=int(s["headcount"]), valid_until=date.fromisoformat(s["valid_until"]),
        description=s.get("description") or "", skills=tuple(s.get("skills") or ()), age_min=int(s["age_min"]),
        age_max=int(s["age_max"]), gender=s.get("gender"), certificates=tuple(s.get("certificates") or ()),
        meals=bool(s.get("meals")), lodging=bool(s.get("lodging")), contract_months=s.get("contract_months"),
        public_welfare=bool(s.get("public_welfare")), workshop=bool(s.get("workshop")),
        supply_list_id=s.get("supply_list_id"), status=s.get("status", "open"))


def worker_view(worker_id: str, s: dict, *, today: date) -> WorkerView:
    """The worker as the ranker sees them; the age is moved on by the time since the event said it."""
    as_of = date.fromisoformat(s["age_as_of"]) if s.get("age_as_of") else today
    age = int(s["age"]) + max(0, (today - as_of).days // 365)
    return WorkerView(
        id=worker_id, age=age, gender=s["gender"], home_region_code=s["home_region_code"],
        lon=float(s["lon"]), lat=float(s["lat"]), transfer_intention=s["transfer_intention"],
        labor_capacity=s.get("labor_capacity") or "full", education=s.get("education"),
        skills=tuple(s.get("skills") or ()), certificates=tuple(s.get("certificates") or ()),
        desired_occupations=tuple(s.get("desired_occupations") or ()), expected_wage=s.get("expected_wage"),
        status=s.get("status", "seeking"),
        share_with_partners=bool((s.get("consent") or {}).get("share_with_partners")))


