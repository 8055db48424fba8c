"""The writer of `bench bus` at a high steady rate, in a process of its own as API processes would be: it writes
events into the jobs outbox one a transaction, each write started on time, and prints one line per event with its
id and the moment (perf_counter, the same monotonic clock in every process) its transaction committed.

Each transaction writes what `add_event` writes (the same envelope, row and NOTIFY), through asyncpg directly: it
stands for the commits of several API processes, and through SQLAlchemy's session one Python process on 2 shared
cores manages only 200-300 of them a second, too few to load the relay and the consumer measured.

    python -m bench.bus_writer <sqlalchemy url> <events a second> <seconds>
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timezone
from time import perf_counter

import asyncpg

from bench.report import paced
from shared.events.envelope import Envelope
from shared.events.outbox import OUTBOX_CHANNEL

EVENT = "jobs.posting.opened"
INSERT = ("INSERT INTO outbox (event_id, type, subject, body, created_at, next_attempt_at, attempts) "
          "VALUES ($1, $2, $3, $4, $5, $5, 0)")


async def write(pool: asyncpg.Pool, data: dict, committed: dict[str, float]) -> None:
    now = datetime.now(timezone.utc)
    envelope = Envelope(type=EVENT, occurred_at=now, producer="jobs", subject=str(uuid.uuid4()), version=1, data=data)
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(INSERT, str(envelope.id), EVENT, envelope.subject, envelope.model_dump_json(), now)
        await connection.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)
    committed[str(envelope.id)] = perf_counter()


async def main(url: str, rate: float, seconds: float) -> None:
    from bench.bus import DATA

    pool = await asyncpg.create_pool(url.replace("postgresql+asyncpg://", "postgresql://"), min_size=20, max_size=20)
    committed: dict[str, float] = {}
    try:
        started = perf_counter()
        writes = [asyncio.create_task(write(pool, DATA, committed))
                  async for _ in paced(range(int(rate * seconds)), rate)]
        await asyncio.gather(*writes)
        achieved = len(committed) / (perf_counter() - started)
    finally:
        await pool.close()
    lines = [f"{event_id} {at!r}" for event_id, at in committed.items()]
    sys.stdout.write("\n".join([f"achieved {achieved!r}", *lines]) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3])))
