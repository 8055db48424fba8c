"""The course catalogue: holding courses, finding them, enrolling workers, recording how a seat ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.courses import rules
from services.workers.courses.models import Course, Enrolment
from services.workers.profiles import service as profiles
from services.workers.profiles.models import WorkerProfile
from services.workers.training.models import TrainingRecord
from shared.auth import Principal, Role
from shared.clock import Clock, local_today
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.reference.regions import get_region, in_league


@dataclass(frozen=True)
class CourseFilter:
    occupation: str | None = None
    region: str | None = None
    open_only: bool = False
    certificate: str | None = None


def terms(course: Course) -> rules.CourseTerms:
    return rules.CourseTerms(hours=course.hours, start_on=course.start_on, end_on=course.end_on, seats=course.seats,
                             taken=course.taken, household_service=course.household_service)


def trainee(profile: WorkerProfile) -> rules.Trainee:
    return rules.Trainee(gender=profile.gender, birth_date=profile.birth_date)


def _visible(by: Principal) -> ColumnElement[bool]:
    """Station staff see the courses held in their region and those held at a place that contains it (a county's
    course for a township's staff); admin sees all."""
    if by.role is not Role.station_staff:
        return true()
    region = by.region or ""
    if not region:
        return false()
    above = [region[:n] for n in (6, 9) if len(region) > n]
    return or_(Course.region_code.startswith(region, autoescape=True), Course.region_code.in_(above))


def _open(today: date) -> ColumnElement[bool]:
    return (Course.start_on > today) & (Course.taken < Course.seats)


async def create(*, session: AsyncSession, fields: dict, by: Principal, clock: Clock) -> Course:
    """Hold a course at a place of the caller's region."""
    region_code = fields["region_code"]
    if get_region(region_code) is None or not in_league(region_code):
        raise Invalid(f"region_code {region_code} is not a county or township of Xing'an League", field="region_code",
                      zh="上课地点不是兴安盟的旗县市或苏木乡镇")
    if not by.covers_region(region_code):
        raise Forbidden(f"region_code {region_code} is outside your region {by.region}", zh="上课地点不在您负责的地区内")
    if rules.occupation_name(fields["occupation_code"]) is None:
        raise Invalid(f"occupation_code {fields['occupation_code']} is not a small group or occupation of GB/T 6565",
                      field="occupation_code", zh="职业代码不对，应为职业分类大典的小类或职业，如 4-10-01")
    if fields["start_on"] <= local_today(clock):
        raise Invalid("start_on must be after today: enrolment closes when a course begins", field="start_on",
                      zh="开课日期要在今天以后（开课后就不能报名了）")
    certificate = fields.get("certificate") or None
    if certificate is not None and not rules.certificate_key(certificate):
        raise Invalid("certificate names no certificate", field="certificate", zh="证书名称不对，如：育婴员证")
    course = Course(id=str(uuid.uuid4()), title=fields["title"], occupation_code=fields["occupation_code"],
                    provider=fields["provider"], region_code=region_code, hours=fields["hours"],
                    start_on=fields["start_on"], end_on=fields["end_on"], seats=fields["seats"], taken=0,
                    household_service=rules.is_household_service(fields["occupation_code"]),
                    certificate=certificate, certificate_key=rules.certificate_key(certificate) if certificate else None,
                    created_by=by.sub, created_at=clock.now())
    session.add(course)
    await session.flush()
    return course


async def get(*, session: AsyncSession, course_id: str, by: Principal) -> Course:
    """A course the caller may see; anyone else learns nothing of it."""
    course = await session.scalar(select(Course).where(Course.id == course_id, _visible(by)))
    if course is None:
        raise NotFound("course not found", zh="没有找到这个培训课程")
    return course


def _filtered(query: Select, filters: CourseFilter, *, by: Principal, today: date) -> Select:
    query = query.where(_visible(by))
    if filters.occupation:
        query = query.where(or_(Course.occupation_code == filters.occupation,
                                Course.occupation_code.startswith(filters.occupation + "-", autoescape=True)))
    if filters.region:
        query = query.where(Course.region_code.startswith(filters.region, autoescape=True))
    if filters.open_only:
        query = query.where(_open(today))
    if filters.certificate is not None:
        query = query.where(Course.certificate_key == rules.certificate_key(filters.certificate))
    return query


async def search(*, session: AsyncSession, filters: CourseFilter, by: Principal, page: int, page_size: int,
                 clock: Clock) -> tuple[list[Course], int]:
    """Courses the caller may see matching the filters, the soonest first."""
    query = _filtered(select(Course), filters, by=by, today=local_today(clock))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Course.start_on, Course.id).limit(page_size)
                                 .offset((page - 1) * page_size))
    return list(rows), total


async def for_certificate(*, session: AsyncSession, certificate: str, region: str | None, by: Principal,
                          clock: Clock) -> list[Course]:
    """Open courses whose completers gain the certificate, held in the county of `region` (when given)."""
    if not rules.certificate_key(certificate):
        return []
    area = region[:6] if region else None
    rows, _ = await search(session=session, filters=CourseFilter(region=area, open_only=True, certificate=certificate),
                           by=by, page=1, page_size=20, clock=clock)
    return rows


async def _enrolment_of(session: AsyncSession, course_id: str, worker_id: str) -> Enrolment | None:
    return await session.scalar(select(Enrolment).where(Enrolment.course_id == course_id,
                                                        Enrolment.worker_id == worker_id))


def _refusal(assessment: rules.Assessment, course: Course, today: date) -> Conflict:
    if today >= course.start_on:
        code = "enrolment_closed"
    elif course.taken >= course.seats:
        code = "course_full"
    else:
        code = "not_eligible"
    return Conflict("the worker may not take a seat on this course", code=code, zh="；".join(assessment.refusals))


async def enrol(*, session: AsyncSession, course_id: str, worker_id: str, by: Principal,
                clock: Clock) -> tuple[Enrolment, Course, WorkerProfile]:
    """Give a worker of the caller's area a seat, if the rules allow it and a seat is left."""
    course = await get(session=session, course_id=course_id, by=by)
    profile = await profiles.get(session=session, worker_id=worker_id, by=by)
    if await _enrolment_of(session, course.id, profile.id) is not None:
        raise Conflict("the worker is enrolled on this course already", code="already_enrolled",
                       zh="这个人已经报名了这个课程")
    today = local_today(clock)
    assessment = rules.assess(terms(course), trainee(profile), today=today)
    if not assessment.allowed:
        raise _refusal(assessment, course, today)
    # The seat is taken by a conditional UPDATE: of two enrolments for the last seat, the second finds none left.
    taken = await session.execute(update(Course).where(Course.id == course.id, Course.taken < Course.seats)
                                  .values(taken=Course.taken + 1).execution_options(synchronize_session=False))
    if taken.rowcount == 0:  # type: ignore[attr-defined]  # an UPDATE's result has a rowcount
        raise Conflict("no seat left on this course", code="course_full", zh=f"名额已满（共{course.seats}个）")
    await session.refresh(course)
    enrolment = Enrolment(id=str(uuid.uuid4()), course_id=course.id, worker_id=profile.id,
                          subsidised=assessment.subsidised, outcome=None, certificate_gained=False,
                          enrolled_by=by.sub, enrolled_at=clock.now())
    session.add(enrolment)
    await session.flush()
    return enrolment, course, profile


async def enrolled(*, session: AsyncSession, course_id: str,
                   by: Principal) -> tuple[Course, list[tuple[Enrolment, WorkerProfile]]]:
    """The course's enrolments of workers the caller may see, in the order they enrolled."""
    course = await get(session=session, course_id=course_id, by=by)
    query = profiles.scoped(select(Enrolment, WorkerProfile).join(WorkerProfile,
                                                                  WorkerProfile.id == Enrolment.worker_id), by)
    rows = (await session.execute(query.where(Enrolment.course_id == course.id)
                                  .order_by(Enrolment.enrolled_at, Enrolment.id))).all()
    return course, [(enrolment, profile) for enrolment, profile in rows]


async def candidates(*, session: AsyncSession, course_id: str, by: Principal,
                     limit: int) -> tuple[Course, list[WorkerProfile], int]:
    """Workers of the course's county (within the caller's scope) who want training and have no seat on it."""
    course = await get(session=session, course_id=course_id, by=by)
    seated = select(Enrolment.worker_id).where(Enrolment.course_id == course.id)
    query = profiles.scoped(select(WorkerProfile), by).where(
        WorkerProfile.wants_training.is_(True),
        WorkerProfile.home_region_code.startswith(course.region_code[:6], autoescape=True),
        WorkerProfile.id.not_in(seated))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(WorkerProfile.created_at, WorkerProfile.id).limit(limit))
    return course, list(rows), total


async def record_outcome(*, session: AsyncSession, course_id: str, enrolment_id: str, outcome: str,
                         certificate_gained: bool, by: Principal,
                         clock: Clock) -> tuple[Enrolment, Course, WorkerProfile]:
    """Record that the worker completed the course (with or without its certificate) or dropped out. A completion
    writes the worker's training record; a certificate gained joins the worker's certificates. The same outcome
    again changes nothing; another one is refused."""
    course = await get(session=session, course_id=course_id, by=by)
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.course_id != course.id:
        raise NotFound("enrolment not found", zh="没有找到这条报名记录")
    profile = await profiles.get(session=session, worker_id=enrolment.worker_id, by=by)
    if enrolment.outcome is not None:
        if enrolment.outcome == outcome and enrolment.certificate_gained == certificate_gained:
            return enrolment, course, profile
        raise Conflict("the outcome was recorded before", code="outcome_recorded",
                       zh="这个人的结业情况已经登记过了，不能改")
    today = local_today(clock)
    if outcome == "completed" and today < course.end_on:
        raise Conflict(f"the course ends on {course.end_on.isoformat()}", code="course_not_ended",
                       zh=f"课程{course.end_on.isoformat()}结束，结束后再登记结业")
    if outcome == "dropped" and today < course.start_on:
        raise Conflict(f"the course begins on {course.start_on.isoformat()}", code="course_not_started",
                       zh=f"课程{course.start_on.isoformat()}开课，还没开课不能登记退学")
    if certificate_gained and not course.certificate:
        raise Invalid("this course gives no certificate", field="certificate_gained", zh="这个课程不发证书")
    now = clock.now()
    enrolment.outcome, enrolment.certificate_gained = outcome, certificate_gained
    enrolment.outcome_by, enrolment.outcome_at = by.sub, now
    if outcome == "completed":
        record = TrainingRecord(id=str(uuid.uuid4()), worker_id=profile.id, course=course.title[:80],
                                hours=course.hours, start_on=course.start_on, end_on=course.end_on, completed=True,
                                certificate=course.certificate if certificate_gained else None, recorded_by=by.sub,
                                created_at=now)
        session.add(record)
        enrolment.training_record_id = record.id
    await session.flush()
    if certificate_gained and course.certificate:
        held = {rules.certificate_key(c) for c in profile.certificates}
        if rules.certificate_key(course.certificate) not in held:
            await profiles.add_certificate(session=session, profile=profile, certificate=course.certificate,
                                           clock=clock)
    return enrolment, course, profile
