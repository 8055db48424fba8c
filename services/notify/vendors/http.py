"""The one factory for the providers' HTTP clients: explicit timeouts, no redirects, no URLs in the logs.

The client is httpx's (the contact lookup and the tests speak its API), and its requests go out over aiohttp's
connection pool (`PooledTransport`): httpx's own pool costs about 1-2 ms of CPU a request, more the more connections
it keeps, which capped a process at some 500 provider calls a second; aiohttp's costs a fraction of it. The vendors
call `call`, which on a client of `provider_client` goes to that pool directly, without httpx's request and response
objects (about a tenth of the notify process's CPU in a burst), and through httpx on any other client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import yarl

# A provider call that has not answered in this time is treated as lost (transient, and "maybe sent").
DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 3.0
# Framing headers aiohttp writes itself from the body it is given.
_FRAMING = {b"content-length", b"transfer-encoding"}


@dataclass(frozen=True)
class Answer:
    """A provider's answer, read whole: what the vendors look at of it."""

    status_code: int
    content: bytes
    headers: Mapping[str, str]  # looked up without regard to case
    raw_headers: list[tuple[bytes, bytes]]
    reason: str = ""
    version: aiohttp.HttpVersion = aiohttp.HttpVersion11

    def json(self) -> Any:
        """The body as JSON (ValueError if it is not)."""
        return json.loads(self.content)


class PooledTransport(httpx.AsyncBaseTransport):
    """httpx requests sent through one aiohttp session: keep-alive connections reused, at most `max_connections`.

    Failures are raised as httpx's, so that the vendors tell "never sent" (could not connect, no connection free in
    time) from "maybe sent" (no answer, the connection dropped after the request was written) as before.
    """

    def __init__(self, *, max_connections: int = 50, keepalive_seconds: float = 15.0) -> None:
        self._max_connections = max_connections
        self._keepalive = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made at the first request, inside the event loop that sends (a session belongs to one loop).
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=self._keepalive)
            # httpx adds its own default headers, decodes the body and keeps cookies: aiohttp does none of it.
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
                   if name.lower() not in _FRAMING]
        body = await request.aread()
        answer = await self.send(request.method, str(request.url), headers=headers, body=body, timeouts=timeouts,
                                 request=request)
        return httpx.Response(answer.status_code, headers=answer.raw_headers, stream=httpx.ByteStream(answer.content),
                              request=request, extensions={
                                  "http_version": f"HTTP/{answer.version.major}.{answer.version.minor}".encode(),
                                  "reason_phrase": answer.reason.encode("latin-1", "replace")})

    async def send(self, method: str, url: str, *, headers: Any, body: bytes | None,
                   timeouts: Mapping[str, float | None], request: httpx.Request | None = None) -> Answer:
        """One request on the pool; `url` is sent as it is (already encoded). Failures raise httpx's exceptions."""
        timeout = aiohttp.ClientTimeout(total=None, connect=timeouts.get("pool"),
                                        sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read"))
        try:
            async with self._open().request(method, yarl.URL(url, encoded=True), headers=headers, data=body,
                                            allow_redirects=False, timeout=timeout) as response:
                content = await response.read()
                return Answer(status_code=response.status, content=content, headers=response.headers,
                              raw_headers=list(response.raw_headers), reason=response.reason or "",
                              version=response.version or aiohttp.HttpVersion11)
        except aiohttp.ConnectionTimeoutError as exc:  # no connection free or made in time: nothing was sent
            raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.InvalidURL as exc:
            raise httpx.ConnectError(f"invalid URL: {exc}", request=request) from exc
        except TimeoutError as exc:  # aiohttp.SocketTimeoutError among them: no answer in time
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(str(exc) or "server disconnected", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class ProviderClient(httpx.AsyncClient):
    """httpx's client over a `PooledTransport`, which the vendors' `call` uses directly."""

    def __init__(self, *, pool: PooledTransport, **kwargs: Any) -> None:
        super().__init__(transport=pool, **kwargs)
        self.pool = pool


async def call(client: httpx.AsyncClient, method: str, url: str, *, headers: Mapping[str, str],
               content: bytes | None = None) -> Answer:
    """A provider call, with the client's timeouts; on a `ProviderClient` straight to its pool. Failures raise
    httpx's exceptions either way, so that the vendors tell "never sent" from "maybe sent" as before."""
    if isinstance(client, ProviderClient):
        return await client.pool.send(method, url, headers=headers, body=content,
                                      timeouts=client.timeout.as_dict())
    response = await client.request(method, url, headers=headers, content=content)
    return Answer(status_code=response.status_code, content=response.content, headers=response.headers,
                  raw_headers=list(response.headers.raw), reason=response.reason_phrase)


def provider_client(*, timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                    max_connections: int = 50, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Make the HTTP client the SMS and WeChat providers share (one per process, closed by its owner)."""
    # httpx logs every request URL at INFO; Aliyun puts phone numbers and WeChat the app secret in the query.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings: dict[str, Any] = {
        "timeout": httpx.Timeout(timeout, connect=connect_timeout),
        "limits": httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        "follow_redirects": False,
    }
    if transport is not None:
        return httpx.AsyncClient(transport=transport, **settings)
    return ProviderClient(pool=PooledTransport(max_connections=max_connections), **settings)
