"""Holding a posting's opening at jobs before a placement is recorded: the port and its HTTP adapter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import quote

import httpx
from starlette.types import ASGIApp

from shared.errors import Conflict, Invalid, NotFound, Unavailable
from shared.reference.regions import get_region
from shared.service_token import ServiceToken


@dataclass(frozen=True)
class Opening:
    """An opening held for a placement, and what the placement takes over from its posting."""

    posting_id: str
    region_code: str
    title: str
    employer_id: str
    employer_name: str


class Openings(Protocol):
    async def take(self, *, posting_id: str, placement_id: str, worker_id: str, start_date: date,
                   monthly_wage: int) -> Opening:
        """Hold one opening; NotFound, Conflict (closed or full) or Invalid (below the minimum wage) when not."""

    async def give_back(self, *, posting_id: str, placement_id: str) -> None:
        """Give back an opening held for a placement that was not recorded after all."""


def refusal(outcome: str, *, posting_id: str, region_code: str | None, minimum_wage: int | None) -> Exception:
    """The error staff see when jobs held no opening."""
    if outcome == "not_found":
        return NotFound(f"posting {posting_id} not found", code="posting_not_found", zh="没有找到这个岗位")
    if outcome == "closed":
        return Conflict("the posting is closed", code="posting_closed", zh="这个岗位已关闭，不能再登记就业")
    if outcome == "full":
        return Conflict("the posting has no opening left", code="posting_full", zh="这个岗位已招满")
    if outcome == "below_minimum_wage":
        region = get_region(region_code or "")
        place = region.name if region is not None else "当地"
        return Invalid(f"the monthly wage is below the minimum wage of {minimum_wage} yuan where the job is",
                       field="monthly_wage", code="below_minimum_wage",
                       zh=f"月工资低于{place}最低工资标准（{minimum_wage}元）")
    return Unavailable(f"jobs answered an unknown outcome {outcome!r}")


class JobsOpenings:
    """The opening calls over HTTP: `POST /jobs/internal/postings/{id}/openings` with a service token."""

    def __init__(self, *, base_url: str, token: ServiceToken, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._transport: httpx.AsyncBaseTransport | None = None

    def serve_in_process(self, app: ASGIApp) -> None:
        """Jobs is served by this very process: call it through the app, with no socket in between."""
        self._base = "http://in-process"
        self._transport = httpx.ASGITransport(app=app)

    def _client(self) -> httpx.AsyncClient:
        # Placements are few: a client per call, so nothing stays open between them.
        return httpx.AsyncClient(transport=self._transport, timeout=self._timeout)

    async def take(self, *, posting_id: str, placement_id: str, worker_id: str, start_date: date,
                   monthly_wage: int) -> Opening:
        body = {"placement_id": placement_id, "worker_id": worker_id, "start_date": start_date.isoformat(),
                "monthly_wage": monthly_wage}
        url = f"{self._base}/jobs/internal/postings/{_segment(posting_id)}/openings"
        try:
            async with self._client() as client:
                response = await client.post(url, json=body, headers=self._token.headers())
        except httpx.HTTPError as exc:
            raise Unavailable(f"jobs did not answer ({type(exc).__name__})") from exc
        if response.status_code == 404:  # a posting id no route can hold (e.g. a slash in it)
            raise refusal("not_found", posting_id=posting_id, region_code=None, minimum_wage=None)
        if response.status_code != 200:
            raise Unavailable(f"jobs answered HTTP {response.status_code}")
        try:
            answer = response.json()
            if answer["outcome"] != "held":
                raise refusal(answer["outcome"], posting_id=posting_id, region_code=answer.get("region_code"),
                              minimum_wage=answer.get("minimum_wage"))
            return Opening(posting_id=posting_id, region_code=str(answer["region_code"]), title=str(answer["title"]),
                           employer_id=str(answer["employer_id"]), employer_name=str(answer["employer_name"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise Unavailable("jobs answered with an unexpected body") from exc

    async def give_back(self, *, posting_id: str, placement_id: str) -> None:
        url = f"{self._base}/jobs/internal/postings/{_segment(posting_id)}/openings/{_segment(placement_id)}"
        try:
            async with self._client() as client:
                await client.delete(url, headers=self._token.headers())
        except httpx.HTTPError:
            pass  # jobs gives back an opening never confirmed by itself after a while


def _segment(value: str) -> str:
    return quote(value, safe="")
