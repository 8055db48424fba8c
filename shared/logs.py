"""JSON logs with a request id, and the middleware that sets it and counts requests."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed through `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (rid := request_id.get()) is not None:
            entry["request_id"] = rid
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request's full URL at INFO; provider URLs carry phone numbers in their query strings.
    for noisy in ("aiormq", "aio_pika", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn's access log prints full URLs (query strings can hold search terms); our middleware logs requests.
    logging.getLogger("uvicorn.access").disabled = True


class RequestContext:
    """Give each request an id (taken from X-Request-ID when sent), echo it, count and time the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("jobbridge.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            service = scope["path"].strip("/").split("/", 1)[0] or "root"
            HTTP_REQUESTS.labels(service, scope["method"], str(status)).inc()
            HTTP_LATENCY.labels(service).observe(elapsed)
            # The path only: query strings may carry names or search terms.
            self.log.info("request", extra={"method": scope["method"], "path": logged_path(scope["path"]),
                                            "status": status, "ms": round(elapsed * 1000, 1)})
            request_id.reset(token)


# A path segment that is itself a key (the signed link of a WeChat offers page): never written to a log.
_CAPABILITY = re.compile(r"^(/notify/offers/)[^/]+")


def logged_path(path: str) -> str:
    """The path as the request log keeps it: a link's key replaced by "…"."""
    return _CAPABILITY.sub(r"\1…", path)
