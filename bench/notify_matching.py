"""Matching's stand-in of `bench notify`, in a process of its own as the matching service is: PUBLISHERS buses
publishing `matching.recommendations.issued` side by side, and a queue taking notify's own events (standing for
their consumers, so that notify's relay publishes to a bound queue).

    python -m bench.notify_matching <amqp_url>

It prints `ready` once its buses are connected, then answers each command line on its standard input with one line:

    burst <events file> <times file>           publish the events, 200 at a time (as a relay publishes a batch)
    paced <rate> <events file> <times file>    publish them at `rate` a second

The events file holds one event's JSON a line; the times file gets when (perf_counter, the same monotonic clock in
every process) each was published, in their order, as a JSON list. The answer is `published <seconds>`: from the
first publish to the last confirm. It stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from time import perf_counter

from bench.report import paced
from shared.events.amqp import RabbitBus
from shared.events.envelope import Envelope

PUBLISHERS = 8  # buses (connections, channels) publishing side by side
CHUNK = 200  # a burst's events published at once


class Matching:
    """PUBLISHERS buses taking the events in turn. One bus publishes one event at a time on its channel, each
    awaiting its confirm (aiormq's channel lock): alone, one bus took 7 of the 7.4 s of a 1,000-set burst, so the
    burst measured the publisher. Each waits up to 120 s for a confirm: a backlog at 500/s then shows in the
    latency (measured from the publish call) instead of failing the run."""

    def __init__(self, amqp_url: str) -> None:
        self.buses = [RabbitBus(amqp_url, publish_timeout=120, name=f"bench matching {i}")
                      for i in range(PUBLISHERS)]
        self._next = 0

    async def start(self) -> None:
        for bus in self.buses:
            await bus.start()

        async def ignore(_: Envelope) -> None:
            """Stands for the consumers of notify's own events."""

        await self.buses[0].subscribe("bench-notify-events", ["notify.#"], ignore)

    async def close(self) -> None:
        for bus in self.buses:
            await bus.close()

    async def publish(self, event: Envelope, times: list[float], i: int) -> None:
        self._next = (self._next + 1) % len(self.buses)
        times[i] = perf_counter()
        await self.buses[self._next].publish(event)

    async def burst(self, events: list[Envelope]) -> list[float]:
        times = [0.0] * len(events)
        for chunk in range(0, len(events), CHUNK):
            await asyncio.gather(*(self.publish(event, times, chunk + i)
                                   for i, event in enumerate(events[chunk:chunk + CHUNK])))
        return times

    async def paced(self, events: list[Envelope], rate: float) -> list[float]:
        times = [0.0] * len(events)
        tasks = [asyncio.create_task(self.publish(event, times, i))
                 async for i, event in paced(list(enumerate(events)), rate)]
        await asyncio.gather(*tasks)
        return times


async def serve(amqp_url: str) -> None:
    matching = Matching(amqp_url)
    await matching.start()
    try:
        print("ready", flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, *args = line.split()
            events_file, times_file = Path(args[-2]), Path(args[-1])
            events = [Envelope.model_validate_json(row) for row in events_file.read_text().splitlines() if row]
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
