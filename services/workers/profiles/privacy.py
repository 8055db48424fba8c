"""Who sees a profile's personal numbers in clear, and the masked view everyone else gets."""

from __future__ import annotations

from datetime import date

from services.workers.profiles.idcard import age_on
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal, Role
from shared.pii import PiiKeys, mask_id_number, mask_phone, open_sealed
from shared.reference.regions import get_region

PERSONAL_FIELDS = ("id_number", "phone", "wechat_openid")


def sees_clear(by: Principal, profile: WorkerProfile) -> bool:
    """The worker's own station staff and admin see the numbers; partner offices never do."""
    return by.is_admin or (by.role is Role.station_staff and by.covers_region(profile.home_region_code))


def mask_name(name: str) -> str:
    """张秀英 → 张*英, 王芳 → 王*: enough for a call centre to confirm, not to identify."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def view(profile: WorkerProfile, *, clear: bool, keys: PiiKeys, today: date) -> dict:
    """The profile as a response body; numbers opened only when `clear`."""
    region = get_region(profile.home_region_code)
    # Masks keep the head and tail of the real numbers, so they are opened either way; only `clear` shows them.
    id_number = open_sealed(profile.id_number_sealed, keys=keys, purpose="id_number")
    phone = open_sealed(profile.phone_sealed, keys=keys, purpose="phone")
    openid = (open_sealed(profile.wechat_openid_sealed, keys=keys, purpose="wechat_openid")
              if profile.wechat_openid_sealed else None)
    if not clear:
        id_number, phone = mask_id_number(id_number), mask_phone(phone)
        openid = None if openid is None else openid[:3] + "***"
    return {
        "id": profile.id, "name": profile.name if clear else mask_name(profile.name),
        "id_number": id_number, "phone": phone, "wechat_openid": openid,
        "personal_data": "clear" if clear else "masked",
        "birth_date": profile.birth_date if clear else None, "age": age_on(profile.birth_date, today),
        "gender": profile.gender, "home_region_code": profile.home_region_code,
        "home_region_name": region.name if region else profile.home_region_code,
        "labor_capacity": profile.labor_capacity, "education": profile.education, "skills": profile.skills,
        "certificates": profile.certificates, "desired_occupations": profile.desired_occupations,
        "transfer_intention": profile.transfer_intention, "expected_wage": profile.expected_wage,
        "wants_training": profile.wants_training, "wants_entrepreneurship": profile.wants_entrepreneurship,
        "pension_insured": profile.pension_insured,
        "consent": {"sms": profile.consent_sms, "wechat": profile.consent_wechat,
                    "share_with_partners": profile.consent_share},
        "status": profile.status, "version": profile.version, "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }
