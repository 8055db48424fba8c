"""The events the workers service publishes: a labourer's profile as matching needs it, and nothing that identifies
the person (no name, ID-card number, phone, openid or birth date: the age instead, with the day it was reckoned)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from shared.contracts.base import EventContract, Payload

PROFILE_REGISTERED = "workers.profile.registered"
PROFILE_UPDATED = "workers.profile.updated"
PROFILE_PLACED = "workers.profile.placed"


class Consent(Payload):
    sms: bool = False
    wechat: bool = False
    share_with_partners: bool = False
    """Employers and partners may see the labourer as a candidate."""


class PlacementFacts(Payload):
    """A placement recorded (on `workers.profile.placed`) or ended (on `workers.profile.updated`, with `ended_on`)."""

    omitted_when_none: ClassVar[frozenset[str]] = frozenset({"ended_on"})

    id: str
    posting_id: str
    start_date: date
    monthly_wage: int | None = None
    contract_months: int | None = None
    work_region_code: str | None = None
    organised_export: bool = False
    subsidy_eligible: bool = False
    subsidy_rule: str | None = None
    ended_on: date | None = None


class WorkerSnapshot(Payload):
    """The profile after the change; `placement` only on the events about one."""

    omitted_when_none: ClassVar[frozenset[str]] = frozenset({"placement"})

    profile_id: str | None = None
    age: int
    age_as_of: date | None = None
    """The day `age` was reckoned on (consumers move it on from there)."""
    gender: str
    home_region_code: str
    lon: float | None = None
    """The home region's centre."""
    lat: float | None = None
    labor_capacity: str = "full"
    education: str | None = None
    skills: list[str] = []
    certificates: list[str] = []
    desired_occupations: list[str] = []
    transfer_intention: str
    expected_wage: int | None = None
    wants_training: bool = False
    wants_entrepreneurship: bool = False
    has_wechat: bool = False
    consent: Consent = Field(default_factory=Consent)
    status: str = "seeking"
    placement: PlacementFacts | None = None


EVENTS = (
    EventContract(PROFILE_REGISTERED, WorkerSnapshot, 1, "A labourer was registered."),
    EventContract(PROFILE_UPDATED, WorkerSnapshot, 1, "A labourer's profile changed (or a placement ended: the "
                                                      "placement with `ended_on`)."),
    EventContract(PROFILE_PLACED, WorkerSnapshot, 1, "A labourer took a job: the profile with the placement."),
)
