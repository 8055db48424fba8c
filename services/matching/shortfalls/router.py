"""HTTP route of the shortfall to-do list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.matching.deps import SessionDep, StaffOrAdmin
from services.matching.shortfalls import service

router = APIRouter(prefix="/matching/shortfalls", tags=["shortfalls"])


class OpenShortfall(BaseModel):
    worker_id: str
    home_region_code: str
    found: int
    reason: str
    set_id: str
    issued_at: datetime


class ShortfallList(BaseModel):
    items: list[OpenShortfall]
    total: int


@router.get("", response_model=ShortfallList)
async def open_shortfalls(session: SessionDep, by: StaffOrAdmin,
                          region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 50) -> ShortfallList:
    """Seeking workers in your region whose newest offers are fewer than three, with the reason."""
    items, total = await service.open_shortfalls(session=session, by=by, region=region, limit=limit)
    return ShortfallList(items=[OpenShortfall(**item) for item in items], total=total)
