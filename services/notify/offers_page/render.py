"""Rendering the offers page: plain HTML with inline CSS, nothing loaded from elsewhere, no script."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notify.offers_page.service import Page

ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(),
                  auto_reload=False)
# The page holds the worker's offers and is opened from a link that is a key: never cached, sent nowhere else,
# never framed; inline style only, no script.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def offers(page: Page, *, action: str) -> HTMLResponse:
    return HTMLResponse(ENV.get_template("offers.html").render(page=page, action=action), headers=HEADERS)


def gone(message: str, *, status: int = 404) -> HTMLResponse:
    return HTMLResponse(ENV.get_template("gone.html").render(message=message), status_code=status, headers=HEADERS)
