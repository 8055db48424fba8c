"""Registering, reading, changing and finding worker profiles, with personal numbers sealed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.audit import service as audit
from services.workers.events import PROFILE_UPDATED, profile_changed, profile_registered
from services.workers.profiles import privacy
from services.workers.profiles.idcard import IdCardError, parse_id_number, working_age_error
from services.workers.profiles.models import WorkerProfile, WorkerStatus
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.driven import SingleWrite, look_up
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.pii import PiiKeys, blind_index, last4, seal
from shared.reference.regions import county_of, get_region, in_league

EDITABLE = {"name", "home_region_code", "labor_capacity", "education", "skills", "certificates",
            "desired_occupations", "transfer_intention", "expected_wage", "wants_training", "wants_entrepreneurship",
            "pension_insured"}
# What a field sent as null becomes; the others may not be emptied.
CLEARED = {"skills": [], "certificates": [], "desired_occupations": [], "wants_training": False,
           "wants_entrepreneurship": False, "education": None, "expected_wage": None,
           "pension_insured": None}


class DuplicateWorker(Conflict):
    """The ID-card number is registered already. Within the caller's region the answer names the profile; outside it,
    only the county whose stations hold it (whom to call), so that no one learns the id of a profile they cannot see."""

    code = "already_registered"

    def __init__(self, existing_id: str, *, visible: bool, county: str) -> None:
        if visible:
            super().__init__(f"this ID-card number is already registered as worker profile {existing_id}",
                             zh=f"这个身份证号已经登记过了（档案编号 {existing_id}）")
        else:
            super().__init__(f"this person is already registered in {county}; call a job station there to move "
                             "the registration", code="registered_elsewhere",
                             zh=f"此人已在{county}登记，请联系{county}的就业服务站办理转移")
        self.existing_id = existing_id


@dataclass(frozen=True)
class ProfileFilter:
    region: str | None = None
    transfer_intention: str | None = None
    status: str | None = None
    name: str | None = None
    id_last4: str | None = None
    ids: tuple[str, ...] = ()


def check_home(region_code: str, by: Principal) -> None:
    """The home must be a place of the League, and inside the staff member's region."""
    if get_region(region_code) is None or not in_league(region_code):
        raise Invalid(f"home_region_code {region_code} is not a county or township of Xing'an League",
                      field="home_region_code", zh="户籍地不是兴安盟的旗县市或苏木乡镇")
    if not by.covers_region(region_code):
        raise Forbidden(f"home_region_code {region_code} is outside your region {by.region}",
                        zh="户籍地不在您负责的地区内")


def _identity(id_number: str, *, clock: Clock) -> dict[str, Any]:
    return _identity_on(id_number, today=local_today(clock))


def _identity_on(id_number: str, *, today: date) -> dict[str, Any]:
    try:
        card = parse_id_number(id_number, today=today)
    except IdCardError as exc:
        raise Invalid(f"id_number: {exc}", field="id_number", zh=exc.zh) from exc
    if (problem := working_age_error(card, today)) is not None:
        raise Invalid(problem, field="id_number")
    return {"number": card.number, "birth_date": card.birth_date, "gender": card.gender}


# Built once, their values bound by name: SQLAlchemy keeps their cache keys and compiled forms.
_HOLDER = select(WorkerProfile.id, WorkerProfile.home_region_code).where(
    WorkerProfile.id_number_hash == bindparam("id_hash"))


async def _ensure_unique(session: AsyncSession, id_hash: str, *, by: Principal, besides: str | None = None) -> None:
    existing = (await session.execute(_HOLDER, {"id_hash": id_hash})).first()
    if existing is not None and existing.id != besides:
        raise duplicate_of(existing.id, existing.home_region_code, by=by)


def _seal_numbers(profile: WorkerProfile, *, id_number: str | None, phone: str | None, openid: str | None,
                  set_openid: bool, keys: PiiKeys) -> None:
    if id_number is not None:
        profile.id_number_sealed = seal(id_number, keys=keys, purpose="id_number")
        profile.id_number_hash = blind_index(id_number, keys=keys, purpose="id_number")
        profile.id_last4 = last4(id_number)
    if phone is not None:
        profile.phone_sealed = seal(phone, keys=keys, purpose="phone")
        profile.phone_hash = blind_index(phone, keys=keys, purpose="phone")
    if set_openid:
        profile.wechat_openid_sealed = seal(openid, keys=keys, purpose="wechat_openid") if openid else None


def registration(*, fields: dict[str, Any], by: Principal, keys: PiiKeys, now: datetime,
                 today: date) -> dict[str, Any]:
    """The worker_profiles row registering `fields` makes, numbers sealed (pure: the uniqueness check is the
    caller's); Invalid or Forbidden when the home or the ID-card number is refused."""
    check_home(fields["home_region_code"], by)
    identity = _identity_on(fields["id_number"], today=today)
    consent = fields.get("consent") or {}
    number, phone, openid = identity["number"], fields["phone"], fields.get("wechat_openid")
    return {
        "id": str(uuid.uuid4()), "name": fields["name"], "birth_date": identity["birth_date"],
        "gender": identity["gender"], "home_region_code": fields["home_region_code"],
        "labor_capacity": fields.get("labor_capacity") or "full", "education": fields.get("education"),
        "skills": fields.get("skills") or [], "certificates": fields.get("certificates") or [],
        "desired_occupations": fields.get("desired_occupations") or [],
        "transfer_intention": fields["transfer_intention"], "expected_wage": fields.get("expected_wage"),
        "wants_training": bool(fields.get("wants_training")),
        "wants_entrepreneurship": bool(fields.get("wants_entrepreneurship")),
        "pension_insured": fields.get("pension_insured"),
        "consent_sms": bool(consent.get("sms")), "consent_wechat": bool(consent.get("wechat")),
        "consent_share": bool(consent.get("share_with_partners")), "status": WorkerStatus.seeking.value,
        "version": 1, "registered_by": by.sub, "created_at": now, "updated_at": now,
        "id_number_sealed": seal(number, keys=keys, purpose="id_number"),
        "id_number_hash": blind_index(number, keys=keys, purpose="id_number"), "id_last4": last4(number),
        "phone_sealed": seal(phone, keys=keys, purpose="phone"),
        "phone_hash": blind_index(phone, keys=keys, purpose="phone"),
        "wechat_openid_sealed": seal(openid, keys=keys, purpose="wechat_openid") if openid else None,
    }


async def register(*, unit: AsyncSession | SingleWrite, fields: dict[str, Any], by: Principal, keys: PiiKeys,
                   clock: Clock, shown_as: str | None = None) -> WorkerProfile:
    """Register a labourer of the staff member's region; the same ID-card number twice is a conflict. The profile is
    written as a row, as a ledger's are; the record returned presents it and is not tracked by the unit of work.
    `shown_as`: the caller is answered with the profile (`shown`), and that read, audited as this action, is written
    with the profile and its event (one statement on PostgreSQL: in a single write, `Database.single_write`, its own
    transaction)."""
    row = registration(fields=fields, by=by, keys=keys, now=clock.now(), today=local_today(clock))
    profile = WorkerProfile(**row)
    reads = [(audit.READS, audit.read_row(by=by, worker_id=profile.id, fields=_seen_in_clear(profile),
                                          action=shown_as, clock=clock))
             ] if shown_as and privacy.sees_clear(by, profile) else []
    try:
        await profile_registered(unit, row, clock=clock, along=reads)
    except Conflict:
        # The number is unique in the table, so a registered number makes the write clash and write nothing; only
        # then is its holder looked up (by the driver, `shared.driven`), to say who holds it. A registration that
        # clashes on anything else stays the plain Conflict. Looking the holder up before every write cost each
        # registration a round trip that almost never found anyone.
        holders = await look_up(unit, _HOLDER, {"id_hash": row["id_number_hash"]})
        if holders:
            raise duplicate_of(holders[0]["id"], holders[0]["home_region_code"], by=by) from None
        raise
    return profile


def shown(*, profile: WorkerProfile, by: Principal, keys: PiiKeys, clock: Clock) -> dict:
    """The profile as `by` may see it, the read audited already (`register(…, shown_as=…)`)."""
    return privacy.view(profile, clear=privacy.sees_clear(by, profile), keys=keys, today=local_today(clock))


def _seen_in_clear(profile: WorkerProfile) -> list[str]:
    return [f for f in privacy.PERSONAL_FIELDS if f != "wechat_openid" or profile.wechat_openid_sealed]


def duplicate_of(existing_id: str, existing_home: str, *, by: Principal) -> DuplicateWorker:
    """The conflict of a number registered already as `existing_id`, said as `by` may hear it."""
    county = county_of(existing_home)
    return DuplicateWorker(existing_id, visible=by.covers_region(existing_home),
                           county=county.name if county else "another county")


async def get(*, session: AsyncSession, worker_id: str, by: Principal) -> WorkerProfile:
    """A profile of the caller's scope (staff of its region, admin); anyone else learns nothing of it."""
    profile = await session.get(WorkerProfile, worker_id)
    if profile is None or not privacy.sees_clear(by, profile):
        raise NotFound("worker profile not found", zh="没有找到这位劳动力")
    return profile


async def read(*, session: AsyncSession, worker_id: str, by: Principal, keys: PiiKeys, clock: Clock) -> dict:
    """A profile as the caller may see it; a clear read is written to the audit log."""
    profile = await get(session=session, worker_id=worker_id, by=by)
    return await present(session=session, profile=profile, by=by, keys=keys, clock=clock, action="read profile")


async def present(*, session: AsyncSession, profile: WorkerProfile, by: Principal, keys: PiiKeys, clock: Clock,
                  action: str) -> dict:
    clear = privacy.sees_clear(by, profile)
    if clear:
        await audit.record(session=session, by=by, worker_id=profile.id, fields=_seen_in_clear(profile),
                           action=action, clock=clock)
    return privacy.view(profile, clear=clear, keys=keys, today=local_today(clock))


async def change(*, session: AsyncSession, worker_id: str, changes: dict[str, Any], by: Principal, keys: PiiKeys,
                 clock: Clock) -> WorkerProfile:
    """Apply a change made by the worker's own staff (or admin); re-derive birth date and gender from a new number."""
    profile = await get(session=session, worker_id=worker_id, by=by)
    if "home_region_code" in changes:
        check_home(changes["home_region_code"], by)
    id_number = None
    if changes.get("id_number"):
        identity = _identity(changes["id_number"], clock=clock)
        id_number = identity["number"]
        await _ensure_unique(session, blind_index(id_number, keys=keys, purpose="id_number"), by=by,
                             besides=profile.id)
        profile.birth_date, profile.gender = identity["birth_date"], identity["gender"]
    _seal_numbers(profile, id_number=id_number, phone=changes.get("phone"), openid=changes.get("wechat_openid"),
                  set_openid="wechat_openid" in changes, keys=keys)
    if (consent := changes.get("consent")) is not None:
        profile.consent_sms = bool(consent.get("sms"))
        profile.consent_wechat = bool(consent.get("wechat"))
        profile.consent_share = bool(consent.get("share_with_partners"))
    for key in EDITABLE & changes.keys():
        value = changes[key]
        if value is None:
            if key not in CLEARED:
                raise Invalid(f"{key} may not be emptied", field=key, zh="这一项不能清空")
            value = CLEARED[key]
        setattr(profile, key, value)
    profile.version += 1
    profile.updated_at = clock.now()
    await session.flush()
    await profile_changed(session, profile, type=PROFILE_UPDATED, clock=clock)
    return profile


async def add_certificate(*, session: AsyncSession, profile: WorkerProfile, certificate: str, clock: Clock) -> None:
    """The worker gained a certificate (a course completed): matching hears of it as of any other change."""
    profile.certificates = [*profile.certificates, certificate]
    profile.version += 1
    profile.updated_at = clock.now()
    await session.flush()
    await profile_changed(session, profile, type=PROFILE_UPDATED, clock=clock)


async def ids_within(*, session: AsyncSession, worker_ids: list[str], region: str) -> list[str]:
    """Those of the ids that are profiles whose home lies inside `region` (an adcode prefix; "" is anywhere)."""
    ids = list(dict.fromkeys(w.lower() for w in worker_ids))
    query = select(WorkerProfile.id).where(WorkerProfile.id.in_(ids))
    if region:
        query = query.where(WorkerProfile.home_region_code.startswith(region, autoescape=True))
    found = set(await session.scalars(query))
    return [w for w in ids if w in found]


def scoped(query, by: Principal):
    """Limit a profile query to what the caller may list."""
    if by.role is Role.station_staff:
        return query.where(WorkerProfile.home_region_code.startswith(by.region, autoescape=True))
    return query


async def search(*, session: AsyncSession, filters: ProfileFilter, by: Principal, page: int,
                 page_size: int) -> tuple[list[WorkerProfile], int]:
    """Profiles in the caller's scope matching the filters, newest first."""
    query = scoped(select(WorkerProfile), by)
    if filters.region:
        query = query.where(WorkerProfile.home_region_code.startswith(filters.region, autoescape=True))
    if filters.transfer_intention:
        query = query.where(WorkerProfile.transfer_intention == filters.transfer_intention)
    if filters.status:
        query = query.where(WorkerProfile.status == filters.status)
    if filters.name:
        query = query.where(WorkerProfile.name.contains(filters.name, autoescape=True))
    if filters.id_last4:
        query = query.where(WorkerProfile.id_last4 == filters.id_last4.upper())
    if filters.ids:
        query = query.where(WorkerProfile.id.in_(filters.ids))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(WorkerProfile.created_at.desc(), WorkerProfile.id)
                                 .limit(page_size).offset((page - 1) * page_size))
    return list(rows), total



def view_masked(*, profile: WorkerProfile, keys: PiiKeys, clock: Clock) -> dict:
    return privacy.view(profile, clear=False, keys=keys, today=local_today(clock))
