"""The first page after sign-in: station staff's 工作台 (their region's figures and to-do list); others' overview."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.deps import ApiDep, User
from services.console.pages import figures
from services.console.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/console/", response_class=HTMLResponse)
async def home(request: Request, user: User, api: ApiDep) -> Response:
    account = user.account
    if account.role == "partner_office":
        return RedirectResponse("/console/lists", status_code=303)
    region = account.region if account.role == "station_staff" else "1522"
    progress = await api.get("/workers/reports/progress", region=region)
    runs = await api.get("/matching/runs", region=region, limit=5)
    shortfalls = await api.get("/matching/shortfalls", region=region, limit=30)
    names = await figures.masked_names(api, [item["worker_id"] for item in shortfalls["items"]])
    return render(request, "home.html", region=region, totals=figures.totals(progress["total"], shortfalls["total"]),
                  counties=progress["counties"], runs=runs, shortfalls=shortfalls, names=names)
