"""HTTP routes for postings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from services.jobs.deps import (
    ClockDep,
    CurrentUser,
    EmployerOrAdmin,
    PagesDep,
    ReadingsDep,
    SessionDep,
    SettingsDep,
    SingleWritesDep,
)
from services.jobs.events import as_view
from services.jobs.postings import service
from services.jobs.postings.schemas import PostingIn, PostingOut, PostingPage, PostingPatch
from shared.answers import json_answer
from shared.auth import Principal, Role
from shared.errors import Invalid
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/jobs/postings", tags=["postings"])


def _out(posting) -> PostingOut:
    return PostingOut.model_validate(as_view(posting))


def _employer_for(body: PostingIn, by: Principal) -> str:
    """The employer a posting is for: the token's, or the one an admin names."""
    employer_id = body.employer_id if by.is_admin else by.employer_id
    if not employer_id:
        raise Invalid("an admin must name employer_id", field="employer_id", zh="请写明用人单位（employer_id）")
    if not by.is_admin and body.employer_id not in (None, by.employer_id):
        raise Invalid("employer_id comes from your token", field="employer_id", zh="用人单位按登录身份确定，不用填写")
    return employer_id


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PostingOut)
async def post_vacancy(body: PostingIn, writes: SingleWritesDep, clock: ClockDep,
                       by: EmployerOrAdmin) -> Response:
    if body.supply_list_id is not None:
        raise Invalid("postings join a supply list through its import", field="supply_list_id",
                      zh="岗位只能通过上传岗位供给清单加入清单")
    async with writes() as write:
        view = await service.post(unit=write, fields=body.model_dump(), employer_id=_employer_for(body, by),
                                  clock=clock)
    return json_answer(PostingOut.model_validate(view), status_code=status.HTTP_201_CREATED)


@router.get("", response_model=PostingPage)
async def list_postings(
    reading: ReadingsDep, by: CurrentUser, settings: SettingsDep, pages: PagesDep,
    status_: Annotated[Literal["open", "closed", "filled"] | None, Query(alias="status")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    occupation: Annotated[str | None, Query(max_length=60)] = None,
    text: Annotated[str | None, Query(max_length=60)] = None,
    supply_list: Annotated[str | None, Query(max_length=36)] = None,
    employer_id: Annotated[str | None, Query(max_length=36)] = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    filters = service.PostingFilter(status=status_, region=region, occupation=occupation, text=text,
                                    supply_list_id=supply_list, employer_id=employer_id)
    size = min(page_size, settings.page_size_max)

    async def search() -> bytes:
        async with reading() as reader:
            views, total = await service.search(reader=reader, filters=filters, by=by, page=page, page_size=size)
        # One validation of the whole page in pydantic-core, not one call from Python per posting.
        return PostingPage.model_validate({"items": views, "total": total, "page": page,
                                           "page_size": size}).model_dump_json(by_alias=True).encode()

    # An employer's pages are its own postings only (service.search): they are kept apart from everyone else's.
    mine = by.employer_id if by.role is Role.employer else None
    return Response(await pages.served((mine, filters, page, size), search), media_type="application/json")


@router.get("/{posting_id}", response_model=PostingOut)
async def read_posting(posting_id: str, reading: ReadingsDep, by: CurrentUser) -> Response:
    async with reading() as reader:
        view = await service.read(reader=reader, posting_id=posting_id, by=by)
    return json_answer(PostingOut.model_validate(view))


@router.patch("/{posting_id}", response_model=PostingOut)
async def change_posting(posting_id: str, body: PostingPatch, session: SessionDep, clock: ClockDep,
                         by: EmployerOrAdmin) -> PostingOut:
    changes = body.model_dump(include=body.model_fields_set)
    posting = await service.change(session=session, posting_id=posting_id, changes=changes, by=by, clock=clock)
    return _out(posting)


@router.post("/{posting_id}/close", response_model=PostingOut)
async def close_posting(posting_id: str, session: SessionDep, clock: ClockDep, by: EmployerOrAdmin) -> PostingOut:
    return _out(await service.close(session=session, posting_id=posting_id, by=by, clock=clock))
