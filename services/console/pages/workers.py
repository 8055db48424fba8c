"""劳动力: search and list (masked), register, detail, edit, offers, the printable offer sheet, placements, messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from services.console.api import ApiError
from services.console.deps import ApiDep, Staff, StaffPosted
from services.console.messages import row_errors
from services.console.pages import courses, ledger, worker_form
from services.console.pages.render import render

router = APIRouter(prefix="/console/workers", include_in_schema=False)
SHEET_OFFERS = 5  # one A4 page in print type


def _region(user) -> str | None:
    return user.account.region if user.account.role == "station_staff" else None


@router.get("", response_class=HTMLResponse)
async def list_workers(request: Request, user: Staff, api: ApiDep,
                       q: Annotated[str, Query(max_length=40)] = "",
                       status: Annotated[str, Query(pattern="^(|seeking|placed)$")] = "",
                       page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
    query = q.strip()
    by_digits = len(query) == 4 and query[:3].isdigit()
    found = await api.get("/workers/profiles", name=None if by_digits else query or None,
                          id_last4=query if by_digits else None, status=status or None, page=page, page_size=30)
    pages = max(1, -(-found["total"] // 30))
    return render(request, "workers/list.html", found=found, q=q, status_filter=status, page=page, pages=pages)


async def _fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (a file part has no place in these forms)."""
    return {name: value for name, value in (await request.form()).items() if isinstance(value, str)}


def _form_page(request: Request, user, *, fields: dict, errors: dict, message: str = "", status: int = 200,
               worker_id: str | None = None) -> HTMLResponse:
    from services.console import labels

    return render(request, "workers/form.html", status=status, fields=fields, errors=errors, message=message,
                  worker_id=worker_id, places=labels.townships_by_county(_region(user)))


@router.get("/new", response_class=HTMLResponse)
async def register_form(request: Request, user: Staff) -> HTMLResponse:
    return _form_page(request, user, fields={"transfer_intention": "anywhere", "labor_capacity": "full"}, errors={})


@router.post("/new", response_class=HTMLResponse)
async def register(request: Request, user: StaffPosted, api: ApiDep) -> Response:
    form = await _fields(request)
    try:
        created = await api.post("/workers/profiles", worker_form.body_of(form))
    except ApiError as error:
        if error.status not in (403, 409, 422):
            raise
        return _form_page(request, user, fields=form, errors=worker_form.place_error(error.fields),
                          message=error.message, status=error.status)
    return RedirectResponse(f"/console/workers/{created['id']}?registered=1", status_code=303)


@router.get("/import", response_class=HTMLResponse)
async def ledger_form(request: Request, user: Staff) -> HTMLResponse:
    return render(request, "workers/import.html", report=None, error="")


@router.post("/import", response_class=HTMLResponse)
async def ledger_import(request: Request, user: StaffPosted, api: ApiDep) -> HTMLResponse:
    """A ledger (台账) upload: the API registers each good row and reports each bad one, shown as a table."""
    file = (await request.form()).get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return render(request, "workers/import.html", status=422, report=None,
                      error="请选择要上传的台账文件（CSV或XLSX）。")
    content = await file.read()
    try:
        answer = await api.request("POST", "/workers/profiles/import",
                                   files={"file": (file.filename, content,
                                                   file.content_type or "application/octet-stream")})
    except ApiError as error:
        if error.status not in (400, 413, 422):
            raise
        return render(request, "workers/import.html", status=error.status, report=None, error=error.message)
    report = answer.json()
    report["errors"] = row_errors(report.get("errors") or [])
    return render(request, "workers/import.html", report=report, error="", errors_csv=ledger.errors_csv(report))


@router.get("/{worker_id}", response_class=HTMLResponse)
async def detail(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    profile = await api.get(f"/workers/profiles/{worker_id}")  # in clear for own staff; the API audits the read
    placements = await api.get(f"/workers/profiles/{worker_id}/placements")
    return render(request, "workers/detail.html", w=profile, placements=placements,
                  registered=request.query_params.get("registered") == "1",
                  placed=request.query_params.get("placed") == "1")


@router.get("/{worker_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    profile = await api.get(f"/workers/profiles/{worker_id}")
    return _form_page(request, user, fields=worker_form.form_of(profile), errors={}, worker_id=worker_id)


@router.post("/{worker_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, worker_id: str, user: StaffPosted, api: ApiDep) -> Response:
    form = await _fields(request)
    current = await api.get(f"/workers/profiles/{worker_id}")
    changes = worker_form.changes_of(worker_form.body_of(form), current)
    try:
        if changes:
            await api.patch(f"/workers/profiles/{worker_id}", changes)
    except ApiError as error:
        if error.status not in (403, 409, 422):
            raise
        return _form_page(request, user, fields=form, errors=worker_form.place_error(error.fields),
                          message=error.message, status=error.status, worker_id=worker_id)
    return RedirectResponse(f"/console/workers/{worker_id}", status_code=303)


async def _offers(api, worker_id: str) -> tuple[dict, dict | None]:
    """The worker (masked) and its offers; None for the offers while matching has not heard of a new worker yet."""
    profile = (await api.get("/workers/profiles", ids=worker_id, page_size=1))["items"]
    if not profile:
        raise ApiError(404, "")
    try:
        return profile[0], await api.get(f"/matching/workers/{worker_id}/recommendations")
    except ApiError as error:
        if error.status != 404:
            raise
        return profile[0], None


async def _offers_page(request: Request, api, worker_id: str, *, status: int = 200,
                       error: str = "") -> HTMLResponse:
    profile, recommended = await _offers(api, worker_id)
    issued = await api.get(f"/matching/workers/{worker_id}/recommendation-sets") if recommended else []
    # A shortfall for want of a certificate: the open courses that give it, to enrol the worker there and then.
    shortfall = (recommended or {}).get("shortfall") or {}
    training = await courses.for_shortfall(api, shortfall.get("reason"), profile["home_region_code"])
    return render(request, "workers/offers.html", status=status, w=profile, rec=recommended, issued=issued[:5],
                  training=training, error=error, sent=request.query_params.get("sent") == "1",
                  enrolled=request.query_params.get("enrolled") == "1")


@router.get("/{worker_id}/offers", response_class=HTMLResponse)
async def offers(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    return await _offers_page(request, api, worker_id)


@router.post("/{worker_id}/courses/{course_id}", response_class=HTMLResponse)
async def enrol_on_course(request: Request, worker_id: str, course_id: str, user: StaffPosted,
                          api: ApiDep) -> Response:
    """Enrol the worker on a course offered for the certificate the shortfall names."""
    try:
        await api.post(f"/workers/courses/{course_id}/enrolments", {"worker_id": worker_id})
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _offers_page(request, api, worker_id, status=error.status, error=error.message)
    return RedirectResponse(f"/console/workers/{worker_id}/offers?enrolled=1", status_code=303)


@router.post("/{worker_id}/offers", response_class=HTMLResponse)
async def send_offers(worker_id: str, user: StaffPosted, api: ApiDep) -> Response:
    await api.post(f"/matching/workers/{worker_id}/recommendations", {})
    return RedirectResponse(f"/console/workers/{worker_id}/offers?sent=1", status_code=303)


@router.get("/{worker_id}/sheet", response_class=HTMLResponse)
async def offer_sheet(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    """The A4 sheet the clerk prints and hands to the labourer: the offers, and whom to call. The name is printed in
    full, so the profile is read as its own staff read it (in clear, which the API audits)."""
    _, recommended = await _offers(api, worker_id)
    profile = await api.get(f"/workers/profiles/{worker_id}")
    return render(request, "workers/sheet.html", w=profile, rec=recommended, most=SHEET_OFFERS,
                  station_phone=user.account.phone or "", station=user.account.display_name)


@router.get("/{worker_id}/placement", response_class=HTMLResponse)
async def placement_form(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    profile, recommended = await _offers(api, worker_id)
    return render(request, "workers/placement.html", w=profile, rec=recommended, fields={}, errors={}, message="")


@router.post("/{worker_id}/placement", response_class=HTMLResponse)
async def record_placement(request: Request, worker_id: str, user: StaffPosted, api: ApiDep) -> Response:
    form = await _fields(request)
    wage = (form.get("monthly_wage") or "").strip()
    months = (form.get("contract_months") or "").strip()
    body = {"posting_id": form.get("posting_id", ""), "start_date": form.get("start_date", ""),
            "monthly_wage": int(wage) if wage.isdigit() else wage or None,
            "contract_months": int(months) if months.isdigit() else months or None,
            "work_region_code": form.get("work_region_code") or None,
            "organised_export": form.get("organised_export") == "1"}
    try:
        await api.post(f"/workers/profiles/{worker_id}/placements", body)
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        profile, recommended = await _offers(api, worker_id)
        return render(request, "workers/placement.html", status=error.status, w=profile, rec=recommended,
                      fields=form, errors=error.fields, message=error.message)
    return RedirectResponse(f"/console/workers/{worker_id}?placed=1", status_code=303)


@router.get("/{worker_id}/messages", response_class=HTMLResponse)
async def messages(request: Request, worker_id: str, user: Staff, api: ApiDep) -> HTMLResponse:
    profile = (await api.get("/workers/profiles", ids=worker_id, page_size=1))["items"]
    if not profile:
        raise ApiError(404, "")
    found = await api.get("/notify/messages", worker_id=worker_id, page_size=100)
    return render(request, "workers/messages.html", w=profile[0], found=found)
