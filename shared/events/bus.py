"""The bus protocol that the in-process and RabbitMQ buses implement."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from shared.events.envelope import Envelope

Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[None]]


class PublishError(Exception):
    """The broker did not confirm the event (nack, unroutable, or no connection); the outbox keeps it."""


class StoredEvent(NamedTuple):
    """An event as the outbox keeps it: its envelope already written as JSON, published as it is."""

    id: str
    type: str
    occurred_at: datetime
    body: bytes
    mandatory: bool = True


async def publish_each(bus: Bus, events: Sequence[StoredEvent]) -> list[BaseException | None]:
    """`publish_all` for a bus that publishes envelopes one by one: each body read back into its envelope."""
    return list(await asyncio.gather(*(bus.publish(Envelope.from_json(e.body), mandatory=e.mandatory)
                                       for e in events), return_exceptions=True))


class Bus(Protocol):
    async def start(self) -> None:
        """Connect; declare the exchange."""

    async def close(self) -> None:
        """Stop consuming and disconnect."""

    async def publish(self, envelope: Envelope, *, mandatory: bool = True) -> None:
        """Publish with the routing key `envelope.type`; return once confirmed, raise PublishError otherwise.

        A mandatory event nobody is bound to is refused (it stays in the outbox until a consumer binds); with
        `mandatory=False` it is confirmed and goes nowhere: for events published for whoever may bind to them."""

    async def publish_all(self, events: Sequence[StoredEvent]) -> list[BaseException | None]:
        """Publish stored events together, each as `publish` would; for each, None once confirmed or what kept it
        from being confirmed (a PublishError, or whatever stopped the process meanwhile)."""

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler, *,
                        batch_handler: BatchHandler | None = None, linger: float = 0.0) -> None:
        """Deliver events matching `bindings` (topic patterns) to `handler` through the queue named `consumer`.

        The handler returns after its transaction commits (then the event is acknowledged) or raises (then it is
        delivered again, and after the delivery limit it goes to the dead-letter queue).

        A bus that receives several events at once may hand them to `batch_handler` together: it returns after one
        transaction committed all of them, or raises having written none, and then each goes to `handler` alone,
        so that a failing event is retried or dead-lettered without holding back the others. With `linger`
        (seconds), a batch that is still small waits up to that long for more before it goes to `batch_handler`:
        fewer, larger transactions when events trickle in, for that much more latency.
        """

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time the bus has its connection back after losing it."""

    async def dead_letters(self, consumer: str) -> int:
        """How many events the consumer gave up on (its dead-letter queue)."""
