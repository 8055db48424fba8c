"""The writer of `bench bus` at a high steady rate, in a process of its own as an API process would be: it writes
events into the jobs outbox one a transaction, each write started on time, and prints one line per event with its
id and the moment (perf_counter, the same monotonic clock in every process) its transaction committed.

    python -m bench.bus_writer <sqlalchemy url> <events a second> <seconds>
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from time import perf_counter

from bench.report import paced
from services.jobs.db import outbox
from shared.clock import SystemClock
from shared.db import Database
from shared.events.outbox import add_event

EVENT = "jobs.posting.opened"


async def write(database: Database, data: dict, committed: dict[str, float]) -> None:
    clock = SystemClock()
    async with database.transaction() as session:
        envelope = await add_event(session, outbox, clock=clock, producer="jobs", type=EVENT,
                                   subject=str(uuid.uuid4()), version=1, data=data)
    committed[str(envelope.id)] = perf_counter()


async def main(url: str, rate: float, seconds: float) -> None:
    from bench.bus import DATA

    database = Database(url, pool_size=20)
    committed: dict[str, float] = {}
    try:
        async with database.transaction():  # the pool's first connection, before the clock starts
            pass
        started = perf_counter()
        writes = [asyncio.create_task(write(database, DATA, committed))
                  async for _ in paced(range(int(rate * seconds)), rate)]
        await asyncio.gather(*writes)
        achieved = len(committed) / (perf_counter() - started)
    finally:
        await database.dispose()
    lines = [f"{event_id} {at!r}" for event_id, at in committed.items()]
    sys.stdout.write("\n".join([f"achieved {achieved!r}", *lines]) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3])))
