"""The events matching publishes: a labourer's offers issued (notify sends them), a shortfall (fewer than three
offers, and why), and a batch run's own work items, which matching consumes itself so that a run is spread over
every consumer process and survives a restart."""

from __future__ import annotations

from shared.contracts.base import EventContract, Payload

RECOMMENDATIONS_ISSUED = "matching.recommendations.issued"
SHORTFALL_DETECTED = "matching.shortfall.detected"
RUN_ITEM_REQUESTED = "matching.run.item_requested"
RUN_RANKED = "matching.run.ranked"


class Offer(Payload):
    """One offered posting, as staff and the labourer read it, with the ranker's score and reasons."""

    posting_id: str
    title: str = ""
    employer: str = ""
    region_code: str = ""
    region_name: str = ""
    wage_min: int = 0
    wage_max: int = 0
    distance_km: float
    meals: bool = False
    lodging: bool = False
    score: float
    reasons: list[str] = []
    relaxed: list[str] = []
    """The wishes given up to reach three offers."""
    fit: str = "desired"
    """How the post fits: `desired`, `skill`, `welfare` or `relaxed`."""


class Shortfall(Payload):
    found: int
    """How many offers there are (fewer than three)."""
    reason: str
    """Why, in plain Chinese."""


class RecommendationsIssued(Payload):
    """A labourer's set of offers; `items` may be empty (then the shortfall says why)."""

    worker_id: str
    set_id: str
    run_id: str | None = None
    items: list[Offer] = []
    shortfall: Shortfall | None = None
    home_region_code: str | None = None
    """The labourer's home: notify shows station staff the messages of their own region only."""


class ShortfallDetected(Payload):
    worker_id: str
    set_id: str
    run_id: str | None = None
    found: int
    reason: str


class RunItemRequested(Payload):
    """One work item of a run: the seeking labourers whose home starts with `key` (a township, or a county)."""

    run_id: str
    key: str
    level: str
    """`township` or `county`."""
    region_code: str
    """The run's area."""


class RunRanked(Payload):
    """Every item of the run is ranked: allocate the postings' capacity and issue the sets."""

    run_id: str


EVENTS = (
    EventContract(RECOMMENDATIONS_ISSUED, RecommendationsIssued, 1, "A labourer's offers were issued; notify sends "
                                                                   "them."),
    EventContract(SHORTFALL_DETECTED, ShortfallDetected, 1, "A labourer has fewer than three offers, and why."),
    EventContract(RUN_ITEM_REQUESTED, RunItemRequested, 1, "A batch run's work item, to be ranked."),
    EventContract(RUN_RANKED, RunRanked, 1, "All of a batch run's items are ranked; the run is finished."),
)
