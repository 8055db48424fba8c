"""Deterministic demonstration data for the plan's programmes, loaded once after the labourers: training courses and
employment workshops (workers service), job fairs (jobs service). They are held in the demo staff's county and in
one other county, and go through each service's own functions, as staff would enter them; dates follow today."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobbridge.demo.jobs import BEIJING_EMPLOYERS, LEAGUE_EMPLOYERS
from services.jobs.employers.models import Employer
from services.jobs.fairs import service as fairs
from services.jobs.fairs.labourers import Labourers
from services.jobs.fairs.models import JobFair
from services.jobs.fairs.rules import Outcome
from services.jobs.postings.models import Posting, PostingStatus
from services.workers.courses import rules as course_rules, service as courses
from services.workers.courses.models import Course
from services.workers.placements.models import Placement
from services.workers.profiles.models import WorkerProfile
from services.workers.workshops import service as workshops
from services.workers.workshops.models import WorkshopLabourer
from services.workers.workshops.rules import Kind
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.reference.regions import get_region, townships
from shared.reference.wages import minimum_wage

SEED = 56  # the plan's 56 class hours of subsidised training
# The other county with programmes of its own: the first of these that is not the staff's.
OTHER_COUNTIES = ("152221", "152223", "152224")


@dataclass(frozen=True)
class CourseSpec:
    title: str
    occupation_code: str
    provider: str
    hours: int
    certificate: str | None
    gender: str | None  # whom the demo seats on it: the trade's usual trainees (None: anyone)
    in_staff_county: bool


# Coming courses: their certificates are those the demo postings ask for (育婴员证, 焊工证, 保安员证), so a worker's
# missing-certificate shortfall finds one of them on the offers page.
COMING = (
    CourseSpec("育婴员（月嫂）培训班", "4-10-01", "兴安盟家政服务职业培训学校", 64, "育婴员证", "female", True),
    CourseSpec("电焊工培训班", "6-18-02-04", "兴安职业技术学院", 56, "焊工证", "male", True),
    CourseSpec("肉牛养殖实用技术培训", "5-03-02-01", "旗农牧技术推广中心", 40, None, None, False),
    CourseSpec("保安员培训班", "4-07-05-01", "兴安盟保安培训学校", 56, "保安员证", "male", False),
)
# Held before today through the same service: created and enrolled on earlier days, outcomes recorded today.
ENDED = CourseSpec("养老护理员培训班", "4-10-01-05", "兴安盟家政服务职业培训学校", 64, "养老护理员证", "female", True)
ENDED_CREATED_DAYS_AGO, ENDED_ENROLLED_DAYS_AGO, ENDED_STARTED_DAYS_AGO = 60, 55, 50
ENDED_SEATS_TAKEN = 6  # of them: one dropped out, one completed without the certificate, the rest gained it


@dataclass(frozen=True)
class WorkshopSpec:
    """A workshop and its labourers: those whose contracts meet the subsidy condition, those on a contract shorter
    than six months, those paid below the minimum wage."""

    name: str
    kind: Kind
    counting: int
    short_contracts: int = 0
    below_minimum: int = 0


WORKSHOPS = (
    WorkshopSpec("刺绣扶贫车间", Kind.poverty_workshop, counting=6),  # meets the condition (five needed)
    WorkshopSpec("杂粮加工社区工厂", Kind.community_factory, counting=3, short_contracts=1, below_minimum=1),
)


@dataclass(frozen=True)
class Loaded:
    courses: int
    enrolments: int
    workshops: int
    labourers: int


class Earlier:
    """The loader's clock moved back some days: what staff entered before today is entered as of that day."""

    def __init__(self, clock: Clock, *, days: int) -> None:
        self._clock, self._days = clock, days

    def now(self) -> datetime:
        return self._clock.now() - timedelta(days=self._days)


def other_county(staff_county: str) -> str:
    return next(code for code in OTHER_COUNTIES if code != staff_county)


def county_name(code: str) -> str:
    region = get_region(code)
    return region.short_name if region else code


async def load_training(*, session: AsyncSession, clock: Clock, by: Principal, county: str) -> Loaded | None:
    """The courses (with seats taken, and one ended with its outcomes) and workshops; None when loaded before."""
    first = _course_title(COMING[0], county)
    if await session.scalar(select(Course.id).where(Course.title == first, Course.region_code == county).limit(1)):
        return None
    rng = random.Random(SEED)
    today = local_today(clock)
    other = other_county(county)
    made, seated = 0, 0
    for spec in COMING:
        place = county if spec.in_staff_county else other
        start = today + timedelta(days=rng.randint(7, 28))
        course = await _create_course(session, spec, place, start=start, seats=rng.randint(20, 30), by=by,
                                      clock=clock)
        made += 1
        for worker in await _trainees(session, course, spec, rng=rng, k=rng.randint(3, 6), today=today):
            await courses.enrol(session=session, course_id=course.id, worker_id=worker.id, by=by, clock=clock)
            seated += 1
    seated += await _ended_course(session, county, rng=rng, by=by, clock=clock)
    made += 1
    labourers = 0
    for workshop, township in zip(WORKSHOPS, await _busiest_townships(session, county, len(WORKSHOPS))):
        labourers += await _workshop(session, workshop, township, rng=rng, by=by, clock=clock)
    return Loaded(courses=made, enrolments=seated, workshops=len(WORKSHOPS), labourers=labourers)


def _course_title(spec: CourseSpec, county: str) -> str:
    return f"{county_name(county)}{spec.title}"


async def _create_course(session: AsyncSession, spec: CourseSpec, place: str, *, start: date, seats: int,
                         by: Principal, clock: Clock) -> Course:
    days = -(-spec.hours // 8) + 1  # eight class hours a day, and a rest day
    provider = spec.provider if not spec.provider.startswith("旗") else county_name(place) + spec.provider[1:]
    fields = {"title": _course_title(spec, place), "occupation_code": spec.occupation_code,
              "provider": provider, "region_code": place, "hours": spec.hours, "start_on": start,
              "end_on": start + timedelta(days=days), "seats": seats, "certificate": spec.certificate}
    return await courses.create(session=session, fields=fields, by=by, clock=clock)


async def _trainees(session: AsyncSession, course: Course, spec: CourseSpec, *, rng: random.Random, k: int,
                    today: date) -> list[WorkerProfile]:
    """Labourers of the course's county who want training, of the trade's usual gender, whom the rules admit."""
    query = _of_county(course.region_code[:6]).where(WorkerProfile.wants_training.is_(True))
    if spec.gender:
        query = query.where(WorkerProfile.gender == spec.gender)
    terms = courses.terms(course)
    admitted = [p for p in await _in_order(session, query)
                if course_rules.assess(terms, courses.trainee(p), today=today).allowed]
    return rng.sample(admitted, k=min(k, len(admitted)))


def _of_county(county: str) -> Select[WorkerProfile]:
    return select(WorkerProfile).where(WorkerProfile.home_region_code.startswith(county, autoescape=True))


async def _in_order(session: AsyncSession, query: Select[WorkerProfile]) -> list[WorkerProfile]:
    """The profiles in an order that is the same on every machine and database (ids are random, and SQLite and
    PostgreSQL sort Chinese text differently): sorted here, by code point."""
    return sorted(await session.scalars(query), key=lambda p: (p.home_region_code, p.name, p.birth_date, p.gender,
                                                               p.id))


async def _ended_course(session: AsyncSession, county: str, *, rng: random.Random, by: Principal,
                        clock: Clock) -> int:
    """A course that has ended, entered and enrolled before it began as staff would have (the service's own
    checks, on the loader's clock moved back), and its outcomes recorded today, after it ended: each completion
    writes a training record, so the ledger's "trained" figure moves."""
    today = local_today(clock)
    entered, enrolled = Earlier(clock, days=ENDED_CREATED_DAYS_AGO), Earlier(clock, days=ENDED_ENROLLED_DAYS_AGO)
    course = await _create_course(session, ENDED, county, start=today - timedelta(days=ENDED_STARTED_DAYS_AGO),
                                  seats=rng.randint(20, 30), by=by, clock=entered)
    seated = await _trainees(session, course, ENDED, rng=rng, k=ENDED_SEATS_TAKEN, today=local_today(enrolled))
    seats = [(await courses.enrol(session=session, course_id=course.id, worker_id=worker.id, by=by,
                                  clock=enrolled))[0] for worker in seated]
    for n, seat in enumerate(seats):
        outcome, certified = ("dropped", False) if n == 0 else ("completed", n > 1)
        await courses.record_outcome(session=session, course_id=course.id, enrolment_id=seat.id, outcome=outcome,
                                     certificate_gained=certified, by=by, clock=clock)
    return len(seats)


async def _busiest_townships(session: AsyncSession, county: str, k: int) -> list[str]:
    """The townships of the county where the most labourers not placed anywhere live (the workshops' places)."""
    homes = Counter((await session.scalars(select(WorkerProfile.home_region_code).where(
        WorkerProfile.home_region_code.startswith(county, autoescape=True),
        WorkerProfile.id.not_in(select(Placement.worker_id))))).all())
    known = {t.code for t in townships(county)}
    ranked = sorted((code for code in homes if code in known), key=lambda code: (-homes[code], code))
    return (ranked + [county] * k)[:k]


async def _workshop(session: AsyncSession, spec: WorkshopSpec, township: str, *, rng: random.Random,
                    by: Principal, clock: Clock) -> int:
    """A workshop at the township with labourers of its county not placed elsewhere nor in another workshop."""
    today = local_today(clock)
    place = get_region(township)
    name = f"{place.short_name if place else ''}{spec.name}"
    workshop, _ = await workshops.create(session=session, fields={"name": name, "kind": spec.kind.value,
                                                                  "region_code": township, "employer_id": None},
                                         by=by, clock=clock)
    floor = minimum_wage(township, today)
    floor_cny = floor.monthly_cny if floor else 1980
    taken = set(await session.scalars(select(WorkshopLabourer.worker_id).where(
        WorkshopLabourer.replaced_at.is_(None), WorkshopLabourer.left_on.is_(None))))
    people = [p for p in await _in_order(session, _of_county(township[:6]).where(
        WorkerProfile.id.not_in(select(Placement.worker_id)), WorkerProfile.labor_capacity != "weak"))
        if p.id not in taken]
    nearest = sorted(people, key=lambda p: p.home_region_code != township)  # stable: the township's own first
    wanted = spec.counting + spec.short_contracts + spec.below_minimum
    chosen = rng.sample(nearest[:max(wanted * 3, wanted)], k=min(wanted, len(nearest)))
    for n, worker in enumerate(chosen):
        start = today - timedelta(days=rng.randint(20, 150))
        months, wage = rng.choice((6, 12, 12, 24)), floor_cny + rng.randrange(0, 900, 100)
        if n >= spec.counting:
            if n < spec.counting + spec.short_contracts:
                months = 3  # in force, but shorter than the six months the condition asks
                start = today - timedelta(days=rng.randint(10, 60))
            else:
                wage = floor_cny - rng.randrange(200, 600, 100)  # piece rates that came to less than the floor
        await workshops.keep_labourer(session=session, workshop_id=workshop.id, worker_id=worker.id,
                                      fields={"contract_start": start, "contract_months": months,
                                              "monthly_wage": wage}, by=by, clock=clock)
    return len(chosen)


async def fair_goers(*, session: AsyncSession, county: str, k: int) -> list[str]:
    """Ids of k labourers of the county looking for work (the same ones on every machine): who came to the fairs
    held, and who is invited to the coming one."""
    query = _of_county(county).where(WorkerProfile.transfer_intention != "none",
                                     WorkerProfile.id.not_in(select(Placement.worker_id)))
    people = await _in_order(session, query)
    return [p.id for p in random.Random(SEED).sample(people, k=min(k, len(people)))]


@dataclass(frozen=True)
class FairSpec:
    title: str
    days_from_today: int  # negative: held already (never before 1 January, so it counts in this year)
    postings: int
    attended: int = 0
    outcomes: tuple[Outcome, ...] = ()
    invited: int = 0
    in_staff_county: bool = True


FAIRS = (
    FairSpec("春风行动专场招聘会", -250, postings=8, attended=8, outcomes=(Outcome.hired, Outcome.intention,
                                                                     Outcome.intention)),
    FairSpec("就业扶贫专场招聘会", -40, postings=5, attended=3, outcomes=(Outcome.intention,)),
    FairSpec("京蒙劳务协作专场招聘会", 14, postings=6, invited=6),
    FairSpec("就业扶贫专场招聘会", -100, postings=4, attended=3, in_staff_county=False),
)
FAIR_GOERS = 10  # labourers of each county who come to its fairs or are invited


async def load_fairs(*, session: AsyncSession, clock: Clock, by: Principal, county: str,
                     goers: dict[str, list[str]], labourers: Labourers) -> int | None:
    """The fairs of the staff county (two held this year, so its yearly check is met, and one in two weeks with
    invitations) and of the other county (one held: not met); None when loaded before. `goers` are the labourers
    of each county who come or are invited (fair_goers)."""
    today = local_today(clock)
    if await session.scalar(select(JobFair.id).where(JobFair.title == _fair_title(FAIRS[0], county, today.year),
                                                     JobFair.county_code == county).limit(1)):
        return None
    rng = random.Random(SEED)
    open_postings = await _demo_postings(session, on=today + timedelta(days=max(f.days_from_today for f in FAIRS)))
    other = other_county(county)
    for spec in FAIRS:
        place = county if spec.in_staff_county else other
        held_on = max(today + timedelta(days=spec.days_from_today), date(today.year, 1, 1))
        fields = {"title": _fair_title(spec, place, today.year), "held_on": held_on, "start_time": "09:00",
                  "region_code": place, "venue": f"{county_name(place)}人力资源市场"}
        fair = (await fairs.create(session=session, fields=fields, by=by, clock=clock)).fair
        attached = rng.sample(open_postings, k=min(spec.postings, len(open_postings)))
        await fairs.add_postings(session=session, fair_id=fair.id, posting_ids=attached, by=by, clock=clock)
        people = goers.get(place, [])
        for n, worker_id in enumerate(people[:spec.attended]):  # walk-ins, recorded on the day
            outcome = spec.outcomes[n] if n < len(spec.outcomes) else None
            await fairs.record_attendance(session=session, fair_id=fair.id, worker_id=worker_id, attended=True,
                                          outcome=outcome, posting_id=attached[n % len(attached)] if outcome else None,
                                          by=by, clock=clock)
        if spec.invited and people:
            await fairs.invite(session=session, fair_id=fair.id, worker_ids=people[-spec.invited:], by=by,
                               clock=clock, labourers=labourers)
    return len(FAIRS)


def _fair_title(spec: FairSpec, county: str, year: int) -> str:
    return f"{county_name(county)}{year}年{spec.title}"


async def _demo_postings(session: AsyncSession, *, on: date) -> list[str]:
    """The demonstration postings open through `on`, in an order that is the same on every machine and database."""
    rows = await session.scalars(
        select(Posting).join(Employer, Posting.employer_id == Employer.id)
        .where(Employer.name.in_((*LEAGUE_EMPLOYERS, *BEIJING_EMPLOYERS)), Posting.status == PostingStatus.open,
               Posting.valid_until >= on))
    ordered = sorted(rows, key=lambda p: (p.region_code, p.title, p.wage_min, p.wage_max, p.headcount, p.id))
    return [posting.id for posting in ordered]
