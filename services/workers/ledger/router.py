"""HTTP route for importing a ledger (台账) of labourers."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile

from services.workers.deps import ClockDep, KeysDep, SettingsDep, StaffOrAdmin, UnitsDep
from services.workers.ledger import service
from services.workers.ledger.columns import WORKER_COLUMNS
from services.workers.ledger.schemas import LedgerReport
from shared.language import row_errors_for
from shared.rate_limits import rate_limited
from shared.uploads import read_upload, receive

router = APIRouter(prefix="/workers/profiles", tags=["ledger import"])


@router.post("/import", response_model=LedgerReport, **rate_limited("imports"))
async def import_ledger(file: UploadFile, request: Request, units: UnitsDep, clock: ClockDep, keys: KeysDep,
                        settings: SettingsDep, by: StaffOrAdmin) -> LedgerReport:
    limit = settings.upload_max_bytes
    data = await receive(file, declared_length=int(request.headers.get("content-length") or 0), limit=limit)
    # Read and check before the unit of work opens: on SQLite it holds the service's write turn.
    table = await read_upload(data, filename=file.filename, aliases=WORKER_COLUMNS, max_bytes=limit,
                              seconds=settings.upload_read_seconds)
    checked = await service.check_rows(table=table, by=by, keys=keys, clock=clock)
    async with units() as session:
        report = await service.import_ledger(session=session, checked=checked, unknown_columns=table.unknown_headers,
                                             by=by, clock=clock)
    report.errors = row_errors_for(report.errors, request.headers.get("accept-language"))
    return report
