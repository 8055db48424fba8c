"""Applying events to the read models: newer versions replace older ones, older ones change nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.ranking.model import PostingView, WorkerView
from services.matching.readmodels.models import Generation, PostingRecord, WorkerRecord
from shared.clock import Clock
from shared.contracts.jobs import PostingSnapshot
from shared.contracts.workers import WorkerSnapshot
from shared.db import rows_touched
from shared.events.envelope import Envelope

POSTINGS = "postings"


async def apply_posting(session: AsyncSession, event: Envelope, *, clock: Clock) -> bool:
    """Keep the posting's newest snapshot; return whether anything changed."""
    posting = PostingSnapshot.model_validate(event.data)
    # Locked: another event about the same record, handled at the same time, waits for this one (no lost update).
    record = await session.get(PostingRecord, event.subject, with_for_update=True)
    if record is not None and record.version >= event.version:
        return False  # an older or repeated snapshot: we hold a newer one already
    # The snapshot is kept as it came, fields this version does not know included (a newer reader may want them).
    fields = {"version": event.version, "status": posting.status, "employer_id": posting.employer_id,
              "supply_list_id": posting.supply_list_id, "supply_list_office_id": posting.supply_list_office_id,
              "snapshot": event.data, "updated_at": clock.now()}
    if record is None:
        session.add(PostingRecord(id=event.subject, **fields))
    else:
        for key, value in fields.items():
            setattr(record, key, value)
    await _bump(session, POSTINGS)
    return True


async def apply_worker(session: AsyncSession, event: Envelope, *, clock: Clock) -> bool:
    worker = WorkerSnapshot.model_validate(event.data)
    # Locked: another event about the same record, handled at the same time, waits for this one (no lost update).
    record = await session.get(WorkerRecord, event.subject, with_for_update=True)
    if record is not None and record.version >= event.version:
        return False
    fields = {"version": event.version, "status": worker.status, "home_region_code": worker.home_region_code,
              "transfer_intention": worker.transfer_intention,
              "share_with_partners": worker.consent.share_with_partners, "snapshot": event.data,
              "updated_at": clock.now()}
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


def posting_view(snapshot: dict) -> PostingView:
    """The posting as the ranker sees it, from the snapshot its last event carried."""
    s = PostingSnapshot.model_validate(snapshot)
    return PostingView(
        id=s.id, employer_id=s.employer_id, employer_name=s.employer_name, title=s.title, occupation=s.occupation,
        occupation_code=s.occupation_code, region_code=s.region_code, lon=s.lon, lat=s.lat, wage_min=s.wage_min,
        wage_max=s.wage_max, headcount=s.headcount, valid_until=s.valid_until, description=s.description,
        skills=tuple(s.skills), age_min=s.age_min, age_max=s.age_max, gender=s.gender,
        certificates=tuple(s.certificates), meals=s.meals, lodging=s.lodging, contract_months=s.contract_months,
        public_welfare=s.public_welfare, workshop=s.workshop, supply_list_id=s.supply_list_id, status=s.status)


def worker_view(worker_id: str, snapshot: dict, *, today: date) -> WorkerView:
    """The worker as the ranker sees them; the age is moved on by the time since the event said it."""
    s = WorkerSnapshot.model_validate(snapshot)
    as_of = s.age_as_of or today
    age = s.age + max(0, (today - as_of).days // 365)
    if s.lon is None or s.lat is None:
        raise ValueError(f"worker {worker_id} has no known home region ({s.home_region_code})")
    return WorkerView(
        id=worker_id, age=age, gender=s.gender, home_region_code=s.home_region_code, lon=s.lon, lat=s.lat,
        transfer_intention=s.transfer_intention, labor_capacity=s.labor_capacity, education=s.education,
        skills=tuple(s.skills), certificates=tuple(s.certificates), desired_occupations=tuple(s.desired_occupations),
        expected_wage=s.expected_wage, status=s.status, share_with_partners=s.consent.share_with_partners)
