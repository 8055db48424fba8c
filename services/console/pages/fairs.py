"""Job fairs (招聘会): the county's fairs this year against the two a year, entering a fair, its postings, inviting
labourers, and who came with what came of it."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api import ApiError
from services.console.deps import ApiDep, ClockDep, Staff, StaffPosted
from services.console.pages.render import render
from shared.clock import Clock, local_today

router = APIRouter(prefix="/console/fairs", include_in_schema=False)
FairId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
OUTCOMES = [("", "无"), ("intention", "达成意向"), ("hired", "当场录用")]
_ID = re.compile(r"[0-9a-fA-F-]{36}")
BAD_ID = "劳动力编号格式不对，请从劳动力页面复制编号"


def _message(error: ApiError) -> str:
    return next(iter(error.fields.values()), "") or error.message


async def _list(request: Request, api, clock: Clock, *, status: int = 200, error: str = "",
                form: dict | None = None) -> HTMLResponse:
    fairs = await api.get("/jobs/fairs", limit=100)
    ledger = await api.get("/jobs/fairs/yearly", year=local_today(clock).year)
    return render(request, "fairs/list.html", status=status, fairs=fairs, ledger=ledger, error=error,
                  form=form or {})


@router.get("", response_class=HTMLResponse)
async def fairs(request: Request, user: Staff, api: ApiDep, clock: ClockDep) -> HTMLResponse:
    return await _list(request, api, clock)


@router.post("", response_class=HTMLResponse)
async def create(request: Request, user: StaffPosted, api: ApiDep, clock: ClockDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf"}
    body = {key: form.get(key, "") for key in ("title", "held_on", "start_time", "region_code", "venue")}
    try:
        made = await api.post("/jobs/fairs", body)
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _list(request, api, clock, status=error.status, error=_message(error), form=form)
    return RedirectResponse(f"/console/fairs/{made['id']}", status_code=303)


async def _detail(request: Request, api, clock: Clock, fair_id: str, *, status: int = 200,
                  error: str = "") -> HTMLResponse:
    fair = await api.get(f"/jobs/fairs/{fair_id}")
    there = {p["posting_id"] for p in fair["posting_list"]}
    postings = [p for p in (await api.get("/jobs/postings", status="open", page_size=100))["items"]
                if p["id"] not in there]
    # Seeking labourers of the fair's county to pick from; names come masked, as in every list.
    seeking = (await api.get("/workers/profiles", status="seeking", region=fair["county_code"], page_size=100))["items"]
    known = {a["worker_id"] for a in fair["attendees"]}
    ids = sorted(known)
    names = {w["id"]: w["name"] for w in seeking}
    if ids:
        listed = await api.get("/workers/profiles", ids=",".join(ids[:200]), page_size=min(len(ids), 200))
        names |= {w["id"]: w["name"] for w in listed["items"]}
    return render(request, "fairs/detail.html", status=status, fair=fair, postings=postings,
                  seeking=[w for w in seeking if w["id"] not in known], names=names, outcomes=OUTCOMES, error=error,
                  today=local_today(clock).isoformat())


@router.get("/{fair_id}", response_class=HTMLResponse)
async def fair(request: Request, fair_id: FairId, user: Staff, api: ApiDep, clock: ClockDep) -> HTMLResponse:
    return await _detail(request, api, clock, fair_id)


async def _act(request: Request, api, clock: Clock, fair_id: str, call) -> Response:
    try:
        await call()
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _detail(request, api, clock, fair_id, status=error.status, error=_message(error))
    return RedirectResponse(f"/console/fairs/{fair_id}", status_code=303)


@router.post("/{fair_id}/postings", response_class=HTMLResponse)
async def add_postings(request: Request, fair_id: FairId, user: StaffPosted, api: ApiDep,
                       clock: ClockDep) -> Response:
    chosen = [str(v) for v in (await request.form()).getlist("posting_id") if v]
    if not chosen:
        return await _detail(request, api, clock, fair_id, status=422, error="请先选择岗位")
    return await _act(request, api, clock, fair_id, lambda: api.post(f"/jobs/fairs/{fair_id}/postings",
                                                              {"posting_ids": chosen}))


@router.post("/{fair_id}/invitations", response_class=HTMLResponse)
async def invite(request: Request, fair_id: FairId, user: StaffPosted, api: ApiDep, clock: ClockDep) -> Response:
    form = await request.form()
    typed = str(form.get("worker_ids", ""))
    chosen = [str(v) for v in form.getlist("worker_id") if v] + _ID.findall(typed)
    leftover = _ID.sub("", typed).strip(" ,，;；\r\n\t")
    if leftover:
        return await _detail(request, api, clock, fair_id, status=422, error=BAD_ID)
    if not chosen:
        return await _detail(request, api, clock, fair_id, status=422, error="请先选择要邀请的劳动力")
    return await _act(request, api, clock, fair_id, lambda: api.post(f"/jobs/fairs/{fair_id}/invitations",
                                                              {"worker_ids": list(dict.fromkeys(chosen))}))


@router.post("/{fair_id}/attendance", response_class=HTMLResponse)
async def attendance(request: Request, fair_id: FairId, user: StaffPosted, api: ApiDep, clock: ClockDep) -> Response:
    form = await request.form()
    worker_id = str(form.get("walk_in_id", "")).strip() or str(form.get("worker_id", "")).strip()
    if not _ID.fullmatch(worker_id):
        return await _detail(request, api, clock, fair_id, status=422, error=BAD_ID)
    outcome = str(form.get("outcome", ""))
    body: dict = {"attended": form.get("attended", "1") == "1"}
    if outcome:
        body |= {"outcome": outcome, "posting_id": str(form.get("posting_id", ""))}
    path = f"/jobs/fairs/{fair_id}/attendees/{worker_id}"
    return await _act(request, api, clock, fair_id, lambda: api.put(path, body))
