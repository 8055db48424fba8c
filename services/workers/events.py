"""The events the workers service publishes: what matching needs, and nothing that identifies the person."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.db import outbox
from services.workers.profiles.idcard import age_on
from services.workers.profiles.models import WorkerProfile
from shared.clock import Clock, local_today
from shared.events.outbox import add_event
from shared.reference.regions import get_region

PROFILE_REGISTERED = "workers.profile.registered"
PROFILE_UPDATED = "workers.profile.updated"
PROFILE_PLACED = "workers.profile.placed"


def snapshot(profile: WorkerProfile, *, today) -> dict:
    """The profile for other services: no name, ID-card number, phone, openid or birth date."""
    region = get_region(profile.home_region_code)
    return {
        "profile_id": profile.id, "age": age_on(profile.birth_date, today), "age_as_of": today.isoformat(),
        "gender": profile.gender, "home_region_code": profile.home_region_code,
        "lon": region.lon if region else None, "lat": region.lat if region else None,
        "labor_capacity": profile.labor_capacity, "education": profile.education, "skills": list(profile.skills),
        "certificates": list(profile.certificates), "desired_occupations": list(profile.desired_occupations),
        "transfer_intention": profile.transfer_intention, "expected_wage": profile.expected_wage,
        "wants_training": profile.wants_training, "wants_entrepreneurship": profile.wants_entrepreneurship,
        "has_wechat": profile.wechat_openid_sealed is not None,
        "consent": {"sms": profile.consent_sms, "wechat": profile.consent_wechat,
                    "share_with_partners": profile.consent_share},
        "status": profile.status,
    }


async def profile_changed(session: AsyncSession, profile: WorkerProfile, *, type: str, clock: Clock,
                          extra: dict | None = None) -> None:
    data = snapshot(profile, today=local_today(clock)) | (extra or {})
    await add_event(session, outbox, clock=clock, producer="workers", type=type, subject=profile.id,
                    version=profile.version, data=data)
