"""The events the workers service publishes: what matching needs, and nothing that identifies the person. Their names
and payloads are the contracts in shared/contracts/workers.py."""

from __future__ import annotations

from datetime import date

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
from shared.events.outbox import add_event
from shared.reference.regions import get_region

__all__ = ["PROFILE_PLACED", "PROFILE_REGISTERED", "PROFILE_UPDATED", "profile_changed", "snapshot"]


def snapshot(profile: WorkerProfile, *, today: date, placement: PlacementFacts | None = None) -> WorkerSnapshot:
    """The profile for other services: no name, ID-card number, phone, openid or birth date."""
    region = get_region(profile.home_region_code)
    return WorkerSnapshot(
        profile_id=profile.id, age=age_on(profile.birth_date, today), age_as_of=today, gender=profile.gender,
        home_region_code=profile.home_region_code, lon=region.lon if region else None,
        lat=region.lat if region else None, labor_capacity=profile.labor_capacity, education=profile.education,
        skills=list(profile.skills), certificates=list(profile.certificates),
        desired_occupations=list(profile.desired_occupations), transfer_intention=profile.transfer_intention,
        expected_wage=profile.expected_wage, wants_training=profile.wants_training,
        wants_entrepreneurship=profile.wants_entrepreneurship, has_wechat=profile.wechat_openid_sealed is not None,
        consent=Consent(sms=profile.consent_sms, wechat=profile.consent_wechat,
                        share_with_partners=profile.consent_share),
        status=profile.status, placement=placement)


async def profile_changed(session: AsyncSession, profile: WorkerProfile, *, type: str, clock: Clock,
                          placement: PlacementFacts | None = None) -> None:
    """Publish the profile as it now stands; `placement` with the events about one (recorded, or ended)."""
    data = snapshot(profile, today=local_today(clock), placement=placement).data()
    await add_event(session, outbox, clock=clock, producer="workers", type=type, subject=profile.id,
                    version=profile.version, data=data)
