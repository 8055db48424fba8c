"""Dependencies of the matching routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.ranker_cache import RankerCache
from services.matching.settings import MatchingSettings
from shared.auth import Principal, Role, current_principal, require
from shared.clock import Clock
from shared.deps import clock_of, session_of, settings_of

SessionDep = Annotated[AsyncSession, Depends(session_of("matching"), scope="function")]
ClockDep = Annotated[Clock, Depends(clock_of("matching"))]
SettingsDep = Annotated[MatchingSettings, Depends(settings_of("matching"))]


async def _cache(request: Request) -> RankerCache:
    return request.app.state.units["matching"].state["rankers"]


CacheDep = Annotated[RankerCache, Depends(_cache)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
StaffOrAdmin = Annotated[Principal, Depends(require(Role.station_staff, Role.admin))]
CandidateViewer = Annotated[Principal, Depends(require(Role.employer, Role.partner_office, Role.admin))]
OfficeOrAdmin = Annotated[Principal, Depends(require(Role.partner_office, Role.admin))]
AdminOnly = Annotated[Principal, Depends(require(Role.admin))]
