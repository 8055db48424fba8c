"""The RabbitMQ bus: one topic exchange, confirmed publishing, a quorum queue and a dead-letter queue per consumer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import aio_pika
import aio_pika.exceptions as amqp_errors
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection

from shared.events.bus import BatchHandler, Handler, PublishError, StoredEvent
from shared.events.envelope import Envelope

log = logging.getLogger("jobbridge.bus")

MAX_BACKOFF = 5.0
# A consumer of batches whose last batch had at least STREAM messages is taking in a stream (a burst, a run's sets):
# its next batch, if still small, waits up to STREAM_WAIT seconds for more. Under a burst of 5,000 the batches grew
# from about 16 to about 32 messages, and the consumer's CPU per event fell by about a sixth (bench/README.md, bus:
# fewer transactions, commits and acks). A trickle of one or two at a time never waits, and the first message
# after a burst at most STREAM_WAIT.
STREAM = 4
STREAM_WAIT = 0.002
RECONNECT_SECONDS = 1.0  # how often a lost connection is tried again (aio-pika's own default is 5 s)

# What a lost or closing connection raises from aio-pika and aiormq (TimeoutError is an OSError).
CONNECTION_FAILURES = (amqp_errors.AMQPError, ConnectionError, OSError, RuntimeError)


class RabbitBus:
    """The Bus protocol over RabbitMQ; `connect_robust` restores channels, queues, bindings and consumers."""

    def __init__(
        self,
        url: str,
        *,
        exchange: str = "jobbridge",
        prefetch: int = 32,
        batch_prefetch: int = 256,
        delivery_limit: int = 5,
        retry_delay: float = 0.2,
        publish_timeout: float = 10.0,
        name: str = "jobbridge",
    ) -> None:
        self._url = url
        self._name = name  # the connection's name in the broker's listings (which process it is)
        self._exchange_name = exchange
        self._dlx_name = f"{exchange}.dlx"
        self._prefetch = prefetch  # a consumer handling one event at a time: competing consumers share the queue
        self._batch_prefetch = batch_prefetch  # one handling batches: what arrives together is one transaction
        self._delivery_limit = delivery_limit
        self._retry_delay = retry_delay
        self._publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._on_reconnect: list[Callable[[], None]] = []

    @property
    def connected(self) -> bool:
        connection = self._connection
        return connection is not None and not connection.is_closed and connection.connected.is_set()

    async def start(self) -> None:
        """Connect; declare the topic exchange and the dead-letter exchange."""
        self._connection = await aio_pika.connect_robust(self._url, client_properties={"connection_name": self._name},
                                                         reconnect_interval=RECONNECT_SECONDS)
        self._connection.close_callbacks.add(self._lost)
        self._connection.reconnect_callbacks.add(self._back)
        # on_return_raises turns a Basic.Return of a mandatory message into an exception instead of a callback.
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await channel.declare_exchange(
            self._exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await channel.declare_exchange(self._dlx_name, aio_pika.ExchangeType.DIRECT, durable=True)
        log.info("bus connected, exchange %s", self._exchange_name)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time the connection is back, its channels, queues and consumers restored."""
        self._on_reconnect.append(callback)

    def _lost(self, _connection: object, error: BaseException | None = None) -> None:
        if self._connection is not None and error is not None:  # not the close of `close()`
            log.warning("bus connection %s lost; reconnecting every %g s", self._name, RECONNECT_SECONDS,
                        extra={"error": f"{type(error).__name__}: {error}"[:200]})

    def _back(self, _connection: object) -> None:
        log.info("bus connection %s is back", self._name)
        for callback in self._on_reconnect:
            try:
                callback()
            except Exception:  # noqa: BLE001 - one listener's failure must not keep the news from the others
                log.exception("a reconnection callback failed")

    async def close(self) -> None:
        """Stop consuming and disconnect."""
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            await connection.close()
            log.info("bus closed")

    async def publish(self, envelope: Envelope, *, mandatory: bool = True) -> None:
        """Publish with the routing key `envelope.type`; return once confirmed, raise PublishError otherwise."""
        exchange = self._exchange
        if exchange is None or self._connection is None or self._connection.is_closed:
            raise PublishError(f"cannot publish {envelope.type} {envelope.id}: the bus is not started")
        event = StoredEvent(str(envelope.id), envelope.type, envelope.occurred_at, envelope.to_json(), mandatory)
        try:
            # Bounds the wait for a reconnecting channel as well as for the confirm.
            async with asyncio.timeout(self._publish_timeout):
                await self._publish_one(exchange, event)
        except TimeoutError as exc:
            raise PublishError(f"{event.type} {event.id} not confirmed within {self._publish_timeout} s") from exc

    async def publish_all(self, events: Sequence[StoredEvent]) -> list[BaseException | None]:
        """Publish the events together, their confirms awaited together (aiormq writes each publish and lets the
        next go before its confirm comes); one deadline bounds the wait for all of them."""
        exchange = self._exchange
        if exchange is None or self._connection is None or self._connection.is_closed:
            return [PublishError(f"cannot publish {e.type} {e.id}: the bus is not started") for e in events]
        publishing = [asyncio.create_task(self._publish_one(exchange, event)) for event in events]
        try:
            # Bounds the wait for a reconnecting channel as well as for the confirms.
            _, late = await asyncio.wait(publishing, timeout=self._publish_timeout)
        except BaseException:  # the caller is being stopped: nothing is left publishing behind it
            for task in publishing:
                task.cancel()
            raise
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
        return [_outcome(event, task, late, self._publish_timeout) for event, task in zip(events, publishing)]

    @staticmethod
    async def _publish_one(exchange: AbstractExchange, event: StoredEvent) -> None:
        message = aio_pika.Message(
            event.body,
            message_id=event.id,
            type=event.type,
            content_type="application/json",
            timestamp=event.occurred_at,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            await exchange.publish(message, routing_key=event.type, mandatory=event.mandatory)
        except amqp_errors.PublishError as exc:
            raise PublishError(f"{event.type} {event.id} is unroutable: no queue is bound") from exc
        except amqp_errors.DeliveryError as exc:
            raise PublishError(f"the broker refused {event.type} {event.id}") from exc
        except CONNECTION_FAILURES as exc:
            raise PublishError(f"cannot publish {event.type} {event.id}: {exc!r}") from exc

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler, *,
                        batch_handler: BatchHandler | None = None, linger: float = 0.0) -> None:
        """Deliver events matching `bindings` to `handler` through the quorum queue named `consumer`; with a
        `batch_handler`, the messages that arrived while the previous batch was handled go to it together (after
        waiting up to `linger` seconds for more while fewer than half the prefetch have come)."""
        if self._connection is None:
            raise RuntimeError("start the bus before subscribing")
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self._prefetch if batch_handler is None else self._batch_prefetch)
        dead_letters = await channel.declare_queue(
            f"{consumer}.dlq", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_letters.bind(self._dlx_name, routing_key=consumer)
        queue = await channel.declare_queue(
            consumer,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": self._delivery_limit,
                "x-dead-letter-exchange": self._dlx_name,
                "x-dead-letter-routing-key": consumer,
            },
        )
        for pattern in bindings:
            await queue.bind(self._exchange_name, routing_key=pattern)
        if batch_handler is None:
            await queue.consume(partial(self._deliver, consumer, handler))
        else:
            await queue.consume(_Batches(self, consumer, handler, batch_handler, linger=linger,
                                         enough=max(self._batch_prefetch // 2, 1)).receive)
        log.info("%s consuming %s", consumer, ", ".join(bindings))

    async def dead_letters(self, consumer: str) -> int:
        """Count the messages waiting in the consumer's dead-letter queue."""
        if self._connection is None:
            raise RuntimeError("start the bus before asking for dead letters")
        # A passive declare of a missing queue closes its channel, so it gets a channel of its own.
        async with self._connection.channel(publisher_confirms=False) as channel:
            queue = await channel.declare_queue(f"{consumer}.dlq", passive=True, robust=False)
            return queue.declaration_result.message_count or 0

    async def _deliver(self, consumer: str, handler: Handler, message: AbstractIncomingMessage) -> None:
        envelope = await self._parse(consumer, message)
        if envelope is None:
            return
        try:
            await handler(envelope)
        except Exception:
            await self._retry(consumer, message, envelope)
            return
        await self._settle(consumer, message.ack())

    async def _parse(self, consumer: str, message: AbstractIncomingMessage) -> Envelope | None:
        """The message's envelope; an unparsable message is dead-lettered at once and gives None."""
        try:
            return Envelope.from_json(message.body)
        except ValueError:  # pydantic's ValidationError, bad JSON and bad UTF-8 are all ValueErrors
            log.error("%s: dead-lettering unparsable message %s", consumer, message.message_id)
            await self._settle(consumer, message.reject(requeue=False))
            return None

    async def _retry(self, consumer: str, message: AbstractIncomingMessage, envelope: Envelope) -> None:
        """After a growing pause, hand a failed message back to the queue, which counts its deliveries."""
        # RabbitMQ counts a quorum queue's deliveries in an integer header; any other value counts as none.
        count = (message.headers or {}).get("x-delivery-count") or 0
        deliveries = int(count) if isinstance(count, int | str) else 0
        log.warning(
            "%s: handling %s %s failed (redelivery %d of at most %d)",
            consumer, envelope.type, envelope.id, deliveries, self._delivery_limit, exc_info=True,
        )
        await asyncio.sleep(min(self._retry_delay * 2**deliveries, MAX_BACKOFF))
        # Requeueing makes the quorum queue count the delivery and dead-letter it past the limit.
        await self._settle(consumer, message.nack(requeue=True))

    @staticmethod
    async def _settle(consumer: str, outcome: Awaitable[None]) -> None:
        try:
            await outcome
        except CONNECTION_FAILURES:
            # The channel went away with the message unacknowledged: the broker delivers it again.
            log.warning("%s: could not settle a message; the broker will redeliver it", consumer, exc_info=True)


def _outcome(event: StoredEvent, task: asyncio.Task[None], late: set[asyncio.Task[None]],
             timeout: float) -> BaseException | None:
    if task in late:
        error = PublishError(f"{event.type} {event.id} not confirmed within {timeout} s")
        error.__cause__ = TimeoutError()
        return error
    if task.cancelled():
        return PublishError(f"{event.type} {event.id} not confirmed: the connection went")
    return task.exception()


class _Batches:
    """One consumer's messages, handled a batch at a time: whatever arrived while the previous batch was handled
    (at most the prefetch) goes to the batch handler in one transaction, and is acknowledged with one ack.

    With `linger`, a batch of fewer than `enough` messages waits up to `linger` seconds for more before it is
    handled (`enough` arriving end the wait): under a steady trickle, batches of several instead of one or two, each
    with its transaction, its inbox statement and its ack. Without it, a small batch that follows one of at least
    STREAM messages waits up to STREAM_WAIT for more (`batch_wait`): under a burst, fewer and larger transactions.

    If the batch handler raises, it wrote nothing, and each message of the batch goes to the single handler alone:
    a failing one is retried and dead-lettered as it would be alone, and the others are handled once.
    """

    def __init__(self, bus: RabbitBus, consumer: str, handler: Handler, batch_handler: BatchHandler, *,
                 linger: float = 0.0, enough: int = 1) -> None:
        self.bus, self.consumer = bus, consumer
        self.handler, self.batch_handler = handler, batch_handler
        self._linger, self._enough = linger, enough
        self._enough_came = asyncio.Event()
        self._waiting: list[AbstractIncomingMessage] = []
        self._last = 0  # how many messages the batch before had
        self._draining: asyncio.Task[None] | None = None
        self._retrying: set[asyncio.Task[None]] = set()  # failed messages waiting for their pause, unsettled

    async def receive(self, message: AbstractIncomingMessage) -> None:
        self._waiting.append(message)
        if len(self._waiting) >= self._enough:
            self._enough_came.set()
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name=f"{self.consumer}-batches")

    async def _drain(self) -> None:
        while self._waiting:
            if wait := batch_wait(len(self._waiting), last=self._last, linger=self._linger, enough=self._enough):
                self._enough_came.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._enough_came.wait()
            batch, self._waiting = self._waiting, []
            self._last = len(batch)
            try:
                await self._handle(batch)
            except Exception:  # noqa: BLE001 - unacknowledged, the broker delivers them again
                log.exception("%s: a batch of %d messages failed unexpectedly", self.consumer, len(batch))

    async def _handle(self, batch: list[AbstractIncomingMessage]) -> None:
        parsed: list[tuple[AbstractIncomingMessage, Envelope]] = []
        for message in batch:
            envelope = await self.bus._parse(self.consumer, message)
            if envelope is not None:
                parsed.append((message, envelope))
        if len(parsed) > 1:
            try:
                await self.batch_handler([envelope for _, envelope in parsed])
            except Exception:  # noqa: BLE001 - nothing of the batch was written: each goes alone
                log.warning("%s: a batch of %d events failed; handling each alone", self.consumer, len(parsed),
                            exc_info=True)
            else:
                await self._ack([message for message, _ in parsed])
                return
        for message, envelope in parsed:
            await self._one(message, envelope)

    async def _one(self, message: AbstractIncomingMessage, envelope: Envelope) -> None:
        try:
            await self.handler(envelope)
        except Exception:
            # Its pause runs beside the next batches, which must not wait for it (nor acknowledge it: see _ack).
            task = asyncio.create_task(self.bus._retry(self.consumer, message, envelope))
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)
            return
        await RabbitBus._settle(self.consumer, message.ack())

    async def _ack(self, messages: list[AbstractIncomingMessage]) -> None:
        """One ack with `multiple` for the batch when that acknowledges nothing else: every earlier message of the
        channel is settled (none waits for a retry) and the batch came on one channel (no reconnection within)."""
        last = messages[-1]
        channels = {id(_channel(message)) for message in messages}
        if not self._retrying and len(channels) == 1 and None not in channels:
            await RabbitBus._settle(self.consumer, last.ack(multiple=True))
            return
        for message in messages:
            await RabbitBus._settle(self.consumer, message.ack())


def batch_wait(waiting: int, *, last: int, linger: float, enough: int) -> float:
    """Seconds a batch of `waiting` messages waits for more before it is handled: none once `enough` came; else
    the consumer's `linger`, or STREAM_WAIT when the batch before it (`last` messages) shows a stream coming in."""
    if waiting >= enough:
        return 0.0
    if linger > 0:
        return linger
    return STREAM_WAIT if last >= STREAM else 0.0


def _channel(message: AbstractIncomingMessage) -> Any:
    try:
        return message.channel
    except amqp_errors.ChannelInvalidStateError:  # closed: the broker redelivers the message
        return None

