"""Routers joined side by side: the routes answer as they did when included, and a request meets one flat list."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from starlette.routing import Mount, Route, WebSocketRoute

from shared.routes import joined, serve
from shared.settings import CommonSettings


async def test_a_joined_router_keeps_each_parts_routes_in_order():
    imports = APIRouter(prefix="/workers/profiles")
    profiles = APIRouter(prefix="/workers/profiles")

    @imports.post("/import")
    async def import_ledger() -> dict:
        return {"route": "import"}

    @profiles.post("/{worker_id}")
    async def change_profile(worker_id: str) -> dict:
        return {"route": "profile", "worker_id": worker_id}

    app = FastAPI()
    serve(app, joined(imports, profiles))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        # the literal path, declared first, wins over the parameter of the part after it
        assert (await client.post("/workers/profiles/import")).json() == {"route": "import"}
        assert (await client.post("/workers/profiles/w1")).json() == {"route": "profile", "worker_id": "w1"}
        assert (await client.get("/workers/profiles/import")).status_code == 405
        assert (await client.post("/workers/import")).status_code == 404


def test_the_platform_matches_a_request_against_one_flat_list(tmp_path, monkeypatch):
    from jobbridge.platform import create_platform

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_platform(settings=CommonSettings(data_dir=tmp_path))
    nested = [route for route in app.router.routes if not isinstance(route, (Route, Mount, WebSocketRoute))]
    assert nested == [], "a router included whole: every request is matched through it again"
    paths = set(app.openapi()["paths"])
    assert {"/jobs/postings/{posting_id}", "/workers/profiles/import", "/matching/funnel",
            "/notify/messages", "/jobs/health"} <= paths
    pages = {path for path in paths if path.startswith(("/console", "/notify/offers"))
             and not path.endswith(("/health", "/ready", "/dead-letters"))}
    assert pages == set(), "pages for people are not part of the API's document"
