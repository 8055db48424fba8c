"""Dependencies of the console's pages, as Annotated aliases: the unit of work, the signed-in user, CSRF, the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.console.api import Api
from services.console.auth import service as sessions
from services.console.auth.service import SignedIn
from services.console.errors import FORBIDDEN, PageError, SignInNeeded
from services.console.settings import ConsoleSettings
from shared.clock import Clock
from shared.deps import clock_of, session_of, settings_of

SessionDep = Annotated[AsyncSession, Depends(session_of("console"), scope="function")]
ClockDep = Annotated[Clock, Depends(clock_of("console"))]
SettingsDep = Annotated[ConsoleSettings, Depends(settings_of("console"))]


async def signed_in(request: Request, session: SessionDep, clock: ClockDep) -> SignedIn:
    """The user of the session cookie; to the sign-in page when there is none (or it ended)."""
    found = await sessions.find(session=session, clock=clock, token=request.cookies.get(sessions.COOKIE))
    if found is None:
        raise SignInNeeded("expired" if request.cookies.get(sessions.COOKIE) else "")
    request.state.signed_in = found
    return found


User = Annotated[SignedIn, Depends(signed_in)]


def role(*roles: str):
    """Admit only these roles; anyone else gets a 403 page that says why."""

    async def check(user: User) -> SignedIn:
        if user.account.role not in roles:
            raise PageError(403, FORBIDDEN)
        return user

    return check


Staff = Annotated[SignedIn, Depends(role("station_staff", "admin"))]
Office = Annotated[SignedIn, Depends(role("partner_office", "admin"))]
Admin = Annotated[SignedIn, Depends(role("admin"))]


async def csrf_checked(request: Request, user: User) -> SignedIn:
    """A form post carries the session's CSRF token, or it is refused (403)."""
    form = await request.form()
    if not sessions.same(form.get("csrf"), user.csrf_token):  # type: ignore[arg-type]
        raise PageError(403, "页面已过期或来源不明，请刷新页面后重新提交。")
    return user


Posted = Annotated[SignedIn, Depends(csrf_checked)]


def posted_by(*roles: str):
    """A form post (CSRF checked) by one of these roles."""

    async def check(user: Posted) -> SignedIn:
        if user.account.role not in roles:
            raise PageError(403, FORBIDDEN)
        return user

    return check


StaffPosted = Annotated[SignedIn, Depends(posted_by("station_staff", "admin"))]
OfficePosted = Annotated[SignedIn, Depends(posted_by("partner_office", "admin"))]
AdminPosted = Annotated[SignedIn, Depends(posted_by("admin"))]


async def api_for(request: Request, user: User, settings: SettingsDep) -> AsyncIterator[Api]:
    """The four APIs, called with the user's role and scope."""
    account = user.account
    api = Api(app=request.app, settings=settings, sub=f"console:{account.username}", role=account.role,
              region=account.region, office_id=account.office_id)
    try:
        yield api
    finally:
        await api.close()


ApiDep = Annotated[Api, Depends(api_for)]
