"""The one factory for the providers' HTTP clients: explicit timeouts, no redirects, no URLs in the logs."""

from __future__ import annotations

import logging

import httpx

# A provider call that has not answered in this time is treated as lost (transient, and "maybe sent").
DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 3.0


def provider_client(*, timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                    max_connections: int = 50, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Make the HTTP client the SMS and WeChat providers share (one per process, closed by its owner)."""
    # httpx logs every request URL at INFO; Aliyun puts phone numbers and WeChat the app secret in the query.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
        transport=transport,
    )
