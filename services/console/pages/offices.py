"""Partner offices: their supply lists, a list's postings, an upload with its row report, the candidate lists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.console.api import ApiError
from services.console.deps import ApiDep, Office, OfficePosted
from services.console.messages import row_errors
from services.console.pages.render import render

router = APIRouter(prefix="/console/lists", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", response_class=HTMLResponse)
async def supply_lists(request: Request, user: Office, api: ApiDep) -> HTMLResponse:
    return render(request, "offices/lists.html", lists=await api.get("/jobs/supply-lists"))


async def _list_page(request: Request, api, list_id: str, *, report: dict | None = None, error: str = "",
                     status: int = 200) -> HTMLResponse:
    found = await api.get(f"/jobs/supply-lists/{list_id}")
    postings = await api.get("/jobs/postings", supply_list=list_id, page_size=100)
    return render(request, "offices/list.html", status=status, sl=found, postings=postings, report=report, error=error)


@router.get("/{list_id}", response_class=HTMLResponse)
async def supply_list(request: Request, list_id: str, user: Office, api: ApiDep) -> HTMLResponse:
    return await _list_page(request, api, list_id)


@router.post("/{list_id}/upload", response_class=HTMLResponse)
async def upload(request: Request, list_id: str, user: OfficePosted, api: ApiDep) -> HTMLResponse:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await _list_page(request, api, list_id, error="请选择要上传的CSV或XLSX文件。", status=422)
    content = await file.read()
    try:
        answer = await api.request("POST", f"/jobs/supply-lists/{list_id}/postings/import",
                                   files={"file": (file.filename, content,
                                                   file.content_type or "application/octet-stream")})
    except ApiError as error:
        if error.status not in (400, 413, 422):
            raise
        return await _list_page(request, api, list_id, error=error.message, status=error.status)
    report = answer.json()
    report["errors"] = row_errors(report.get("errors") or [])
    return await _list_page(request, api, list_id, report=report)


@router.get("/{list_id}/candidates.xlsx")
async def candidates_xlsx(list_id: str, user: Office, api: ApiDep) -> Response:
    """The job-seeking demand list (求职需求清单) of the whole supply list, as the API makes it."""
    answer = await api.request("GET", f"/matching/supply-lists/{list_id}/candidates", params={"format": "xlsx"})
    return Response(answer.content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=candidates-{list_id[:8]}.xlsx"})


@router.get("/{list_id}/postings/{posting_id}/candidates.xlsx")
async def posting_candidates_xlsx(list_id: str, posting_id: str, user: Office, api: ApiDep) -> Response:
    """The ranked, masked candidates for one posting of the list (the API checks that the list is the office's)."""
    answer = await api.request("GET", f"/matching/postings/{posting_id}/candidates", params={"format": "xlsx"})
    return Response(answer.content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=candidates-{posting_id[:8]}.xlsx"})
