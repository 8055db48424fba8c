"""The bus benchmark's baseline: bare aio-pika, persistent messages with publisher confirms into one quorum queue
(the queue type the platform's consumers use), and a consumer that acknowledges each message by hand. No outbox,
no inbox, no database, no envelope parsing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from time import perf_counter, process_time

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from bench.infra import Child, seconds
from bench.report import Arrivals, paced

QUEUE = "bare"


class BareAmqp:
    """`ack_together`: the messages that arrive together are acknowledged with one ack (`multiple`), as the
    platform's batch consumers acknowledge a batch; otherwise each is acknowledged by itself."""

    def __init__(self, exchange: AbstractExchange, *, batch: int, ack_together: bool = False) -> None:
        self.exchange = exchange
        self.batch = batch
        self.arrivals = Arrivals()
        self._ack_together = ack_together
        self._latest: AbstractIncomingMessage | None = None
        self._acking: asyncio.Task[None] | None = None

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        self.arrivals.record(message.message_id or "")
        if not self._ack_together:
            await message.ack()
            return
        self._latest = message
        if self._acking is None:
            self._acking = asyncio.create_task(self._ack_latest())

    async def _ack_latest(self) -> None:
        await asyncio.sleep(0)  # the messages that came in the same read are taken first
        message, self._latest, self._acking = self._latest, None, None
        if message is not None:
            await message.ack(multiple=True)

    async def publish(self, key: str, body: bytes) -> None:
        """Return once the broker confirmed the message."""
        message = aio_pika.Message(body, message_id=key, content_type="application/json",
                                   delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await self.exchange.publish(message, routing_key=QUEUE, mandatory=True)

    async def burst(self, bodies: dict[str, bytes]) -> tuple[float, float]:
        """Messages a second from the first publish to the last consumed, published `batch` at a time as the
        relay does; and the CPU per message of this process (publisher and consumer)."""
        cpu, started = process_time(), perf_counter()
        await self.publish_all(list(bodies.items()))
        arrived = await self.arrivals.wait_for(bodies)
        return len(bodies) / (max(arrived) - started), (process_time() - cpu) / len(bodies)

    async def burst_apart(self, publisher: Child, bodies: dict[str, bytes]) -> tuple[float, float, float]:
        """As `burst`, published by a process of its own (bench/bare_publisher.py) and consumed in this one; the
        CPU per message of each."""
        await self.stage(publisher, bodies)
        return await self.go(publisher, list(bodies))

    @staticmethod
    async def stage(publisher: Child, bodies: dict[str, bytes]) -> None:
        """Hand the publisher's process the messages its next `go` publishes."""
        lines = b"".join(key.encode() + b" " + body + b"\n" for key, body in bodies.items())
        if await publisher.say("load", then=lines + b"\n") != f"loaded {len(bodies)}":
            raise RuntimeError("bench.bare_publisher did not take the messages")

    async def go(self, publisher: Child, keys: list[str]) -> tuple[float, float, float]:
        """Publish what was staged; as `burst_apart` once every key arrived."""
        cpu, started = process_time(), perf_counter()
        published = await publisher.say("go")
        arrived = await self.arrivals.wait_for(keys)
        rate, consumer = len(keys) / (max(arrived) - started), (process_time() - cpu) / len(keys)
        return rate, consumer, seconds(published) / len(keys)

    async def publish_all(self, items: list[tuple[str, bytes]]) -> None:
        """Publish `batch` at a time, as the relay does: each batch's confirms awaited together."""
        for first in range(0, len(items), self.batch):
            await asyncio.gather(*(self.publish(key, body) for key, body in items[first:first + self.batch]))

    async def steady(self, bodies: dict[str, bytes], rate: float) -> list[float]:
        """Seconds from publish to consume of each message, published one by one at `rate` a second."""
        sent: dict[str, float] = {}
        confirms = []
        async for key, body in paced(bodies.items(), rate):
            sent[key] = perf_counter()
            confirms.append(asyncio.create_task(self.publish(key, body)))
        await asyncio.gather(*confirms)
        arrived = await self.arrivals.wait_for(sent)
        return [at - published for at, published in zip(arrived, sent.values())]


@asynccontextmanager
async def bare_amqp(url: str, *, prefetch: int, batch: int, ack_together: bool = False) -> AsyncIterator[BareAmqp]:
    """A publishing connection and a consuming one (as two processes would have), the queue declared."""
    publisher = await aio_pika.connect(url)
    consumer = await aio_pika.connect(url)
    try:
        channel = await publisher.channel(publisher_confirms=True)
        bare = BareAmqp(channel.default_exchange, batch=batch, ack_together=ack_together)
        receiving = await consumer.channel()
        await receiving.set_qos(prefetch_count=prefetch)
        queue = await receiving.declare_queue(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.consume(bare.on_message)
        yield bare
    finally:
        await consumer.close()
        await publisher.close()
