"""Dependencies of the jobs routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.settings import JobsSettings
from shared.auth import Principal, Role, current_principal, require
from shared.clock import Clock
from shared.runtime import ServiceUnit


def _unit(request: Request) -> ServiceUnit:
    return request.app.state.units["jobs"]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with _unit(request).database.transaction() as session:
        yield session


def _clock(request: Request) -> Clock:
    return _unit(request).clock


def _settings(request: Request) -> JobsSettings:
    return _unit(request).settings


# scope="function": the unit of work commits before the response is sent, so a failed commit is never a 201.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[JobsSettings, Depends(_settings)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
EmployerOrAdmin = Annotated[Principal, Depends(require(Role.employer, Role.admin))]
OfficeOrAdmin = Annotated[Principal, Depends(require(Role.partner_office, Role.admin))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
