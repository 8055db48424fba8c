"""The events the jobs service publishes: a posting's, each carrying the full posting snapshot; a job fair's
invitations. Their names and payloads are the contracts in shared/contracts/jobs.py."""

from __future__ import annotations

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
from shared.events.outbox import add_event
from shared.reference.regions import get_region

__all__ = ["FAIR_INVITED", "POSTING_CLOSED", "POSTING_OPENED", "POSTING_UPDATED", "as_view", "fair_invited",
           "posting_changed", "snapshot"]


def snapshot(posting: Posting) -> PostingSnapshot:
    """The posting as consumers see it: every field matching needs, no personal data (postings hold none)."""
    return PostingSnapshot.model_validate(as_view(posting))


def as_view(posting: Posting) -> dict:
    region = get_region(posting.region_code)
    view = {column.key: getattr(posting, column.key) for column in Posting.__table__.columns}
    view["employer_name"] = posting.employer.name
    # Matching shows a list's candidates to its office only; the snapshot says whose list the posting is on.
    view["supply_list_office_id"] = posting.supply_list.office_id if posting.supply_list else None
    view["region_name"] = region.name if region else posting.region_code
    return view


async def posting_changed(session: AsyncSession, posting: Posting, *, type: str, clock: Clock) -> None:
    await add_event(session, outbox, clock=clock, producer="jobs", type=type, subject=posting.id,
                    version=posting.version, data=snapshot(posting).data())


async def fair_invited(session: AsyncSession, fair: JobFair, *, invitation: FairInvitation, clock: Clock) -> None:
    """Labourers were invited to a fair: notify sends each an invitation (one per worker and fair, however often
    the event arrives)."""
    await add_event(session, outbox, clock=clock, producer="jobs", type=FAIR_INVITED, subject=fair.id,
                    version=fair.version, data=invitation.data())
