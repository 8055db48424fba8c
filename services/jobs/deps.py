"""Dependencies of the jobs routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.jobs.fairs.labourers import Labourers
from services.jobs.postings.pages import Pages
from services.jobs.settings import JobsSettings
from shared.auth import Principal, Role, current_principal, require
from shared.clock import Clock
from shared.deps import clock_of, readings_of, session_of, settings_of, single_writes_of, units_of
from shared.driven import SingleWrite

# scope="function": the unit of work commits before the response is sent, so a failed commit is never a 201.
SessionDep = Annotated[AsyncSession, Depends(session_of("jobs"), scope="function")]
# For routes whose writing is one statement (the record, its event and the relays' wake-up): on PostgreSQL that
# statement is its own transaction, with no BEGIN or COMMIT around it.
# A maker: the route opens it (`async with writes() as write`), and it has written before the answer goes out.
SingleWritesDep = Annotated[Callable[[], AbstractAsyncContextManager[SingleWrite]],
                            Depends(single_writes_of("jobs"))]
# For routes that only read: statements in autocommit, no transaction around them, on a connection the route holds
# for as long as its statements run.
ReadingsDep = Annotated[Callable[[], AbstractAsyncContextManager[AsyncConnection]], Depends(readings_of("jobs"))]
# For routes that read an upload first: the unit of work is opened only once the file is read.
UnitsDep = Annotated[Callable[[], AbstractAsyncContextManager[AsyncSession]], Depends(units_of("jobs"))]
ClockDep = Annotated[Clock, Depends(clock_of("jobs"))]
SettingsDep = Annotated[JobsSettings, Depends(settings_of("jobs"))]
CurrentUser = Annotated[Principal, Depends(current_principal)]
EmployerOrAdmin = Annotated[Principal, Depends(require(Role.employer, Role.admin))]
OfficeOrAdmin = Annotated[Principal, Depends(require(Role.partner_office, Role.admin))]
StaffOrAdmin = Annotated[Principal, Depends(require(Role.station_staff, Role.admin))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
ServiceCaller = Annotated[Principal, Depends(require(Role.service))]


async def _pages(request: Request) -> Pages:
    return request.app.state.units["jobs"].state["pages"]


PagesDep = Annotated[Pages, Depends(_pages)]


async def _labourers(request: Request) -> Labourers:
    return request.app.state.units["jobs"].state["labourers"]


LabourersDep = Annotated[Labourers, Depends(_labourers)]
