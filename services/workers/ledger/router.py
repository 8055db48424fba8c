"""HTTP route for importing a ledger (台账) of labourers."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile

from services.workers.deps import ClockDep, KeysDep, SessionDep, SettingsDep, StaffOrAdmin
from services.workers.ledger import service
from services.workers.ledger.schemas import LedgerReport
from shared.uploads import receive

router = APIRouter(prefix="/profiles", tags=["ledger import"])


@router.post("/import", response_model=LedgerReport)
async def import_ledger(file: UploadFile, request: Request, session: SessionDep, clock: ClockDep, keys: KeysDep,
                        settings: SettingsDep, by: StaffOrAdmin) -> LedgerReport:
    limit = settings.upload_max_bytes
    data = await receive(file, declared_length=int(request.headers.get("content-length") or 0), limit=limit)
    return await service.import_ledger(session=session, data=data, filename=file.filename, max_bytes=limit,
                                       by=by, keys=keys, clock=clock)
