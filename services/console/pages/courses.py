"""培训课程: the courses of the staff member's region, a new course, a course's seats and candidates, completion."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console import labels
from services.console.api import ApiError
from services.console.deps import ApiDep, Staff, StaffPosted
from services.console.pages.render import render

router = APIRouter(prefix="/console/courses", include_in_schema=False)

FIELDS = ("title", "occupation_code", "provider", "region_code", "hours", "start_on", "end_on", "seats", "certificate")
OUTCOMES = [("completed", "结业"), ("dropped", "退学")]
# Matching names the certificates that keep a worker's own jobs out at the end of its shortfall reason:
# "…；另有3个对口岗位要求焊工证、电工证" (services/matching ranking reasons).
_MISSING_CERTIFICATES = re.compile(r"对口岗位要求(.+)$")


def missing_certificates(reason: str | None) -> list[str]:
    """The certificates a shortfall reason says the worker lacks (none when it names none)."""
    found = _MISSING_CERTIFICATES.search(reason or "")
    if found is None:
        return []
    names = (name.strip() for name in found.group(1).split("、"))
    return [name for name in names if name and name != "证书" and len(name) <= 80]


async def for_shortfall(api, reason: str | None, home_region_code: str) -> list[dict]:
    """Open courses of the worker's county that give a certificate the shortfall says is missing."""
    courses: dict[str, dict] = {}
    for certificate in missing_certificates(reason):
        for course in await api.get("/workers/courses/for-certificate", certificate=certificate,
                                    region=home_region_code):
            courses.setdefault(course["id"], course)
    return list(courses.values())


def _region(user) -> str | None:
    return user.account.region if user.account.role == "station_staff" else None


def _places(user) -> list[tuple[str, str]]:
    """Where a course may be held: each county of the region, and its townships inside the region."""
    out = []
    for code, name, towns in labels.townships_by_county(_region(user)):
        if not _region(user) or code.startswith(_region(user) or ""):
            out.append((code, name))
        out += [(tcode, f"{name} · {tname}") for tcode, tname in towns]
    return out


def _form_page(request: Request, user, *, fields: dict, errors: dict, message: str = "",
               status: int = 200) -> HTMLResponse:
    return render(request, "courses/form.html", status=status, fields=fields, errors=errors, message=message,
                  places=_places(user))


def body_of(form: dict[str, str]) -> dict:
    """The API body of the course form: numbers as numbers when they are, text otherwise (the API says what is wrong)."""
    body: dict[str, object] = {name: (form.get(name) or "").strip() for name in FIELDS}
    for name in ("hours", "seats"):
        text = str(body[name])
        body[name] = int(text) if text.isdigit() else text or None
    for name in ("start_on", "end_on"):
        body[name] = body[name] or None
    body["certificate"] = body["certificate"] or None
    return body


@router.get("", response_class=HTMLResponse)
async def list_courses(request: Request, user: Staff, api: ApiDep,
                       show: Literal["open", "all"] = "open",
                       page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
    found = await api.get("/workers/courses", open="true" if show == "open" else None, page=page, page_size=30)
    pages = max(1, -(-found["total"] // 30))
    return render(request, "courses/list.html", found=found, show=show, page=page, pages=pages,
                  created=request.query_params.get("created") == "1")


@router.get("/new", response_class=HTMLResponse)
async def course_form(request: Request, user: Staff) -> HTMLResponse:
    return _form_page(request, user, fields={"hours": "56"}, errors={})


@router.post("/new", response_class=HTMLResponse)
async def create_course(request: Request, user: StaffPosted, api: ApiDep) -> Response:
    form = {name: value for name, value in (await request.form()).items() if isinstance(value, str)}
    try:
        created = await api.post("/workers/courses", body_of(form))
    except ApiError as error:
        if error.status not in (403, 422):
            raise
        return _form_page(request, user, fields=form, errors=error.fields, message=error.message,
                          status=error.status)
    return RedirectResponse(f"/console/courses/{created['id']}?created=1", status_code=303)


async def _course_page(request: Request, api, course_id: str, *, status: int = 200, error: str = "",
                       done: str = "") -> HTMLResponse:
    course = await api.get(f"/workers/courses/{course_id}")
    enrolled = await api.get(f"/workers/courses/{course_id}/enrolments")
    candidates = await api.get(f"/workers/courses/{course_id}/candidates", limit=200)
    return render(request, "courses/detail.html", status=status, c=course, enrolled=enrolled,
                  candidates=candidates, outcomes=OUTCOMES, error=error, done=done)


@router.get("/{course_id}", response_class=HTMLResponse)
async def course_page(request: Request, course_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    done = {"created": "课程已建立。", "enrolled": "已报名。", "recorded": "已登记。"}
    note = next((text for key, text in done.items() if request.query_params.get(key) == "1"), "")
    return await _course_page(request, api, course_id, done=note)


@router.post("/{course_id}/enrol", response_class=HTMLResponse)
async def enrol(request: Request, course_id: str, user: StaffPosted, api: ApiDep) -> Response:
    form = await request.form()
    try:
        await api.post(f"/workers/courses/{course_id}/enrolments", {"worker_id": str(form.get("worker_id") or "")})
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _course_page(request, api, course_id, status=error.status, error=error.message)
    return RedirectResponse(f"/console/courses/{course_id}?enrolled=1", status_code=303)


@router.post("/{course_id}/enrolments/{enrolment_id}/outcome", response_class=HTMLResponse)
async def record_outcome(request: Request, course_id: str, enrolment_id: str, user: StaffPosted,
                         api: ApiDep) -> Response:
    form = await request.form()
    body = {"outcome": form.get("outcome", ""), "certificate_gained": form.get("certificate_gained") == "1"}
    try:
        await api.put(f"/workers/courses/{course_id}/enrolments/{enrolment_id}/outcome", body)
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        message = next(iter(error.fields.values()), "") or error.message
        return await _course_page(request, api, course_id, status=error.status, error=message)
    return RedirectResponse(f"/console/courses/{course_id}?recorded=1", status_code=303)
