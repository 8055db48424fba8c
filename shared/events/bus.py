"""The bus protocol that the in-process and RabbitMQ buses implement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from shared.events.envelope import Envelope

Handler = Callable[[Envelope], Awaitable[None]]


class PublishError(Exception):
    """The broker did not confirm the event (nack, unroutable, or no connection); the outbox keeps it."""


class Bus(Protocol):
    async def start(self) -> None:
        """Connect; declare the exchange."""

    async def close(self) -> None:
        """Stop consuming and disconnect."""

    async def publish(self, envelope: Envelope, *, mandatory: bool = True) -> None:
        """Publish with the routing key `envelope.type`; return once confirmed, raise PublishError otherwise.

        A mandatory event nobody is bound to is refused (it stays in the outbox until a consumer binds); with
        `mandatory=False` it is confirmed and goes nowhere: for events published for whoever may bind to them."""

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler) -> None:
        """Deliver events matching `bindings` (topic patterns) to `handler` through the queue named `consumer`.

        The handler returns after its transaction commits (then the event is acknowledged) or raises (then it is
        delivered again, and after the delivery limit it goes to the dead-letter queue).
        """

    async def dead_letters(self, consumer: str) -> int:
        """How many events the consumer gave up on (its dead-letter queue)."""
