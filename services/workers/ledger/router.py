"""HTTP route for importing a ledger (台账) of labourers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, UploadFile, status

from services.workers.deps import ClockDep, KeysDep, SessionDep, SettingsDep, StaffOrAdmin
from services.workers.ledger import service
from services.workers.ledger.schemas import LedgerReport
from shared.uploads import UploadError, UploadTooLarge

router = APIRouter(prefix="/profiles", tags=["ledger import"])


@router.post("/import", response_model=LedgerReport)
async def import_ledger(file: UploadFile, request: Request, session: SessionDep, clock: ClockDep, keys: KeysDep,
                        settings: SettingsDep, by: StaffOrAdmin) -> LedgerReport:
    limit = settings.upload_max_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:  # the multipart envelope adds a little; a much larger body is refused early
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the file is larger than {limit} bytes")
    data = await file.read(limit + 1)
    try:
        return await service.import_ledger(session=session, data=data, filename=file.filename, max_bytes=limit,
                                           by=by, keys=keys, clock=clock)
    except UploadTooLarge as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from exc
    except UploadError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
