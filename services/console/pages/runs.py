"""Batch runs: start one for a township or county, watch its progress bar to the end, then coverage and reasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from services.console import labels
from services.console.api import ApiError
from services.console.deps import ApiDep, Staff, StaffPosted
from services.console.pages.render import render

router = APIRouter(prefix="/console/runs", include_in_schema=False)


def progress_of(run: dict) -> dict:
    """What the progress bar shows: a percentage that reaches 100 only when the run is done."""
    total, done = run.get("items_total") or 0, run.get("items_done") or 0
    if run["status"] == "done":
        percent = 100
    elif total:
        percent = min(99, int(100 * done / total))
    else:
        percent = 0
    return {"status": run["status"], "status_text": labels.RUN_STATUS.get(run["status"], run["status"]),
            "percent": percent, "items_done": done, "items_total": total,
            "finished": run["status"] in ("done", "failed")}


def _scope(user) -> str | None:
    return user.account.region if user.account.role == "station_staff" else None


@router.get("/new", response_class=HTMLResponse)
async def new_run(request: Request, user: Staff, api: ApiDep) -> HTMLResponse:
    region = _scope(user) or "1522"
    recent = await api.get("/matching/runs", region=region, limit=10)
    return render(request, "runs/new.html", places=labels.townships_by_county(_scope(user)), recent=recent,
                  error="")


@router.post("/new", response_class=HTMLResponse)
async def start_run(request: Request, user: StaffPosted, api: ApiDep,
                    region_code: Annotated[str, Form(max_length=12)] = "") -> Response:
    try:
        run = await api.post("/matching/runs", {"region_code": region_code})
    except ApiError as error:
        if error.status not in (403, 422):
            raise
        recent = await api.get("/matching/runs", region=_scope(user) or "1522", limit=10)
        message = "请选择一个旗县市或苏木乡镇。" if "region_code" in error.fields else error.message
        return render(request, "runs/new.html", status=error.status, places=labels.townships_by_county(_scope(user)),
                      recent=recent, error=message)
    return RedirectResponse(f"/console/runs/{run['id']}", status_code=303)


@router.get("/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, run_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    run = await api.get(f"/matching/runs/{run_id}")
    return render(request, "runs/detail.html", run=run, progress=progress_of(run))


@router.get("/{run_id}/progress")
async def run_progress(run_id: str, user: Staff, api: ApiDep) -> JSONResponse:
    """What the page's script polls to move the bar (the page refreshes itself without JavaScript)."""
    return JSONResponse(progress_of(await api.get(f"/matching/runs/{run_id}")), headers={"Cache-Control": "no-store"})
