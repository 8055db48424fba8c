"""扶贫车间: the area's workshops with whether each meets the subsidy condition, a workshop's labourers and what it
lacks, and the forms to add a workshop and a labourer's contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console import labels
from services.console.api import ApiError
from services.console.deps import ApiDep, Staff, StaffPosted
from services.console.pages.render import render

router = APIRouter(prefix="/console/workshops", include_in_schema=False)
KINDS = ["扶贫车间", "社区工厂", "卫星工厂", "就业驿站", "就业扶贫基地"]


def _region(user) -> str | None:
    return user.account.region if user.account.role == "station_staff" else None


async def _fields(request: Request) -> dict[str, str]:
    return {name: value for name, value in (await request.form()).items() if isinstance(value, str)}


def _number(text: str | None) -> int | str | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else text or None


@router.get("", response_class=HTMLResponse)
async def workshops(request: Request, user: Staff, api: ApiDep) -> HTMLResponse:
    return render(request, "workshops/list.html", found=await api.get("/workers/workshops"))


def _form(request: Request, user, *, fields: dict, errors: dict, message: str = "", status: int = 200) -> HTMLResponse:
    return render(request, "workshops/new.html", status=status, fields=fields, errors=errors, message=message,
                  kinds=KINDS, places=labels.townships_by_county(_region(user)))


@router.get("/new", response_class=HTMLResponse)
async def new_form(request: Request, user: Staff) -> HTMLResponse:
    return _form(request, user, fields={"kind": KINDS[0]}, errors={})


@router.post("/new", response_class=HTMLResponse)
async def create(request: Request, user: StaffPosted, api: ApiDep) -> Response:
    form = await _fields(request)
    body = {"name": form.get("name", ""), "kind": form.get("kind", ""),
            # The township when one is picked, else the county: never an adcode typed by hand.
            "region_code": (form.get("township") or form.get("county") or "").strip(),
            "employer_id": (form.get("employer_id") or "").strip() or None}
    try:
        made = await api.post("/workers/workshops", body)
    except ApiError as error:
        if error.status not in (403, 409, 422):
            raise
        errors = dict(error.fields)
        if "region_code" in errors:
            errors["township"] = errors.pop("region_code")
        return _form(request, user, fields=form, errors=errors, message=error.message, status=error.status)
    return RedirectResponse(f"/console/workshops/{made['id']}", status_code=303)


async def _detail(request: Request, api, workshop_id: str, *, q: str = "", fields: dict | None = None,
                  errors: dict | None = None, message: str = "", status: int = 200) -> HTMLResponse:
    shop = await api.get(f"/workers/workshops/{workshop_id}")
    query, chosen = q.strip(), (fields or {}).get("worker_id")
    candidates = None
    if query:
        by_digits = len(query) == 4 and query[:3].isdigit()
        candidates = (await api.get("/workers/profiles", name=None if by_digits else query,
                                    id_last4=query if by_digits else None, page_size=30))["items"]
    elif chosen:  # a form sent back with an error keeps the labourer picked
        candidates = (await api.get("/workers/profiles", ids=chosen, page_size=1))["items"]
    return render(request, "workshops/detail.html", status=status, shop=shop, q=q, candidates=candidates,
                  fields=fields or {}, errors=errors or {}, message=message)


@router.get("/{workshop_id}", response_class=HTMLResponse)
async def detail(request: Request, workshop_id: str, user: Staff, api: ApiDep,
                 q: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    return await _detail(request, api, workshop_id, q=q)


@router.post("/{workshop_id}/labourers", response_class=HTMLResponse)
async def add_labourer(request: Request, workshop_id: str, user: StaffPosted, api: ApiDep) -> Response:
    form = await _fields(request)
    worker_id = (form.get("worker_id") or "").strip()
    body = {"contract_start": form.get("contract_start") or None,
            "contract_months": _number(form.get("contract_months")),
            "monthly_wage": _number(form.get("monthly_wage"))}
    if not worker_id:
        return await _detail(request, api, workshop_id, fields=form, errors={"worker_id": "请先查找并选择劳动力"},
                             message="请先查找并选择劳动力。", status=422)
    try:
        await api.put(f"/workers/workshops/{workshop_id}/labourers/{worker_id}", body)
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        return await _detail(request, api, workshop_id, fields=form, errors=error.fields, message=error.message,
                             status=error.status)
    return RedirectResponse(f"/console/workshops/{workshop_id}", status_code=303)


@router.post("/{workshop_id}/labourers/{worker_id}/end", response_class=HTMLResponse)
async def end_labourer(request: Request, workshop_id: str, worker_id: str, user: StaffPosted,
                       api: ApiDep) -> Response:
    form = await _fields(request)
    try:
        await api.post(f"/workers/workshops/{workshop_id}/labourers/{worker_id}/end",
                       {"left_on": form.get("left_on") or None})
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        message = next(iter(error.fields.values()), "") or error.message
        return await _detail(request, api, workshop_id, message=message, status=error.status)
    return RedirectResponse(f"/console/workshops/{workshop_id}", status_code=303)
