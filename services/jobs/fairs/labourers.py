"""Who lives where, as workers knows it: staff invite only the labourers of their own area to a fair. The port and
its HTTP adapter (`POST /workers/internal/profiles/within` with a service token)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import httpx
from starlette.types import ASGIApp

from shared.errors import Unavailable
from shared.service_token import ServiceToken


class Labourers(Protocol):
    async def inside(self, worker_ids: Sequence[str], region: str) -> set[str]:
        """Those of the ids that are registered labourers living inside `region` ("" is anywhere)."""


class WorkersLabourers:
    def __init__(self, *, base_url: str, token: ServiceToken, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._transport: httpx.AsyncBaseTransport | None = None

    def serve_in_process(self, app: ASGIApp) -> None:
        """Workers is served by this very process: ask it through the app, with no socket in between."""
        self._base = "http://in-process"
        self._transport = httpx.ASGITransport(app=app)

    async def inside(self, worker_ids: Sequence[str], region: str) -> set[str]:
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout) as client:
                response = await client.post(f"{self._base}/workers/internal/profiles/within",
                                             json={"worker_ids": list(worker_ids), "region": region},
                                             headers=self._token.headers())
        except httpx.HTTPError as exc:
            raise Unavailable(f"workers did not answer ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise Unavailable(f"workers answered HTTP {response.status_code}")
        try:
            return {str(w) for w in response.json()["inside"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise Unavailable("workers answered with an unexpected body") from exc
