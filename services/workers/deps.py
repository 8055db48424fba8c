"""Dependencies of the workers routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.placements.openings import Openings
from services.workers.settings import WorkersSettings
from shared.auth import Principal, Role, require
from shared.clock import Clock
from shared.deps import clock_of, session_of, settings_of, single_writes_of, units_of
from shared.driven import SingleWrite
from shared.pii import PiiKeys

# scope="function": the unit of work (with its audit rows) commits before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(session_of("workers"), scope="function")]
# For routes whose writing is one statement (a registration: the profile, its audit row and its event): on
# PostgreSQL that statement is its own transaction, with no BEGIN or COMMIT around it.
# A maker: the route opens it (`async with writes() as write`), and it has written before the answer goes out.
SingleWritesDep = Annotated[Callable[[], AbstractAsyncContextManager[SingleWrite]],
                            Depends(single_writes_of("workers"))]
# For routes that read an upload first: the unit of work is opened only once the file is read.
UnitsDep = Annotated[Callable[[], AbstractAsyncContextManager[AsyncSession]], Depends(units_of("workers"))]
ClockDep = Annotated[Clock, Depends(clock_of("workers"))]
SettingsDep = Annotated[WorkersSettings, Depends(settings_of("workers"))]


async def _keys(request: Request) -> PiiKeys:
    return request.app.state.units["workers"].settings.pii_keys


KeysDep = Annotated[PiiKeys, Depends(_keys)]


async def _openings(request: Request) -> Openings:
    return request.app.state.units["workers"].state["openings"]


OpeningsDep = Annotated[Openings, Depends(_openings)]
StaffOrAdmin = Annotated[Principal, Depends(require(Role.station_staff, Role.admin))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
ServiceCaller = Annotated[Principal, Depends(require(Role.service))]
