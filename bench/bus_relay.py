"""The relay of `bench bus` in a process of its own, as `jobbridge relay jobs` runs it: the jobs outbox relay over
its own RabbitBus and connection pool, listening for the outbox's NOTIFY.

    python -m bench.bus_relay <sqlalchemy url> <amqp url>

It prints `ready` once its bus is connected, then answers commands on its standard input (bench.infra.Child):
`go` starts the relay (answer `relaying`), `stop` stops it (answer `cpu <seconds>`: the CPU time, user and system,
the process spent since `go`). It exits when its input closes.
"""

from __future__ import annotations

import asyncio
import sys
import time

from services.jobs.db import outbox
from services.jobs.settings import JobsSettings
from shared import heap
from shared.db import Database
from shared.events.outbox import OutboxRelay
from shared.runtime import make_bus


async def main(db_url: str, amqp_url: str) -> None:
    settings = JobsSettings(database_url=db_url, bus="amqp", amqp_url=amqp_url,
                            jwt_secret="bench-signing-secret-of-at-least-32-bytes")
    bus, database = make_bus(settings, name="bench relay"), Database(db_url)
    await bus.start()
    relay = OutboxRelay(database=database, outbox=outbox, bus=bus, service="jobs", batch=settings.relay_batch,
                        poll_seconds=settings.relay_poll_seconds)
    loop = asyncio.get_running_loop()
    heap.settle()  # as a `jobbridge relay` process once started
    try:
        print("ready", flush=True)
        while (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "go":
            began = time.process_time()
            stop = asyncio.Event()
            task = asyncio.create_task(relay.run(stop))
            print("relaying", flush=True)
            await loop.run_in_executor(None, sys.stdin.readline)  # `stop`, or the end of the input
            stop.set()
            await task
            print(f"cpu {time.process_time() - began:.4f}", flush=True)
    finally:
        await bus.close()
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
