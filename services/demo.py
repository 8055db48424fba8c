"""Demonstration data for `make run`: loaded once into an empty data folder, then a token per role is printed."""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI

from shared.auth import mint_token
from shared.settings import CommonSettings

log = logging.getLogger("jobbridge.demo")


def load_on_start(app: FastAPI, settings: CommonSettings, *, port: int) -> None:
    """Load the data set after the services have migrated, then print how to call the API."""
    runtime = app.state.runtime

    async def load() -> None:
        from services.jobs import demo as jobs_demo

        jobs = app.state.units["jobs"]
        async with jobs.database.transaction() as session:
            ids = await jobs_demo.load(session=session, clock=jobs.clock)
        if ids is None:
            async with jobs.database.transaction() as session:
                ids = {"employer_id": (await _first_employer(session)), "office_id": jobs_demo.DEMO_OFFICE}
        _print_tokens(settings, ids, port)

    runtime.after_start.append(load)


async def _first_employer(session) -> str:
    from services.jobs.demo import LEAGUE_EMPLOYERS
    from services.jobs.employers.service import find_by_name

    employer = await find_by_name(session=session, name=LEAGUE_EMPLOYERS[0])
    return employer.id if employer else ""


def _print_tokens(settings: CommonSettings, ids: dict[str, str], port: int) -> None:
    key = settings.signing_key
    tokens = {
        "admin": mint_token(key=key, role="admin", sub="demo-admin"),
        "employer": mint_token(key=key, role="employer", sub="demo-employer", employer_id=ids["employer_id"]),
        "station_staff (152222 科右中旗)": mint_token(key=key, role="station_staff", sub="demo-staff",
                                                    region="152222"),
        f"partner_office ({ids['office_id']})": mint_token(key=key, role="partner_office", sub="demo-office",
                                                          office_id=ids["office_id"]),
    }
    lines = [f"\nJobBridge is serving on http://127.0.0.1:{port}  (API docs: /docs)", "Tokens (Authorization: Bearer …):"]
    lines += [f"  {role}:\n    {token}" for role, token in tokens.items()]
    print("\n".join(lines) + "\n", file=sys.stdout, flush=True)
