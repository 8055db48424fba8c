"""HTTP routes of the vocabulary: what nothing reads, how a phrase reads, and phrases admin staff teach."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.matching.deps import AdminOnly, CacheDep, ClockDep, SessionDep, StaffOrAdmin
from services.matching.vocabulary import service
from services.matching.vocabulary.schemas import ChangeOut, ReadingOut, TaughtOut, TeachIn, UnmappedOut
from shared.rate_limits import rate_limited

router = APIRouter(prefix="/matching/vocabulary", tags=["vocabulary"])


@router.get("/unmapped", response_model=list[UnmappedOut], **rate_limited("exports"))
async def unmapped(session: SessionDep, cache: CacheDep, by: StaffOrAdmin,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict]:
    """Desired jobs and skills of seeking workers that map to no occupation, by how many workers use them."""
    vocabulary = await cache.vocabulary(session)
    return await service.unmapped(session=session, vocabulary=vocabulary, by=by, limit=limit)


@router.get("/reading", response_model=ReadingOut)
async def reading(session: SessionDep, cache: CacheDep, _: StaffOrAdmin,
                  text: Annotated[str, Query(min_length=1, max_length=64)]) -> dict:
    """How a phrase is read now: the job, its small group, and by which step (`read` false when nothing reads it)."""
    return service.reading_body(text, (await cache.vocabulary(session)).read(text))


@router.get("", response_model=list[TaughtOut])
async def taught(session: SessionDep, _: StaffOrAdmin) -> list[dict]:
    """Every phrase staff taught, with its occupation."""
    rows = await service.taught_rows(session)
    return [service.taught_body(row) for row in rows]


@router.get("/changes", response_model=list[ChangeOut])
async def changes(session: SessionDep, _: AdminOnly,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list:
    """Who taught or removed which phrase, newest first."""
    return await service.changes(session=session, limit=limit)


@router.put("/{phrase}", response_model=TaughtOut)
async def teach(phrase: str, body: TeachIn, session: SessionDep, clock: ClockDep, by: AdminOnly) -> dict:
    """Map a phrase to an occupation; every process reads it so from its next request, no restart."""
    row = await service.teach(session=session, phrase=phrase, code=body.occupation_code, by=by, clock=clock)
    return service.taught_body(row)


@router.delete("/{phrase}", status_code=status.HTTP_204_NO_CONTENT)
async def forget(phrase: str, session: SessionDep, clock: ClockDep, by: AdminOnly) -> Response:
    """Remove a taught phrase (audited)."""
    await service.forget(session=session, phrase=phrase, by=by, clock=clock)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
