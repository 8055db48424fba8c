"""Demonstration data for `make run` and `jobbridge demo`, loaded once into empty databases: the jobs service's
employers and postings first, then the labourers (the placed ones in those postings), then the programmes (training
courses, workshops, job fairs), then the console's accounts; a token per role is printed at every start."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from jobbridge.demo import (
    console as console_demo,
    jobs as jobs_demo,
    programmes as programmes_demo,
    workers as workers_demo,
)
from services.jobs.employers.service import find_by_name
from services.jobs.openings import service as jobs_openings
from services.workers.placements.openings import Opening as HeldOpening, refusal
from services.workers.profiles import service as profiles
from services.workers.settings import WorkersSettings
from shared.auth import Principal, Role, mint_token
from shared.reference.regions import get_region
from shared.runtime import ServiceUnit
from shared.settings import CommonSettings

log = logging.getLogger("jobbridge.demo")
DEFAULT_STAFF_REGION = "152222"  # 科尔沁右翼中旗
DEMO_TOKEN_TTL = timedelta(hours=8)
LOADER = Principal(sub="demo-loader", role=Role.admin)  # enters the data set as an administrator would


def load_on_start(app: FastAPI, settings: CommonSettings, *, port: int) -> None:
    """Load the data set after the services have migrated, then print how to call the API."""

    async def load_and_tell() -> None:
        ids = await load(app.state.units)
        _print_tokens(settings, ids, port)
        await _console_accounts(app.state.units, ids, port)

    app.state.runtime.after_start.append(load_and_tell)


async def load(units: Mapping[str, ServiceUnit]) -> dict[str, str]:
    """Load the data set into the jobs and workers databases (once: a second call adds nothing); return the ids
    worth a token. Events go to each service's outbox, so the relays tell matching and notify as usual."""
    jobs = units["jobs"]
    async with jobs.database.transaction() as session:
        ids = await jobs_demo.load(session=session, clock=jobs.clock)
    if ids is None:
        async with jobs.database.transaction() as session:
            ids = {"employer_id": (await _first_employer(session)), "office_id": jobs_demo.DEMO_OFFICE}
    async with jobs.database.transaction() as session:
        openings = await jobs_demo.openings(session=session, clock=jobs.clock)
    ids["staff_region"] = await _load_workers(units, openings)
    await _load_programmes(units, ids["staff_region"])
    return ids


async def load_and_print(units: Mapping[str, ServiceUnit], settings: CommonSettings, *, port: int) -> None:
    """`jobbridge demo`: the data set into databases that processes elsewhere serve (the distributed topology)."""
    ids = await load(units)
    _print_tokens(settings, ids, port)
    await _console_accounts(units, ids, port)


async def _console_accounts(units: Mapping[str, ServiceUnit], ids: dict[str, str], port: int) -> None:
    """One console account per role (made once), printed with its password."""
    console = units.get("console")
    if console is None:
        return
    made = await console_demo.ensure(console, staff_region=ids.get("staff_region") or DEFAULT_STAFF_REGION,
                                     office_id=ids["office_id"])
    lines = [f"Console (就业服务工作台): http://127.0.0.1:{port}/  accounts (password {console_demo.PASSWORD}):"]
    lines += [f"  {a['username']:8} {a['role']}" + (f" {a['region']} {_region_name(a['region'])}" if a.get("region")
                                                     else f" {a['office_id']}" if a.get("office_id") else "")
              for a in made]
    print("\n".join(lines) + "\n", file=sys.stdout, flush=True)


async def _load_workers(units: Mapping[str, ServiceUnit], openings: list[jobs_demo.Opening]) -> str:
    """Load the labourers, those placed in the jobs service's `openings`; return the county whose station staff get
    a token (the one with the most of them)."""
    workers = units.get("workers")
    if workers is None:
        return DEFAULT_STAFF_REGION
    if not isinstance(workers.settings, WorkersSettings):  # its personal-data keys seal what is registered
        raise TypeError(f"the workers unit runs with {type(workers.settings).__name__}, not WorkersSettings")
    async with workers.database.transaction() as session:
        registered = await workers_demo.load(session=session, settings=workers.settings, clock=workers.clock,
                                             by=LOADER, openings=openings, holder=OpeningsInProcess(units["jobs"]))
    if registered:
        log.info("demonstration labourers registered", extra={"count": registered})
    async with workers.database.transaction() as session:
        return await workers_demo.busiest_county(session=session) or DEFAULT_STAFF_REGION


async def _load_programmes(units: Mapping[str, ServiceUnit], county: str) -> None:
    """Courses and workshops (workers), then job fairs (jobs) with the labourers who came or are invited: each
    service's part in one transaction, each loaded once."""
    workers = units.get("workers")
    if workers is None:
        return
    async with workers.database.transaction() as session:
        loaded = await programmes_demo.load_training(session=session, clock=workers.clock, by=LOADER, county=county)
    if loaded:
        log.info("demonstration courses and workshops entered", extra={"courses": loaded.courses,
                                                                       "workshops": loaded.workshops})
    async with workers.database.sessions() as session:
        goers = {place: await programmes_demo.fair_goers(session=session, county=place,
                                                         k=programmes_demo.FAIR_GOERS)
                 for place in (county, programmes_demo.other_county(county))}
    jobs = units["jobs"]
    async with jobs.database.transaction() as session:
        fairs = await programmes_demo.load_fairs(session=session, clock=jobs.clock, by=LOADER, county=county,
                                                 goers=goers, labourers=LabourersInProcess(workers))
    if fairs:
        log.info("demonstration job fairs entered", extra={"count": fairs})


class LabourersInProcess:
    """Who lives where, read straight from workers' database (the loader has every service's database at hand)."""

    def __init__(self, workers: ServiceUnit) -> None:
        self.workers = workers

    async def inside(self, worker_ids: Sequence[str], region: str) -> set[str]:
        async with self.workers.database.sessions() as session:
            return set(await profiles.ids_within(session=session, worker_ids=list(worker_ids), region=region))


class OpeningsInProcess:
    """Openings held straight in jobs' database: the loader runs where every service's database is at hand."""

    def __init__(self, jobs: ServiceUnit) -> None:
        self.jobs = jobs

    async def take(self, *, posting_id: str, placement_id: str, worker_id: str, start_date: date,
                   monthly_wage: int) -> HeldOpening:
        async with self.jobs.database.transaction() as session:
            taken = await jobs_openings.take(session=session, posting_id=posting_id, placement_id=placement_id,
                                             worker_id=worker_id, start_date=start_date, monthly_wage=monthly_wage,
                                             clock=self.jobs.clock)
            posting = taken.posting
            if taken.outcome is not jobs_openings.Outcome.held or posting is None:
                raise refusal(taken.outcome.value, posting_id=posting_id, minimum_wage=taken.minimum_wage,
                              region_code=posting.region_code if posting else None)
            return HeldOpening(posting_id=posting_id, region_code=posting.region_code, title=posting.title,
                               employer_id=posting.employer_id, employer_name=posting.employer.name)

    async def give_back(self, *, posting_id: str, placement_id: str) -> None:
        async with self.jobs.database.transaction() as session:
            await jobs_openings.give_back(session=session, posting_id=posting_id, placement_id=placement_id,
                                          clock=self.jobs.clock)


async def _first_employer(session: AsyncSession) -> str:
    employer = await find_by_name(session=session, name=jobs_demo.LEAGUE_EMPLOYERS[0])
    return employer.id if employer else ""


def _print_tokens(settings: CommonSettings, ids: dict[str, str], port: int) -> None:
    # Printed tokens end up in terminals and logs: they last a working day; `jobbridge token` mints longer ones.
    key, ttl = settings.signing_key, DEMO_TOKEN_TTL
    region = ids.get("staff_region") or DEFAULT_STAFF_REGION
    tokens = {
        "admin": mint_token(key=key, role="admin", sub="demo-admin", ttl=ttl),
        "employer": mint_token(key=key, role="employer", sub="demo-employer", employer_id=ids["employer_id"],
                               ttl=ttl),
        f"station_staff ({region} {_region_name(region)})": mint_token(key=key, role="station_staff",
                                                                      sub="demo-staff", region=region, ttl=ttl),
        f"partner_office ({ids['office_id']})": mint_token(key=key, role="partner_office", sub="demo-office",
                                                          office_id=ids["office_id"], ttl=ttl),
    }
    lines = [f"\nJobBridge is serving on http://127.0.0.1:{port}  (API docs: /docs)",
             f"Tokens for the next {DEMO_TOKEN_TTL.seconds // 3600} hours (Authorization: Bearer …; more with "
             "`.venv/bin/jobbridge token --role ...`):"]
    lines += [f"  {role}:\n    {token}" for role, token in tokens.items()]
    print("\n".join(lines) + "\n", file=sys.stdout, flush=True)


def _region_name(code: str) -> str:
    region = get_region(code)
    return region.short_name if region else code
