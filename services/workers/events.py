"""The events the workers service publishes: what matching needs, and nothing that identifies the person. Their names
and payloads are the contracts in shared/contracts/workers.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.db import outbox
from services.workers.profiles.idcard import age_on
from services.workers.profiles.models import WorkerProfile
from shared.clock import Clock, local_today
from shared.contracts.workers import (
    PROFILE_PLACED,
    PROFILE_REGISTERED,
    PROFILE_UPDATED,
    Consent,
    PlacementFacts,
    WorkerSnapshot,
)
from shared.driven import SingleWrite
from shared.events.outbox import NewEvent, add_event, add_events
from shared.reference.regions import get_region

__all__ = ["PROFILE_PLACED", "PROFILE_REGISTERED", "PROFILE_UPDATED", "profile_changed", "profile_registered",
           "snapshot"]


def snapshot(profile: WorkerProfile, *, today: date, placement: PlacementFacts | None = None) -> WorkerSnapshot:
    """The profile for other services: no name, ID-card number, phone, openid or birth date."""
    return _snapshot({column.key: getattr(profile, column.key) for column in WorkerProfile.__table__.columns},
                     today=today, placement=placement)


def snapshot_of(row: Mapping[str, Any], *, today: date) -> dict:
    """The snapshot of a worker_profiles row given as a mapping of its columns (a bulk import has no ORM objects)."""
    return _snapshot(row, today=today, placement=None).data()


def _snapshot(row: Mapping[str, Any], *, today: date, placement: PlacementFacts | None) -> WorkerSnapshot:
    region = get_region(row["home_region_code"])
    return WorkerSnapshot(
        profile_id=row["id"], age=age_on(row["birth_date"], today), age_as_of=today, gender=row["gender"],
        home_region_code=row["home_region_code"], lon=region.lon if region else None,
        lat=region.lat if region else None, labor_capacity=row["labor_capacity"], education=row["education"],
        skills=list(row["skills"]), certificates=list(row["certificates"]),
        desired_occupations=list(row["desired_occupations"]), transfer_intention=row["transfer_intention"],
        expected_wage=row["expected_wage"], wants_training=row["wants_training"],
        wants_entrepreneurship=row["wants_entrepreneurship"], has_wechat=row["wechat_openid_sealed"] is not None,
        consent=Consent(sms=row["consent_sms"], wechat=row["consent_wechat"], share_with_partners=row["consent_share"]),
        status=row["status"], placement=placement)


async def profile_changed(session: AsyncSession, profile: WorkerProfile, *, type: str, clock: Clock,
                          placement: PlacementFacts | None = None) -> None:
    """Publish the profile as it now stands; `placement` with the events about one (recorded, or ended)."""
    data = snapshot(profile, today=local_today(clock), placement=placement).data()
    await add_event(session, outbox, clock=clock, producer="workers", type=type, subject=profile.id,
                    version=profile.version, data=data)


async def profile_registered(unit: AsyncSession | SingleWrite, row: Mapping[str, Any], *, clock: Clock,
                             along: Sequence[tuple[Table, Mapping[str, Any]]] = ()) -> None:
    """Insert a new worker_profiles row and its `workers.profile.registered` event, and the rows `along` (its audit
    row), in one statement on PostgreSQL."""
    await add_event(unit, outbox, clock=clock, producer="workers", type=PROFILE_REGISTERED, subject=row["id"],
                    version=row["version"], data=snapshot_of(row, today=local_today(clock)),
                    along=[(cast(Table, WorkerProfile.__table__), row), *along])


async def profiles_registered(session: AsyncSession, rows: Iterable[Mapping[str, Any]], *, clock: Clock) -> int:
    """A `workers.profile.registered` event for each newly inserted worker_profiles row, in one bulk write."""
    today = local_today(clock)
    return await add_events(session, outbox, clock=clock, producer="workers", events=(
        NewEvent(PROFILE_REGISTERED, row["id"], row["version"], snapshot_of(row, today=today)) for row in rows))
