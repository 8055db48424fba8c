"""The events the jobs service publishes: a posting's, each carrying the full posting snapshot; a job fair's
invitations. Their names and payloads are the contracts in shared/contracts/jobs.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.db import outbox
from services.jobs.fairs.models import JobFair
from services.jobs.postings.models import Posting
from shared.clock import Clock
from shared.contracts.jobs import (
    FAIR_INVITED,
    POSTING_CLOSED,
    POSTING_OPENED,
    POSTING_UPDATED,
    FairInvitation,
    PostingSnapshot,
)
from shared.driven import SingleWrite
from shared.events.outbox import NewEvent, add_event, add_events
from shared.reference.regions import get_region

__all__ = ["FAIR_INVITED", "POSTING_CLOSED", "POSTING_OPENED", "POSTING_UPDATED", "as_view", "fair_invited",
           "posting_changed", "posting_opened", "snapshot"]


def snapshot(posting: Posting) -> PostingSnapshot:
    """The posting as consumers see it: every field matching needs, no personal data (postings hold none)."""
    return PostingSnapshot.model_validate(as_view(posting))


def snapshot_of(view: Mapping[str, Any]) -> dict:
    """The snapshot of a posting's view (`as_view`, `view_of`), as the event carries it."""
    return PostingSnapshot.model_validate(view).data()


def as_view(posting: Posting) -> dict:
    # Matching shows a list's candidates to its office only; the snapshot says whose list the posting is on.
    return view_of({column.key: getattr(posting, column.key) for column in Posting.__table__.columns},
                   employer_name=posting.employer.name,
                   supply_list_office_id=posting.supply_list.office_id if posting.supply_list else None)


def view_of(row: Mapping[str, Any], *, employer_name: str, supply_list_office_id: str | None) -> dict:
    """A postings row (a mapping of its columns) with what a reader wants beside it: names of employer and region."""
    region = get_region(row["region_code"])
    return {**row, "employer_name": employer_name, "supply_list_office_id": supply_list_office_id,
            "region_name": region.name if region else row["region_code"]}


async def posting_changed(session: AsyncSession, posting: Posting, *, type: str, clock: Clock) -> None:
    await add_event(session, outbox, clock=clock, producer="jobs", type=type, subject=posting.id,
                    version=posting.version, data=snapshot(posting).data())


async def posting_opened(unit: AsyncSession | SingleWrite, row: Mapping[str, Any], view: Mapping[str, Any], *,
                         clock: Clock) -> None:
    """Insert a new posting's row and its `jobs.posting.opened` event (the snapshot made from its view), in one
    statement on PostgreSQL."""
    await add_event(unit, outbox, clock=clock, producer="jobs", type=POSTING_OPENED, subject=view["id"],
                    version=view["version"], data=snapshot_of(view), along=[(cast(Table, Posting.__table__), row)])


async def postings_opened(session: AsyncSession, views: Iterable[Mapping[str, Any]], *, clock: Clock) -> int:
    """A `jobs.posting.opened` event for each newly inserted posting (given as its view), in one bulk write."""
    return await add_events(session, outbox, clock=clock, producer="jobs", events=(
        NewEvent(POSTING_OPENED, view["id"], view["version"], snapshot_of(view)) for view in views))


async def fair_invited(session: AsyncSession, fair: JobFair, *, invitation: FairInvitation, clock: Clock) -> None:
    """Labourers were invited to a fair: notify sends each an invitation (one per worker and fair, however often
    the event arrives)."""
    await add_event(session, outbox, clock=clock, producer="jobs", type=FAIR_INVITED, subject=fair.id,
                    version=fair.version, data=invitation.data())
