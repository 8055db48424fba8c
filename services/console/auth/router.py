"""Sign-in, sign-out, one's own password, and the large-type switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.accounts import service as accounts
from services.console.audit import service as audit
from services.console.auth import service as sessions
from services.console.deps import ClockDep, Posted, SessionDep, SettingsDep, User
from services.console.errors import FormInvalid, PageError
from services.console.pages.render import render

router = APIRouter(tags=["console"], include_in_schema=False)


def _local(target: str | None) -> str:
    """Only a path of the console itself is followed after sign-in (no open redirect)."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return "/console/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _signin_page(request: Request, *, error: str = "", username: str = "", next_: str = "/console/",
                 status: int = 200) -> HTMLResponse:
    token = sessions.new_token()
    response = render(request, "sign_in.html", status=status, error=error, username=username, next=next_,
                      signin_csrf=token, reason=request.query_params.get("reason", ""))
    response.set_cookie(sessions.SIGNIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/console/")
    return response


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=303)


@router.get("/console/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, next: str = "/console/") -> HTMLResponse:  # noqa: A002 - the query name
    return _signin_page(request, next_=_local(next))


@router.post("/console/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                  username: Annotated[str, Form(max_length=40)] = "",
                  password: Annotated[str, Form(max_length=200)] = "",
                  csrf: Annotated[str, Form(max_length=100)] = "",
                  next: Annotated[str, Form()] = "/console/",  # noqa: A002 - the form's field name
                  ) -> Response:
    if not sessions.same(csrf, request.cookies.get(sessions.SIGNIN_CSRF_COOKIE)):
        return _signin_page(request, error="页面已过期，请重新输入。", username=username, next_=_local(next),
                            status=403)
    try:
        account = await accounts.sign_in(session=session, clock=clock, settings=settings, username=username,
                                         password=password)
    except accounts.SignInRefused as refused:
        return _signin_page(request, error=refused.message, username=username, next_=_local(next), status=401)
    token = await sessions.start(session=session, clock=clock, account=account, hours=settings.session_hours)
    await sessions.sweep(session=session, clock=clock)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict", secure=settings.cookie_secure,
                        path="/", max_age=int(settings.session_hours * 3600))
    response.delete_cookie(sessions.SIGNIN_CSRF_COOKIE, path="/console/")
    return response


@router.post("/console/sign-out")
async def sign_out(user: Posted, session: SessionDep, clock: ClockDep) -> RedirectResponse:
    await sessions.end(session=session, token_hash=user.token_hash)
    await audit.record(session=session, clock=clock, actor=user.account.username, action="signout")
    response = RedirectResponse("/console/sign-in?reason=signed-out", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/console/password", response_class=HTMLResponse)
async def password_form(request: Request, user: User) -> HTMLResponse:
    return render(request, "password.html", errors={}, done=request.query_params.get("done") == "1")


@router.post("/console/password", response_class=HTMLResponse)
async def change_password(request: Request, user: Posted, session: SessionDep, clock: ClockDep,
                          current: Annotated[str, Form(max_length=200)] = "",
                          new: Annotated[str, Form(max_length=200)] = "",
                          repeat: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        account = await accounts.get(session=session, account_id=user.account.id)
        await accounts.change_password(session=session, clock=clock, account=account, current=current, new=new,
                                       repeat=repeat)
    except FormInvalid as invalid:
        return render(request, "password.html", status=422, errors=invalid.errors, done=False)
    await sessions.end_all(session=session, account_id=user.account.id, keep=user.token_hash)
    return RedirectResponse("/console/password?done=1", status_code=303)


@router.get("/console/text-size")
async def text_size(large: int = 0, back: str = "/console/") -> RedirectResponse:
    """The large-type switch: a cookie the pages read, so it works without JavaScript."""
    response = RedirectResponse(_local(back), status_code=303)
    if large not in (0, 1):
        raise PageError(400, "无效的设置。")
    response.set_cookie("jb_large", str(large), samesite="strict", path="/", max_age=365 * 24 * 3600)
    return response
