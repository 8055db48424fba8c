"""Administration: accounts (create, change, deactivate), API tokens for employers, the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console import labels
from services.console.accounts import service as accounts
from services.console.audit import service as audit
from services.console.auth import service as sessions
from services.console.deps import (
    Admin,
    AdminPosted,
    ApiDep,
    ClockDep,
    SessionDep,
    SettingsDep,
)
from services.console.errors import FormInvalid
from services.console.pages.render import render
from shared.auth import mint_token

router = APIRouter(prefix="/console/admin", include_in_schema=False)


def _fields(form) -> dict[str, str]:
    names = ("username", "display_name", "role", "region", "office_id", "phone")
    return {name: (form.get(name) or "").strip() for name in names}


def _account_page(request: Request, *, fields: dict, errors: dict, account=None, status: int = 200,
                  reset_error: str = "") -> HTMLResponse:
    return render(request, "admin/account.html", status=status, fields=fields, errors=errors, account=account,
                  places=labels.townships_by_county(None), reset_error=reset_error)


@router.get("/accounts", response_class=HTMLResponse)
async def list_accounts(request: Request, user: Admin, session: SessionDep) -> HTMLResponse:
    return render(request, "admin/accounts.html", accounts=await accounts.all_accounts(session=session),
                  done=request.query_params.get("done", ""))


@router.get("/accounts/new", response_class=HTMLResponse)
async def new_account_form(request: Request, user: Admin) -> HTMLResponse:
    return _account_page(request, fields={"role": "station_staff"}, errors={})


@router.post("/accounts/new", response_class=HTMLResponse)
async def create_account(request: Request, user: AdminPosted, session: SessionDep, clock: ClockDep) -> Response:
    form = await request.form()
    fields = _fields(form)
    try:
        await accounts.create(session=session, clock=clock, by=user.account.username,
                              password=str(form.get("password") or ""), **fields)
    except FormInvalid as invalid:
        return _account_page(request, fields=fields, errors=invalid.errors, status=422)
    return RedirectResponse("/console/admin/accounts?done=created", status_code=303)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
async def account_form(request: Request, account_id: str, user: Admin, session: SessionDep) -> HTMLResponse:
    account = await accounts.get(session=session, account_id=account_id)
    fields = {name: getattr(account, name) or "" for name in ("username", "display_name", "role", "region",
                                                             "office_id", "phone")}
    return _account_page(request, fields=fields, errors={}, account=account)


@router.post("/accounts/{account_id}", response_class=HTMLResponse)
async def change_account(request: Request, account_id: str, user: AdminPosted, session: SessionDep,
                         clock: ClockDep) -> Response:
    account = await accounts.get(session=session, account_id=account_id)
    fields = _fields(await request.form())
    try:
        await accounts.change(session=session, clock=clock, by=user.account.username, account=account,
                              display_name=fields["display_name"], role=fields["role"], region=fields["region"],
                              office_id=fields["office_id"], phone=fields["phone"])
    except FormInvalid as invalid:
        fields["username"] = account.username
        return _account_page(request, fields=fields, errors=invalid.errors, account=account, status=422)
    # A new role or scope takes effect at once: the account signs in again.
    await sessions.end_all(session=session, account_id=account.id)
    return RedirectResponse("/console/admin/accounts?done=changed", status_code=303)


@router.post("/accounts/{account_id}/active", response_class=HTMLResponse)
async def set_active(request: Request, account_id: str, user: AdminPosted, session: SessionDep, clock: ClockDep,
                     active: Annotated[int, Form(ge=0, le=1)] = 0) -> Response:
    account = await accounts.get(session=session, account_id=account_id)
    try:
        await accounts.set_active(session=session, clock=clock, by=user.account.username, account=account,
                                  active=bool(active))
    except FormInvalid as invalid:
        return render(request, "admin/accounts.html", status=422, accounts=await accounts.all_accounts(session=session),
                      done="", error=invalid.errors.get("", ""))
    if not active:
        await sessions.end_all(session=session, account_id=account.id)
    return RedirectResponse(f"/console/admin/accounts?done={'activated' if active else 'deactivated'}",
                            status_code=303)


@router.post("/accounts/{account_id}/password", response_class=HTMLResponse)
async def reset_password(request: Request, account_id: str, user: AdminPosted, session: SessionDep, clock: ClockDep,
                         password: Annotated[str, Form(max_length=200)] = "") -> Response:
    account = await accounts.get(session=session, account_id=account_id)
    try:
        await accounts.reset_password(session=session, clock=clock, by=user.account.username, account=account,
                                      password=password)
    except FormInvalid as invalid:
        fields = {name: getattr(account, name) or "" for name in ("username", "display_name", "role", "region",
                                                                 "office_id", "phone")}
        return _account_page(request, fields=fields, errors={}, account=account, status=422,
                             reset_error=invalid.errors["password"])
    await sessions.end_all(session=session, account_id=account.id)
    return RedirectResponse("/console/admin/accounts?done=reset", status_code=303)


@router.get("/tokens", response_class=HTMLResponse)
async def token_form(request: Request, user: Admin, api: ApiDep) -> HTMLResponse:
    return render(request, "admin/tokens.html", employers=await api.get("/jobs/employers"), token="", chosen=None)


@router.post("/tokens", response_class=HTMLResponse)
async def issue_token(request: Request, user: AdminPosted, api: ApiDep, session: SessionDep, clock: ClockDep,
                      settings: SettingsDep, employer_id: Annotated[str, Form(max_length=36)] = "") -> HTMLResponse:
    """An API token for an employer's own system, shown once; the log keeps who issued it, for whom, until when."""
    employer = await api.get(f"/jobs/employers/{employer_id}")
    ttl = timedelta(days=settings.employer_token_days)
    token = mint_token(key=settings.signing_key, role="employer", sub=f"employer:{employer['id']}",
                       employer_id=employer["id"], ttl=ttl)
    await audit.record(session=session, clock=clock, actor=user.account.username, action="token.issued",
                       target=employer["name"][:80], employer_id=employer["id"], days=settings.employer_token_days)
    return render(request, "admin/tokens.html", employers=await api.get("/jobs/employers"), token=token,
                  chosen=employer, until=clock.now() + ttl)


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(request: Request, user: Admin, session: SessionDep,
                    page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
    rows, total = await audit.recent(session=session, page=page, page_size=50)
    return render(request, "admin/audit.html", rows=rows, total=total, page=page, pages=max(1, -(-total // 50)))
