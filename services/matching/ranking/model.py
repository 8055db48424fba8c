"""The plain data the ranker works on: postings and workers as matching's read models hold them, and its answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PostingView:
    """An open posting, from the snapshot in `jobs.posting.*` events."""

    id: str
    employer_id: str
    employer_name: str
    title: str
    occupation: str
    occupation_code: str | None
    region_code: str
    lon: float
    lat: float
    wage_min: int
    wage_max: int
    headcount: int  # openings left
    valid_until: date
    description: str = ""
    skills: tuple[str, ...] = ()
    age_min: int = 16
    age_max: int = 65
    gender: str | None = None  # "male", "female" or None (either)
    certificates: tuple[str, ...] = ()
    meals: bool = False
    lodging: bool = False
    contract_months: int | None = None
    public_welfare: bool = False
    workshop: bool = False
    supply_list_id: str | None = None
    status: str = "open"


@dataclass(frozen=True)
class WorkerView:
    """A worker, from the snapshot in `workers.profile.*` events (no personal numbers)."""

    id: str
    age: int
    gender: str
    home_region_code: str
    lon: float
    lat: float
    transfer_intention: str  # "none", "near_home", "league", "anywhere"
    labor_capacity: str = "full"
    education: str | None = None
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    desired_occupations: tuple[str, ...] = ()
    expected_wage: int | None = None
    status: str = "seeking"
    share_with_partners: bool = False


@dataclass(frozen=True)
class Item:
    """One recommended posting for one worker, with the reasons a staff member can read out on the phone."""

    posting_id: str
    score: float
    distance_km: float
    reasons: tuple[str, ...]
    relaxed: tuple[str, ...] = ()  # soft criteria given up to reach three offers (empty for a fitting offer)
    fit: str = "desired"  # how it fits: "desired", "skill", "welfare" (a public-welfare post that leads), "relaxed"


@dataclass(frozen=True)
class Shortfall:
    found: int
    reason: str


@dataclass(frozen=True)
class Recommendation:
    worker_id: str
    items: tuple[Item, ...]
    shortfall: Shortfall | None = None


@dataclass(frozen=True)
class Candidate:
    """One worker ranked for one posting (candidate lists, 求职需求清单)."""

    worker_id: str
    score: float
    distance_km: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RankingSettings:
    near_home_km: float = 30.0  # the half-hour employment service circle, measured from the worker's township
    guaranteed: int = 3  # offers every worker with a transfer intention gets
    per_employer_in_top: int = 2  # at most this many of one employer among the first `guaranteed`
    capacity_factor: float = 5.0  # a posting is offered to at most this many times its openings in a batch
    # For a worker who cannot take regular work, how many public-welfare posts near home lead before what the worker
    # asked for (the rest follow it); all of them lead when nothing the worker asked for or can do fits.
    welfare_lead: int = 1
    extra: dict = field(default_factory=dict)
