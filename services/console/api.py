"""The four services' HTTP APIs, called on behalf of the signed-in user with a short-lived token of their role.

The console never opens another service's database. Each call carries a JWT minted for the user's role and scope
(`station_staff` with its region, `partner_office` with its office id, `admin`), valid for a few minutes, so every
rule of access is the API's own. Where a service is served by this very process (the embedded platform) the call
goes to it in-process; otherwise over HTTP to the URL the settings give.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.console.messages import field_errors
from services.console.settings import ConsoleSettings
from shared.auth import mint_token

API_SERVICES = ("jobs", "workers", "matching", "notify")


class ApiError(Exception):
    """An API answered with an error: its status, a Chinese message, and one per field."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message, self.fields = status, message, fields or {}


def base_url(settings: ConsoleSettings, service: str) -> str:
    if service in settings.api_urls:
        return settings.api_urls[service].rstrip("/")
    if settings.api_url:
        return settings.api_url.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"


class Api:
    """One user's calls during one request."""

    def __init__(self, *, app: FastAPI, settings: ConsoleSettings, sub: str, role: str, region: str | None,
                 office_id: str | None) -> None:
        self.app, self.settings = app, settings
        self.token = mint_token(key=settings.signing_key, role=role, sub=sub, region=region, office_id=office_id,
                                ttl=timedelta(seconds=settings.api_token_seconds))
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client(self, service: str) -> httpx.AsyncClient:
        if service not in self._clients:
            in_process = (service in self.app.state.units and not self.settings.api_url
                          and service not in self.settings.api_urls)
            transport = httpx.ASGITransport(app=self.app) if in_process else None
            self._clients[service] = httpx.AsyncClient(
                transport=transport,
                base_url="http://console.internal" if in_process else base_url(self.settings, service),
                timeout=self.settings.api_timeout_seconds,
                headers={"Authorization": f"Bearer {self.token}", "Accept-Language": "zh-CN",
                         "User-Agent": "jobbridge-console"})
        return self._clients[service]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        service = path.lstrip("/").split("/", 1)[0]
        if service not in API_SERVICES:
            raise ValueError(f"not an API path: {path}")
        try:
            answer = await self._client(service).request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(502, "服务暂时连不上，请稍后再试。") from exc
        if answer.status_code >= 400:
            try:
                body = answer.json()
            except ValueError:
                body = None
            message, fields = field_errors(body, status=answer.status_code)
            raise ApiError(answer.status_code, message, fields)
        return answer

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return (await self.request("GET", path, params=clean)).json()

    async def post(self, path: str, body: Any) -> Any:
        answer = await self.request("POST", path, json=body)
        return answer.json() if answer.content else None

    async def put(self, path: str, body: Any) -> Any:
        return (await self.request("PUT", path, json=body)).json()

    async def patch(self, path: str, body: Any) -> Any:
        return (await self.request("PATCH", path, json=body)).json()
