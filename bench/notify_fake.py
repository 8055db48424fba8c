"""The fake Aliyun of `bench notify` in a process of its own, as the real provider is: it checks every signature and
answers SendSms and QuerySendDetails as tests/fakes/aliyun.py does, and notes when (perf_counter, the same monotonic
clock in every process) it took each message.

    python -m bench.notify_fake [--daily-limit N]

It prints `port <n>` once it listens on 127.0.0.1:<n>, and serves beside the provider's own `/`:

    GET /bench/taken?since=<i>    the messages taken from the i-th on: [[OutId, number, perf_counter], …]

It is served by uvicorn with httptools on one thread (the tests' fakes use h11, which alone costs more per request
than the measured path does), and stops when its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from time import perf_counter

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import SentMessage


class TimedAliyun(FakeAliyun):
    """The fake Aliyun, noting when each message was taken, in the order taken."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.taken: list[tuple[str, str, float]] = []

    def record(self, message: SentMessage) -> None:
        super().record(message)
        self.taken.append((message.key or "", message.to, perf_counter()))

    def routes(self) -> list[Route]:
        async def taken(request: Request) -> JSONResponse:
            since = int(request.query_params.get("since") or 0)
            return JSONResponse(self.taken[since:])

        return [Route("/bench/taken", taken), *super().routes()]


async def serve(daily_limit: int) -> None:
    fake = TimedAliyun(daily_limit=daily_limit)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, see FakeServer
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # No access log: Aliyun's request lines carry phone numbers.
    config = uvicorn.Config(Starlette(routes=fake.routes()), lifespan="off", access_log=False, log_config=None,
                            log_level="warning", http="httptools", backlog=2048)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    print(f"port {sock.getsockname()[1]}", flush=True)
    await asyncio.to_thread(sys.stdin.read)  # the benchmark closes our stdin when it is done
    server.should_exit = True
    await serving


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.notify_fake", description=__doc__.splitlines()[0])
    parser.add_argument("--daily-limit", type=int, default=10**6, help="SMS per number and template in 24 h")
    asyncio.run(serve(parser.parse_args().daily_limit))


if __name__ == "__main__":
    main()
