"""HTTP routes for supply lists and their import."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile, status

from services.jobs.deps import ClockDep, OfficeOrAdmin, SessionDep, SettingsDep, UnitsDep
from services.jobs.supply_lists import service
from services.jobs.supply_lists.columns import POSTING_COLUMNS
from services.jobs.supply_lists.schemas import ImportReport, SupplyListIn, SupplyListOut
from shared.language import row_errors_for
from shared.rate_limits import rate_limited
from shared.uploads import read_upload, receive

router = APIRouter(prefix="/jobs/supply-lists", tags=["supply lists"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SupplyListOut)
async def create_supply_list(body: SupplyListIn, session: SessionDep, clock: ClockDep,
                             by: OfficeOrAdmin) -> SupplyListOut:
    supply_list = await service.create(session=session, by=by, clock=clock, **body.model_dump())
    return SupplyListOut.model_validate(supply_list)


@router.get("", response_model=list[SupplyListOut])
async def list_supply_lists(session: SessionDep, by: OfficeOrAdmin) -> list[SupplyListOut]:
    return [SupplyListOut.model_validate(s) for s in await service.list_for(session=session, by=by)]


@router.get("/{list_id}", response_model=SupplyListOut)
async def read_supply_list(list_id: str, session: SessionDep, by: OfficeOrAdmin) -> SupplyListOut:
    supply_list = await service.get(session=session, list_id=list_id, by=by)
    out = SupplyListOut.model_validate(supply_list)
    out.postings = await service.posting_counts(session=session, list_id=list_id)
    return out


@router.post("/{list_id}/postings/import", response_model=ImportReport, **rate_limited("imports"))
async def import_supply_list(list_id: str, file: UploadFile, request: Request, units: UnitsDep, clock: ClockDep,
                             settings: SettingsDep, by: OfficeOrAdmin) -> ImportReport:
    # Four steps, so that no unit of work (on SQLite: the service's write turn) is held while the file is read and
    # its rows checked.
    async with units() as session:
        await service.get(session=session, list_id=list_id, by=by)
    limit = settings.upload_max_bytes
    data = await receive(file, declared_length=int(request.headers.get("content-length") or 0), limit=limit)
    table = await read_upload(data, filename=file.filename, aliases=POSTING_COLUMNS, max_bytes=limit,
                              seconds=settings.upload_read_seconds)
    checked = await service.check_rows(table=table, clock=clock)
    async with units() as session:
        report = await service.import_postings(session=session, list_id=list_id, checked=checked,
                                               unknown_columns=table.unknown_headers, by=by, clock=clock)
    report.errors = row_errors_for(report.errors, request.headers.get("accept-language"))
    return report
