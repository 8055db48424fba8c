"""The console (就业服务工作台): its composition (pages, database, error pages) and a standalone app.

It owns accounts, sessions and its audit log; everything else it shows comes from the four services' HTTP APIs,
called with the signed-in user's role and scope (services/console/api.py). It publishes and consumes no events.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.console.accounts.router import router as accounts_router
from services.console.api import ApiError
from services.console.auth.router import router as auth_router
from services.console.errors import PageError, SignInNeeded
from services.console.messages import BY_STATUS
from services.console.pages.render import render
from services.console.pages.router import router as pages_router
from services.console.settings import ConsoleSettings
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.routes import joined
from shared.runtime import ServiceUnit, create_service_app

NAME = "console"
MIGRATIONS = Path(__file__).parent / "migrations"
STATIC = Path(__file__).parent / "static"
ASSETS = {"console.css": "text/css", "console.js": "text/javascript", "print.css": "text/css"}


def _static_router() -> APIRouter:
    router = APIRouter(tags=["console"], include_in_schema=False)

    @router.get("/console/static/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, "not found")
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"})

    return router


def install_error_pages(app: FastAPI) -> None:
    """Console errors become pages in Chinese (never a stack trace); no session means the sign-in page."""

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        reason = f"&reason={exc.reason}" if exc.reason else ""
        if request.method != "GET":
            target = "/console/"
        return RedirectResponse(f"/console/sign-in?next={quote(target)}{reason}", status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", status=exc.status, message=exc.message)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        status = exc.status if exc.status in (400, 403, 404, 409, 413, 422) else 502
        message = exc.message if exc.status not in (403, 404) else BY_STATUS[exc.status]
        return render(request, "error.html", status=status, message=message)


def build(settings: ConsoleSettings | None = None, *, clock: Clock | None = None) -> ServiceUnit:
    settings = settings or ConsoleSettings()
    clock = clock or SystemClock()
    database = Database(settings.db_url())
    # Pages for people, not part of the API's document (/docs lists the four services' routes): each of their
    # routers says so.
    router = joined(auth_router, pages_router, accounts_router, _static_router())
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=None,
                       clock=clock, settings=settings, on_app=install_error_pages)


def create_app(settings: ConsoleSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The console on its own (the distributed mode): it reaches the APIs at CONSOLE_API_URL(S)."""
    settings = settings or ConsoleSettings()
    unit = build(settings, clock=clock)
    return create_service_app(unit, title="JobBridge console")
