"""Replies to the offers (回复): who asked about which job and is waiting for a call, who found none fitting, and
what could not be read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from services.console.deps import ApiDep, Staff
from services.console.pages.render import render

router = APIRouter(prefix="/console/replies", include_in_schema=False)

TABS = [("interest", "有意向，待回电"), ("none_fit", "都不合适"), ("unknown", "未识别的回复")]


@router.get("", response_class=HTMLResponse)
async def replies(request: Request, user: Staff, api: ApiDep,
                  kind: Literal["interest", "none_fit", "unknown"] = "interest",
                  page: Annotated[int, Query(ge=1, le=1000)] = 1) -> HTMLResponse:
    found = await api.get("/notify/replies", kind=kind, page=page, page_size=100)
    ids = sorted({r["worker_id"] for r in found["items"] if r.get("worker_id")})
    names: dict[str, str] = {}
    if ids:  # the names, as the worker list shows them (masked numbers, never read in clear here)
        listed = await api.get("/workers/profiles", ids=",".join(ids), page_size=len(ids))
        names = {w["id"]: w["name"] for w in listed["items"]}
    return render(request, "replies/list.html", kind=kind, tabs=TABS, found=found, names=names, page=page)
