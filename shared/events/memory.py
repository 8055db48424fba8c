"""The in-process bus of the embedded mode: the outbox relay publishes into it, consumers run in the same process.

`publish` returns only when every subscribed consumer has handled the event (or given up on it), so the relay marks
an outbox row sent only after its effects are committed: a crash in between means the row is published again after
the restart, and the consumers' inboxes make the second delivery change nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.events.bus import BatchHandler, Handler, PublishError, StoredEvent, publish_each
from shared.events.envelope import Envelope

log = logging.getLogger("jobbridge.bus")


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` is zero or more words."""
    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and (p[0] == "*" or p[0] == k[0]) and match(p[1:], k[1:])

    return match(pattern.split("."), key.split("."))


@dataclass
class _Subscription:
    consumer: str
    bindings: Sequence[str]
    handler: Handler
    dead_letters: list[Envelope] = field(default_factory=list)


class InProcessBus:
    def __init__(self, *, delivery_limit: int = 5, retry_delay: float = 0.05) -> None:
        self.delivery_limit = delivery_limit
        self.retry_delay = retry_delay
        self._subscriptions: dict[str, _Subscription] = {}
        self._open = False

    @property
    def connected(self) -> bool:
        return self._open

    async def start(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler, *,
                        batch_handler: BatchHandler | None = None, linger: float = 0.0) -> None:
        # `publish` hands over one event at a time and waits for it: there is never a batch to hand over (nor to
        # linger for).
        self._subscriptions[consumer] = _Subscription(consumer, list(bindings), handler)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """In-process: there is no connection to lose."""

    async def publish(self, envelope: Envelope, *, mandatory: bool = True) -> None:
        if not self._open:
            raise PublishError("the in-process bus is closed")
        targets = [s for s in self._subscriptions.values() if any(topic_matches(b, envelope.type) for b in s.bindings)]
        if not targets and mandatory:
            # Like a mandatory publish to RabbitMQ: with no consumer bound the event stays in the outbox.
            raise PublishError(f"no consumer is subscribed to {envelope.type}")
        await asyncio.gather(*(self._deliver(s, envelope) for s in targets))

    async def publish_all(self, events: Sequence[StoredEvent]) -> list[BaseException | None]:
        return await publish_each(self, events)

    async def _deliver(self, subscription: _Subscription, envelope: Envelope) -> None:
        for attempt in range(1, self.delivery_limit + 1):
            try:
                await subscription.handler(envelope)
                return
            except Exception:  # noqa: BLE001 - a failing handler is retried, then dead-lettered
                log.exception("handler failed", extra={"consumer": subscription.consumer, "event_type": envelope.type,
                                                       "event_id": str(envelope.id), "attempt": attempt})
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        subscription.dead_letters.append(envelope)
        log.error("event dead-lettered", extra={"consumer": subscription.consumer, "event_type": envelope.type,
                                                "event_id": str(envelope.id)})

    async def dead_letters(self, consumer: str) -> int:
        subscription = self._subscriptions.get(consumer)
        return len(subscription.dead_letters) if subscription else 0
