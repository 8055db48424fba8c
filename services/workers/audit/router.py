"""HTTP routes for the audit log (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.workers.audit import service
from services.workers.deps import Admin, SessionDep
from shared.forms import OFFSET_MAX

router = APIRouter(prefix="/workers/audit", tags=["audit"])


class ReadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    role: str
    worker_id: str
    fields: list[str]
    action: str


class ReadPage(BaseModel):
    items: list[ReadOut]
    total: int


@router.get("/personal-data-reads", response_model=ReadPage)
async def personal_data_reads(
    session: SessionDep, _: Admin,
    worker_id: Annotated[str | None, Query(max_length=36)] = None,
    actor: Annotated[str | None, Query(max_length=80)] = None,
    since: datetime | None = None, until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> ReadPage:
    rows, total = await service.search(session=session, worker_id=worker_id, actor=actor, since=since, until=until,
                                       limit=limit, offset=offset)
    return ReadPage(items=[ReadOut.model_validate(r) for r in rows], total=total)
