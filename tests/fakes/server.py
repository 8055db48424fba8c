"""What the fake provider servers share: a real HTTP server on a loopback port, failure switches, a record of sends."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Self

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from shared.clock import LOCAL_ZONE, Clock, SystemClock


@dataclass(frozen=True)
class SentMessage:
    """One message a fake accepted (per number, for SMS)."""

    to: str  # phone number as the provider got it, or openid
    params: Any  # Aliyun: dict; Tencent: list; WeChat: the template data
    key: str | None  # OutId / SessionContext / client_msg_id
    message_id: str  # BizId / SerialNo / msgid
    text: str  # SMS: the text as the provider renders it, signature included; WeChat: the link
    template: str
    at: datetime


@dataclass
class Fault:
    kind: Literal["http", "timeout", "code"]
    action: str
    status: int = 503
    code: str = ""
    message: str | None = None
    accept: bool = False  # timeout only: the provider took the message before the answer was lost


@dataclass
class Receipts:
    """Which accepted messages have had their receipt pushed, and the outcome."""

    pushed: dict[str, str] = field(default_factory=dict)  # message id -> status pushed


class FakeServer:
    """A Starlette app served by uvicorn in a background thread on 127.0.0.1:<free port>.

    Failures are queued with `fail_next` (taken by the next calls of an action, in order) or switched on for every
    call with `down`. A timeout is simulated by answering only after `hang_seconds` — longer than the client's
    timeout — so the client gives up on its own; with `accept=True` the message is recorded first, the case where
    the provider sent it but the answer was lost.
    """

    primary_action = "send"
    hang_seconds = 5.0

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.sent: list[SentMessage] = []
        self.calls: dict[str, int] = {}  # requests received per action, failed ones included
        self.errors: list[str] = []  # tracebacks of fake bugs (a test should see none)
        self.down: str | None = None  # an error code every call of the primary action answers with
        self.receipts = Receipts()
        self.host, self.port = "127.0.0.1", 0  # where start() listens; port 0: a free one
        self.url = ""
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # --- to be provided by each fake ----------------------------------------------------------------------------
    def routes(self) -> list[Any]:
        raise NotImplementedError

    # --- failure switches ---------------------------------------------------------------------------------------
    def fail_next(self, n: int = 1, *, status: int | None = None, timeout: bool = False, accept: bool = False,
                  code: str | None = None, message: str | None = None, action: str | None = None) -> None:
        """Make the next n calls of an action (default: the send) fail: an HTTP status, a timeout, or an error code
        (with the provider's usual message for it unless `message` is given)."""
        if sum((status is not None, timeout, code is not None)) != 1:
            raise ValueError("give exactly one of status, timeout or code")
        kind: Literal["http", "timeout", "code"] = "http" if status is not None else "timeout" if timeout else "code"
        fault = Fault(kind=kind, action=action or self.primary_action, status=status or 503, code=code or "",
                      message=message, accept=accept)
        with self._lock:
            self._faults.extend(Fault(**vars(fault)) for _ in range(n))

    def clear_faults(self) -> int:
        """Forget the failures queued and not yet taken; return how many there were."""
        with self._lock:
            left = len(self._faults)
            self._faults.clear()
        return left

    def take_fault(self, action: str) -> Fault | None:
        with self._lock:
            self.calls[action] = self.calls.get(action, 0) + 1
            for fault in self._faults:
                if fault.action == action:
                    self._faults.remove(fault)
                    return fault
        return None

    async def hang(self) -> None:
        """Wait past the client's timeout (cut short when the server stops)."""
        deadline = time.monotonic() + self.hang_seconds
        while time.monotonic() < deadline and not self._stopping.is_set():
            await asyncio.sleep(0.02)

    def record(self, message: SentMessage) -> None:
        with self._lock:
            self.sent.append(message)

    def local_time(self, moment: datetime | None = None) -> str:
        return (moment or self.clock.now()).astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S")

    # --- serving --------------------------------------------------------------------------------------------------
    def guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception:
                self.errors.append(traceback.format_exc())
                raise

        return run

    def start(self) -> None:
        # IPPROTO_TCP given explicitly: asyncio sets TCP_NODELAY only then, and without it every answer on a
        # kept-alive connection waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self.url = f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"
        # No access log and no logging config: request lines carry phone numbers in Aliyun's query string.
        config = uvicorn.Config(Starlette(routes=self.routes()), lifespan="off", access_log=False, log_config=None,
                                log_level="warning", loop="asyncio", http="h11", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name=f"{type(self).__name__}-server")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # --- receipts -------------------------------------------------------------------------------------------------
    def unreported(self, only: Iterable[str] | None) -> list[SentMessage]:
        wanted = set(only) if only is not None else None
        return [m for m in self.sent if m.message_id not in self.receipts.pushed
                and (wanted is None or m.message_id in wanted)]

    @staticmethod
    async def post(url: str, bodies: list[dict[str, Any]], client: httpx.AsyncClient | None) -> list[httpx.Response]:
        """POST each body (httpx keyword arguments) to the callback URL, through `client` when given (ASGI apps)."""
        own = client is None
        client = client or httpx.AsyncClient(timeout=10)
        try:
            return [await client.post(url, **body) for body in bodies]
        finally:
            if own:
                await client.aclose()
