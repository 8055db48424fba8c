"""The one factory for the providers' HTTP clients: explicit timeouts, no redirects, no URLs in the logs.

The client is httpx's (the vendors, the contact lookup and the tests speak its API), and its requests go out over
aiohttp's connection pool (`PooledTransport`): httpx's own pool costs about 1-2 ms of CPU a request, more the more
connections it keeps, which capped a process at some 500 provider calls a second; aiohttp's costs a fraction of it.
"""

from __future__ import annotations

import logging

import aiohttp
import httpx
import yarl

# A provider call that has not answered in this time is treated as lost (transient, and "maybe sent").
DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 3.0
# Framing headers aiohttp writes itself from the body it is given.
_FRAMING = {b"content-length", b"transfer-encoding"}


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
        timeout = aiohttp.ClientTimeout(total=None, connect=timeouts.get("pool"),
                                        sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read"))
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
                   if name.lower() not in _FRAMING]
        body = await request.aread()
        try:
            async with self._open().request(request.method, yarl.URL(str(request.url), encoded=True),
                                            headers=headers, data=body, allow_redirects=False,
                                            timeout=timeout) as response:
                content = await response.read()
                version = response.version or aiohttp.HttpVersion11
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
        return httpx.Response(response.status, headers=list(response.raw_headers), stream=httpx.ByteStream(content),
                              request=request, extensions={
                                  "http_version": f"HTTP/{version.major}.{version.minor}".encode(),
                                  "reason_phrase": (response.reason or "").encode("latin-1", "replace")})

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def provider_client(*, timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                    max_connections: int = 50, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Make the HTTP client the SMS and WeChat providers share (one per process, closed by its owner)."""
    # httpx logs every request URL at INFO; Aliyun puts phone numbers and WeChat the app secret in the query.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
        transport=transport or PooledTransport(max_connections=max_connections),
    )
