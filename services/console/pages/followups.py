"""Follow-up visits (回访): what is due, what was found, problems for the county, and who is still in work."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api import ApiError
from services.console.deps import ApiDep, Staff, StaffPosted
from services.console.pages.render import render

router = APIRouter(prefix="/console/follow-ups", include_in_schema=False)

TABS = [("todo", "待回访"), ("overdue", "已逾期"), ("flagged", "权益问题"), ("done", "已回访")]
OUTCOMES = [("employed", "仍在岗"), ("left", "已离职"), ("wage_unpaid", "工资拖欠"), ("rights_problem", "其他权益问题")]
State = Literal["todo", "overdue", "flagged", "done"]


async def _page(request: Request, api, state: str, *, status: int = 200, error: str = "",
                page: int = 1) -> HTMLResponse:
    found = await api.get("/workers/follow-ups", state=state, page=page, page_size=50)
    retention = await api.get("/workers/follow-ups/retention")
    return render(request, "followups/list.html", status=status, state=state, tabs=TABS, outcomes=OUTCOMES,
                  found=found, retention=retention, error=error, page=page)


@router.get("", response_class=HTMLResponse)
async def visits(request: Request, user: Staff, api: ApiDep, state: State = "todo",
                 page: Annotated[int, Query(ge=1, le=1000)] = 1) -> HTMLResponse:
    return await _page(request, api, state, page=page)


@router.post("/record", response_class=HTMLResponse)
async def record(request: Request, user: StaffPosted, api: ApiDep) -> Response:
    form = await request.form()
    path = (f"/workers/profiles/{form.get('worker_id', '')}/placements/{form.get('placement_id', '')}"
            f"/follow-ups/{form.get('months_after', '')}")
    body = {"outcome": form.get("outcome", ""), "note": form.get("note", "")}
    if form.get("outcome") == "left" and form.get("left_on"):
        body["left_on"] = form.get("left_on", "")
    try:
        await api.post(path, body)
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        message = next(iter(error.fields.values()), "") or error.message
        return await _page(request, api, "todo", status=error.status, error=message)
    return RedirectResponse("/console/follow-ups?state=todo", status_code=303)


@router.post("/{follow_up_id}/resolve", response_class=HTMLResponse)
async def resolve(request: Request, follow_up_id: str, user: StaffPosted, api: ApiDep) -> Response:
    form = await request.form()
    try:
        await api.post(f"/workers/follow-ups/{follow_up_id}/resolve", {"note": form.get("note", "")})
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _page(request, api, "flagged", status=error.status, error=error.message)
    return RedirectResponse("/console/follow-ups?state=flagged", status_code=303)
