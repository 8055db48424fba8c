"""Jobs' openings as workers sees them (its own `Openings` port), kept in memory for tests of workers alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.workers.placements.openings import Opening, refusal


@dataclass
class FakePosting:
    region_code: str
    headcount: int
    open: bool = True
    title: str = "家政服务员"
    employer_id: str = "employer-1"
    employer_name: str = "北京安居家政"
    minimum_wage: int = 0


@dataclass
class FakeOpenings:
    """Postings by id; `take` holds one of their openings as jobs would, `give_back` returns it."""

    postings: dict[str, FakePosting] = field(default_factory=dict)
    held: dict[str, str] = field(default_factory=dict)  # placement id -> posting id

    def post(self, posting_id: str, *, region_code: str = "110106", headcount: int = 5, **more) -> str:
        self.postings[posting_id] = FakePosting(region_code=region_code, headcount=headcount, **more)
        return posting_id

    async def take(self, *, posting_id: str, placement_id: str, worker_id: str, start_date: date,
                   monthly_wage: int) -> Opening:
        posting = self.postings.get(posting_id)
        outcome = ("not_found" if posting is None else "closed" if not posting.open
                   else "full" if posting.headcount <= 0
                   else "below_minimum_wage" if monthly_wage < posting.minimum_wage else "held")
        if posting is None or outcome != "held":
            raise refusal(outcome, posting_id=posting_id, region_code=posting.region_code if posting else None,
                          minimum_wage=posting.minimum_wage if posting else None)
        posting.headcount -= 1
        self.held[placement_id] = posting_id
        return Opening(posting_id=posting_id, region_code=posting.region_code, title=posting.title,
                       employer_id=posting.employer_id, employer_name=posting.employer_name)

    async def give_back(self, *, posting_id: str, placement_id: str) -> None:
        if self.held.pop(placement_id, None) == posting_id:
            self.postings[posting_id].headcount += 1
