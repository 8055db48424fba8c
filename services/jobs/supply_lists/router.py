"""HTTP routes for supply lists and their import."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, UploadFile, status

from services.jobs.deps import ClockDep, OfficeOrAdmin, SessionDep, SettingsDep
from services.jobs.supply_lists import service
from services.jobs.supply_lists.schemas import ImportReport, SupplyListIn, SupplyListOut
from shared.uploads import UploadError, UploadTooLarge

router = APIRouter(prefix="/supply-lists", tags=["supply lists"])


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


@router.post("/{list_id}/postings/import", response_model=ImportReport)
async def import_supply_list(list_id: str, file: UploadFile, request: Request, session: SessionDep, clock: ClockDep,
                             settings: SettingsDep, by: OfficeOrAdmin) -> ImportReport:
    limit = settings.upload_max_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:  # the multipart envelope adds a little; a much larger body is refused early
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the file is larger than {limit} bytes")
    data = await file.read(limit + 1)
    try:
        return await service.import_postings(session=session, list_id=list_id, data=data, filename=file.filename,
                                             max_bytes=limit, by=by, clock=clock)
    except UploadTooLarge as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from exc
    except UploadError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
