"""Matching's stand-in of `bench notify`, in a process of its own as the matching service is: it publishes
`matching.recommendations.issued` as matching's outbox relay does (`RabbitBus.publish_all`: a batch of events already
written as JSON, their confirms awaited together), and holds a queue taking notify's own events (standing for their
consumers, so that notify's relay publishes to a bound queue).

    python -m bench.notify_matching <amqp_url>

It prints `ready` once its bus is connected, then answers each command line on its standard input with one line:

    burst <events file> <times file>           publish the events, a batch of 200 at a time (the relay's batch)
    paced <rate> <events file> <times file>    issue them at `rate` a second, published as the relay publishes them

The events file holds one event's JSON a line; the times file gets when (perf_counter, the same monotonic clock in
every process) each was published, in their order, as a JSON list. The answer is `published <seconds>`: from the
first publish (or issue) to the last confirm. It stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import sys
from datetime import datetime
from pathlib import Path
from time import perf_counter

from shared.events.amqp import RabbitBus
from shared.events.bus import StoredEvent
from shared.events.envelope import Envelope

BATCH = 200  # events published together, as matching's relay publishes a batch of its outbox


class Matching:
    """Publishes as matching's relay does. Its bus waits up to 120 s for a confirm: a backlog at 500/s then shows
    in the latency (measured from the publish) instead of failing the run."""

    def __init__(self, amqp_url: str) -> None:
        self.bus = RabbitBus(amqp_url, publish_timeout=120, name="bench matching")

    async def start(self) -> None:
        await self.bus.start()

        async def ignore(_: Envelope) -> None:
            """Stands for the consumers of notify's own events."""

        await self.bus.subscribe("bench-notify-events", ["notify.#"], ignore)

    async def close(self) -> None:
        await self.bus.close()

    async def publish(self, events: list[StoredEvent]) -> None:
        failures = [failure for failure in await self.bus.publish_all(events) if failure is not None]
        if failures:
            raise RuntimeError(f"{len(failures)} of {len(events)} events not published: {failures[0]}")

    async def burst(self, events: list[StoredEvent]) -> list[float]:
        times: list[float] = []
        for start in range(0, len(events), BATCH):
            batch = events[start:start + BATCH]
            times += [perf_counter()] * len(batch)
            await self.publish(batch)
        return times

    async def paced(self, events: list[StoredEvent], rate: float) -> list[float]:
        """Issue the events at `rate` a second and publish them as matching's relay publishes what its commits add
        to the outbox: each pass takes every event issued since the last one (at most BATCH) and publishes them
        together, then looks again. An event's time is when it was issued, so the relay's wait is in its latency."""
        started = perf_counter()
        times = [started + i / rate for i in range(len(events))]
        sent = 0
        while sent < len(events):
            issued = bisect.bisect_right(times, perf_counter(), lo=sent, hi=min(sent + BATCH, len(events)))
            if issued == sent:
                await asyncio.sleep(times[sent] - perf_counter())
                continue
            await self.publish(events[sent:issued])
            sent = issued
        return times


def stored(line: str) -> StoredEvent:
    """An event's JSON as the outbox keeps it: published as it is."""
    fields = json.loads(line)
    return StoredEvent(str(fields["id"]), fields["type"], datetime.fromisoformat(fields["occurred_at"]),
                       line.encode())


async def serve(amqp_url: str) -> None:
    matching = Matching(amqp_url)
    await matching.start()
    try:
        print("ready", flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, *args = line.split()
            events_file, times_file = Path(args[-2]), Path(args[-1])
            events = [stored(row) for row in events_file.read_text().splitlines() if row]
            started = perf_counter()
            if command == "burst":
                times = await matching.burst(events)
            elif command == "paced":
                times = await matching.paced(events, float(args[0]))
            else:
                raise SystemExit(f"unknown command {command!r}")
            took = perf_counter() - started
            times_file.write_text(json.dumps(times))
            print(f"published {took:.6f}", flush=True)
    finally:
        await matching.close()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
