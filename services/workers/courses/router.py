"""HTTP routes of the course catalogue, enrolment and completion (station staff of the place, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.workers.courses import rules, service
from services.workers.courses.models import Course, Enrolment
from services.workers.courses.schemas import (
    Candidate,
    CandidatePage,
    CourseIn,
    CourseOut,
    CoursePage,
    EnrolmentIn,
    EnrolmentOut,
    OutcomeIn,
)
from services.workers.deps import ClockDep, SessionDep, StaffOrAdmin
from services.workers.profiles.idcard import age_on
from services.workers.profiles.models import WorkerProfile
from shared.clock import Clock, local_today
from shared.forms import PAGE_MAX
from shared.reference.regions import get_region

router = APIRouter(prefix="/workers/courses", tags=["training courses"])

OCCUPATION = r"^\d-\d{2}(-\d{2}){0,2}$"
REGION = r"^\d{2,12}$"


def _course(course: Course, clock: Clock) -> CourseOut:
    region = get_region(course.region_code)
    return CourseOut(id=course.id, title=course.title, occupation_code=course.occupation_code,
                     occupation_name=rules.occupation_name(course.occupation_code) or course.occupation_code,
                     provider=course.provider, region_code=course.region_code,
                     region_name=region.name if region else course.region_code, hours=course.hours,
                     start_on=course.start_on, end_on=course.end_on, seats=course.seats, taken=course.taken,
                     seats_left=max(0, course.seats - course.taken),
                     open=rules.open_for_enrolment(service.terms(course), local_today(clock)),
                     subsidised=rules.is_subsidised(course.hours), household_service=course.household_service,
                     certificate=course.certificate, created_by=course.created_by, created_at=course.created_at)


def _enrolment(enrolment: Enrolment, course: Course, profile: WorkerProfile) -> EnrolmentOut:
    notes = rules.subsidy_notes(service.terms(course), service.trainee(profile))
    return EnrolmentOut(id=enrolment.id, course_id=enrolment.course_id, worker_id=enrolment.worker_id,
                        worker_name=profile.name, home_region_code=profile.home_region_code,
                        subsidised=enrolment.subsidised, notes=list(notes),
                        outcome=enrolment.outcome,
                        certificate_gained=enrolment.certificate_gained,
                        training_record_id=enrolment.training_record_id, enrolled_at=enrolment.enrolled_at,
                        outcome_at=enrolment.outcome_at)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CourseOut)
async def create_course(body: CourseIn, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> CourseOut:
    """Hold a course at a place of your region (403 outside it); 422 for an unknown occupation or place."""
    course = await service.create(session=session, fields=body.model_dump(), by=by, clock=clock)
    return _course(course, clock)


@router.get("", response_model=CoursePage)
async def list_courses(
    session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
    occupation: Annotated[str | None, Query(pattern=OCCUPATION, description="a group's code finds its occupations")]
    = None,
    region: Annotated[str | None, Query(pattern=REGION, description="held at a place under this adcode prefix")]
    = None,
    open_: Annotated[bool, Query(alias="open", description="only courses not yet begun with a seat left")] = False,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CoursePage:
    """Courses of your region, the soonest first."""
    filters = service.CourseFilter(occupation=occupation, region=region, open_only=open_)
    rows, total = await service.search(session=session, filters=filters, by=by, page=page, page_size=page_size,
                                       clock=clock)
    return CoursePage(items=[_course(c, clock) for c in rows], total=total, page=page, page_size=page_size)


@router.get("/for-certificate", response_model=list[CourseOut])
async def courses_for_certificate(
    session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
    certificate: Annotated[str, Query(min_length=1, max_length=80, description="e.g. 育婴员证; brackets and "
                                                                               "spaces do not matter")],
    region: Annotated[str | None, Query(pattern=REGION, description="the worker's home: courses of its county")]
    = None,
) -> list[CourseOut]:
    """Open courses whose completers gain the certificate: what to offer a worker a missing certificate holds back."""
    rows = await service.for_certificate(session=session, certificate=certificate, region=region, by=by, clock=clock)
    return [_course(c, clock) for c in rows]


@router.get("/{course_id}", response_model=CourseOut)
async def read_course(course_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin) -> CourseOut:
    return _course(await service.get(session=session, course_id=course_id, by=by), clock)


@router.post("/{course_id}/enrolments", status_code=status.HTTP_201_CREATED, response_model=EnrolmentOut)
async def enrol_worker(course_id: str, body: EnrolmentIn, session: SessionDep, clock: ClockDep,
                       by: StaffOrAdmin) -> EnrolmentOut:
    """Give a worker of your area a seat: 409 with the reasons when the course has begun, is full, or the worker
    is outside the subsidy's age; `notes` say when the seat is not subsidised training (under 56 class hours)."""
    enrolment, course, profile = await service.enrol(session=session, course_id=course_id, worker_id=body.worker_id,
                                                     by=by, clock=clock)
    return _enrolment(enrolment, course, profile)


@router.get("/{course_id}/enrolments", response_model=list[EnrolmentOut])
async def list_enrolments(course_id: str, session: SessionDep, by: StaffOrAdmin) -> list[EnrolmentOut]:
    course, rows = await service.enrolled(session=session, course_id=course_id, by=by)
    return [_enrolment(enrolment, course, profile) for enrolment, profile in rows]


@router.get("/{course_id}/candidates", response_model=CandidatePage)
async def list_candidates(course_id: str, session: SessionDep, clock: ClockDep, by: StaffOrAdmin,
                          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> CandidatePage:
    """Workers of the course's county who want training and have no seat on it, with whether they may take one."""
    course, rows, total = await service.candidates(session=session, course_id=course_id, by=by, limit=limit)
    today, terms = local_today(clock), service.terms(course)
    items = []
    for profile in rows:
        assessment = rules.assess(terms, service.trainee(profile), today=today)
        items.append(Candidate(worker_id=profile.id, name=profile.name, gender=profile.gender,
                               age=age_on(profile.birth_date, course.start_on),
                               home_region_code=profile.home_region_code, eligible=assessment.allowed,
                               reasons=list(assessment.refusals)))
    return CandidatePage(items=items, total=total)


@router.put("/{course_id}/enrolments/{enrolment_id}/outcome", response_model=EnrolmentOut)
async def record_outcome(course_id: str, enrolment_id: str, body: OutcomeIn, session: SessionDep, clock: ClockDep,
                         by: StaffOrAdmin) -> EnrolmentOut:
    """Completed (once the course has ended; the certificate gained joins the worker's certificates) or dropped;
    the same outcome again changes nothing, another one is refused (409)."""
    enrolment, course, profile = await service.record_outcome(
        session=session, course_id=course_id, enrolment_id=enrolment_id, outcome=body.outcome,
        certificate_gained=body.certificate_gained, by=by, clock=clock)
    return _enrolment(enrolment, course, profile)
