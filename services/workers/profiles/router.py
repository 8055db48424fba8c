"""HTTP routes for worker profiles, and the internal look-ups: a contact for notify, who lives where for jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.workers.deps import ClockDep, KeysDep, ServiceCaller, SessionDep, SingleWritesDep, StaffOrAdmin
from services.workers.profiles import contact, service
from services.workers.profiles.schemas import ProfileIn, ProfileOut, ProfilePage, ProfilePatch, TransferIntention
from shared.answers import json_answer
from shared.forms import PAGE_MAX

router = APIRouter(prefix="/workers/profiles", tags=["worker profiles"])
internal = APIRouter(prefix="/workers/internal", tags=["internal"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProfileOut)
async def register_worker(body: ProfileIn, writes: SingleWritesDep, clock: ClockDep, keys: KeysDep,
                          by: StaffOrAdmin) -> Response:
    async with writes() as write:
        profile = await service.register(unit=write, fields=body.model_dump(), by=by, keys=keys, clock=clock,
                                         shown_as="register")
    return json_answer(ProfileOut.model_validate(service.shown(profile=profile, by=by, keys=keys, clock=clock)),
                       status_code=status.HTTP_201_CREATED)


@router.get("", response_model=ProfilePage)
async def list_workers(
    session: SessionDep, clock: ClockDep, keys: KeysDep, by: StaffOrAdmin,
    region: Annotated[str | None, Query(pattern=r"^\d{2,12}$")] = None,
    transfer_intention: TransferIntention | None = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(seeking|placed)$")] = None,
    name: Annotated[str | None, Query(max_length=40)] = None,
    id_last4: Annotated[str | None, Query(pattern=r"^\d{3}[\dXx]$")] = None,
    ids: Annotated[str | None, Query(max_length=7400, description="profile ids separated by commas (200 at most)")]
    = None,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProfilePage:
    filters = service.ProfileFilter(region=region, transfer_intention=transfer_intention, status=status_,
                                    name=name, id_last4=id_last4,
                                    ids=tuple(i for i in (ids or "").split(",") if i)[:200])
    rows, total = await service.search(session=session, filters=filters, by=by, page=page, page_size=page_size)
    # Lists are masked for everyone: a clear number is shown one worker at a time, and each such read is audited.
    items = [service.view_masked(profile=p, keys=keys, clock=clock) for p in rows]
    return ProfilePage(items=items, total=total, page=page, page_size=page_size)


@router.get("/{worker_id}", response_model=ProfileOut)
async def read_worker(worker_id: str, session: SessionDep, clock: ClockDep, keys: KeysDep, by: StaffOrAdmin) -> dict:
    return await service.read(session=session, worker_id=worker_id, by=by, keys=keys, clock=clock)


@router.patch("/{worker_id}", response_model=ProfileOut)
async def change_worker(worker_id: str, body: ProfilePatch, session: SessionDep, clock: ClockDep, keys: KeysDep,
                        by: StaffOrAdmin) -> dict:
    changes = body.model_dump(include=body.model_fields_set)
    profile = await service.change(session=session, worker_id=worker_id, changes=changes, by=by, keys=keys,
                                   clock=clock)
    return await service.present(session=session, profile=profile, by=by, keys=keys, clock=clock, action="change")


class ContactChannels(BaseModel):
    worker_id: str
    name: str
    phone: str
    wechat_openid: str | None
    consent: dict[str, bool]
    status: str


@internal.get("/profiles/{worker_id}/contact", response_model=ContactChannels)
async def contact_channels(worker_id: str, session: SessionDep, clock: ClockDep, keys: KeysDep,
                           by: ServiceCaller) -> dict:
    return await contact.channels(session=session, worker_id=worker_id, by=by, keys=keys, clock=clock)


class ContactsIn(BaseModel):
    """The workers whose channels a sender needs now (notify asks for the messages it is sending together)."""

    model_config = ConfigDict(extra="forbid")

    worker_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(min_length=1, max_length=200)


class ContactsOut(BaseModel):
    contacts: list[ContactChannels]  # those that have a profile, in the order asked


@internal.post("/contacts", response_model=ContactsOut)
async def contacts_channels(body: ContactsIn, session: SessionDep, clock: ClockDep, keys: KeysDep,
                            by: ServiceCaller) -> dict:
    """The channels of several workers in one call, each read audited as the single look-up's is."""
    return {"contacts": await contact.channels_of(session=session, worker_ids=body.worker_ids, by=by, keys=keys,
                                                  clock=clock)}


class WithinIn(BaseModel):
    """Worker ids, and the area (an adcode prefix; empty: anywhere) they must live in."""

    model_config = ConfigDict(extra="forbid")

    worker_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(min_length=1, max_length=1000)
    region: str = Field(default="", pattern=r"^\d{0,12}$")


class WithinOut(BaseModel):
    inside: list[str]


@internal.post("/profiles/within", response_model=WithinOut)
async def profiles_within(body: WithinIn, session: SessionDep, by: ServiceCaller) -> WithinOut:
    """Which of these ids are registered labourers whose home lies inside the area (for jobs' fair invitations:
    staff invite only the labourers of their own area). Ids and nothing else."""
    return WithinOut(inside=await service.ids_within(session=session, worker_ids=body.worker_ids, region=body.region))
