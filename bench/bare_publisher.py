"""The publisher of the bus benchmark's bare baseline (bench/bare_amqp.py) in a process of its own, as a relay in a
process of its own stands beside its consumers.

    python -m bench.bare_publisher <amqp url> <batch>

It prints `ready` once connected, then answers commands on its standard input (bench.infra.Child): `load`, followed
by lines of "<key> <body>" up to an empty line, keeps those messages (answer `loaded <count>`); `go` publishes them
`batch` at a time, each batch's confirms awaited together (answer `cpu <seconds>`: the CPU time, user and system,
publishing took). It exits when its input closes.
"""

from __future__ import annotations

import asyncio
import sys
import time

import aio_pika

from bench.bare_amqp import BareAmqp


async def main(url: str, batch: int) -> None:
    connection = await aio_pika.connect(url)
    loop = asyncio.get_running_loop()
    try:
        channel = await connection.channel(publisher_confirms=True)
        bare = BareAmqp(channel.default_exchange, batch=batch)
        items: list[tuple[str, bytes]] = []
        print("ready", flush=True)
        while command := (await loop.run_in_executor(None, sys.stdin.buffer.readline)).strip():
            if command == b"load":
                items = []
                while line := sys.stdin.buffer.readline().rstrip(b"\n"):
                    key, body = line.split(b" ", 1)
                    items.append((key.decode(), body))
                print(f"loaded {len(items)}", flush=True)
            elif command == b"go":
                began = time.process_time()
                await bare.publish_all(items)
                print(f"cpu {time.process_time() - began:.4f}", flush=True)
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
