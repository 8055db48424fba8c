"""The events the jobs service publishes: a posting's (each with the full posting) and a job fair's invitations.

Postings hold no personal data. A fair's invitation names labourers by worker id only.
"""

from __future__ import annotations

from datetime import date, datetime

from shared.contracts.base import EventContract, Payload

POSTING_OPENED = "jobs.posting.opened"
POSTING_UPDATED = "jobs.posting.updated"
POSTING_CLOSED = "jobs.posting.closed"
FAIR_INVITED = "jobs.fair.invited"


class PostingSnapshot(Payload):
    """The posting as it stands after the change (the same fields as the jobs API's posting)."""

    id: str
    employer_id: str
    employer_name: str = ""
    title: str
    occupation: str = ""
    occupation_code: str | None = None
    description: str = ""
    skills: list[str] = []
    region_code: str
    region_name: str | None = None
    address: str | None = None
    lon: float
    lat: float
    wage_min: int
    wage_max: int
    headcount: int
    placed: int = 0
    age_min: int
    age_max: int
    gender: str | None = None
    certificates: list[str] = []
    meals: bool = False
    lodging: bool = False
    contract_months: int | None = None
    public_welfare: bool = False
    workshop: bool = False
    supply_list_id: str | None = None
    supply_list_office_id: str | None = None
    """Whose supply list the posting is on: matching shows the list's candidates to that office only."""
    valid_until: date
    status: str = "open"
    close_reason: str | None = None
    posted_on: date | None = None
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class FairInvitation(Payload):
    """Labourers invited to a job fair: the fair as the invitation tells it, and whom to invite."""

    fair_id: str
    title: str = ""
    held_on: date
    start_time: str = ""
    """Local time, as "09:00"."""
    region_code: str | None = None
    region_name: str | None = None
    venue: str = ""
    postings: int = 0
    """How many open postings the fair has."""
    worker_ids: list[str] = []
    invited_within: str | None = None
    """The area of whoever invited (a station's region, or the fair's county): whose staff see the messages."""


EVENTS = (
    EventContract(POSTING_OPENED, PostingSnapshot, 1, "A posting was published."),
    EventContract(POSTING_UPDATED, PostingSnapshot, 1, "A posting changed: its fields, its list or its openings (a "
                                                       "filled one given an opening back is open again)."),
    EventContract(POSTING_CLOSED, PostingSnapshot, 1, "A posting was closed: filled, expired, or closed by its "
                                                      "employer."),
    EventContract(FAIR_INVITED, FairInvitation, 1, "Labourers were invited to a job fair; notify sends each one "
                                                   "invitation."),
)
