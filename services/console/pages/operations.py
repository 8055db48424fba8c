"""运行状况 for admin: events each service's consumers gave up on (dead letters) and messages that failed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.console.api import API_SERVICES, ApiError
from services.console.deps import Admin, ApiDep
from services.console.pages.render import render

router = APIRouter(prefix="/console/admin", include_in_schema=False)


@router.get("/health", response_class=HTMLResponse)
async def health(request: Request, user: Admin, api: ApiDep) -> HTMLResponse:
    dead: list[tuple[str, str, int | None]] = []
    unreachable: list[str] = []
    for service in API_SERVICES:
        try:
            answer = await api.get(f"/{service}/dead-letters")
        except ApiError:
            unreachable.append(service)
            continue
        dead += [(service, consumer, count) for consumer, count in answer["dead_letters"].items()]
    failed = await api.get("/notify/messages", status="failed", page_size=50)
    not_sent = await api.get("/notify/messages", status="not_sent", page_size=1)
    return render(request, "admin/health.html", dead=dead, unreachable=unreachable, failed=failed,
                  not_sent=not_sent["total"])
