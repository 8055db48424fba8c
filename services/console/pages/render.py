"""Rendering a page: the templates, and what every page gets (the user, the CSRF token, the type size, the menu)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console import labels

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
TEMPLATES.env.globals.update(labels=labels)
TEMPLATES.env.filters.update(place=labels.place, money=labels.money, when=labels.when, day=labels.day)

MENUS = {
    "station_staff": [("/console/", "工作台"), ("/console/workers", "劳动力"), ("/console/runs/new", "批量推荐"),
                      ("/console/replies", "回复"), ("/console/follow-ups", "回访"), ("/console/courses", "培训课程"),
                      ("/console/workshops", "扶贫车间"), ("/console/fairs", "招聘会"), ("/console/reports", "进度报表")],
    "partner_office": [("/console/", "首页"), ("/console/lists", "岗位供给清单")],
    "admin": [("/console/", "首页"), ("/console/workers", "劳动力"), ("/console/runs/new", "批量推荐"),
              ("/console/replies", "回复"), ("/console/follow-ups", "回访"), ("/console/courses", "培训课程"),
              ("/console/workshops", "扶贫车间"), ("/console/fairs", "招聘会"), ("/console/reports", "进度报表"),
              ("/console/admin/accounts", "账号"), ("/console/admin/tokens", "用人单位令牌"), ("/console/admin/audit", "操作记录"),
              ("/console/admin/health", "运行状况")],
}


# Pages hold personal data: never cached. The policy allows nothing but this origin, so no page can load or send
# anything elsewhere, nor be framed.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def render(request: Request, template: str, *, status: int = 200, **context: object) -> HTMLResponse:
    user = getattr(request.state, "signed_in", None)
    context.update(request=request, user=user.account if user else None, csrf=user.csrf_token if user else "",
                   large=request.cookies.get("jb_large") == "1",
                   menu=MENUS.get(user.account.role, []) if user else [], path=request.url.path)
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response
