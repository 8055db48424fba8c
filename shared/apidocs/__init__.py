"""The API docs (Swagger UI at /docs, ReDoc at /redoc) served with their scripts and styles from this package.

The files in static/ are swagger-ui-dist 5.35.0 and redoc 2.5.4 as published on the npm registry, with their licences
beside them (Apache-2.0 and MIT), changed in two ways only: the source-map comments are removed (the maps are not
shipped), and ReDoc's sidebar logo, which it would load from cdn.redoc.ly, points at `data:,` (so it stays hidden).
An intranet without Internet access gets working docs, and no page of the platform asks another host for anything.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).parent / "static"
PREFIX = "/docs/static"
FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
         "redoc.standalone.js": "text/javascript", "favicon-32x32.png": "image/png"}


def install_api_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and the files they load to the app (which must be made with docs_url=None)."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # The request's app, not the enclosing `app`: FastAPI's caches keep route functions, and all they hold, alive.
        served = request.app
        return get_swagger_ui_html(openapi_url=served.openapi_url or "/openapi.json", title=f"{served.title} – API",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
                                   # Swagger UI would otherwise send the schema to validator.swagger.io.
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        served = request.app
        return get_redoc_html(openapi_url=served.openapi_url or "/openapi.json", title=f"{served.title} – API",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon-32x32.png", with_google_fonts=False)

    @app.get(PREFIX + "/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in FILES:
            raise HTTPException(404, "not found")
        return FileResponse(STATIC / name, media_type=FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})
