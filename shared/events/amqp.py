"""The RabbitMQ bus: one topic exchange, confirmed publishing, a quorum queue and a dead-letter queue per consumer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from functools import partial

import aio_pika
import aio_pika.exceptions as amqp_errors
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection

from shared.events.bus import Handler, PublishError
from shared.events.envelope import Envelope

log = logging.getLogger("jobbridge.bus")

MAX_BACKOFF = 5.0

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
        delivery_limit: int = 5,
        retry_delay: float = 0.2,
        publish_timeout: float = 10.0,
        name: str = "jobbridge",
    ) -> None:
        self._url = url
        self._name = name  # the connection's name in the broker's listings (which process it is)
        self._exchange_name = exchange
        self._dlx_name = f"{exchange}.dlx"
        self._prefetch = prefetch
        self._delivery_limit = delivery_limit
        self._retry_delay = retry_delay
        self._publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None

    @property
    def connected(self) -> bool:
        connection = self._connection
        return connection is not None and not connection.is_closed and connection.connected.is_set()

    async def start(self) -> None:
        """Connect; declare the topic exchange and the dead-letter exchange."""
        self._connection = await aio_pika.connect_robust(self._url, client_properties={"connection_name": self._name})
        # on_return_raises turns a Basic.Return of a mandatory message into an exception instead of a callback.
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await channel.declare_exchange(
            self._exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await channel.declare_exchange(self._dlx_name, aio_pika.ExchangeType.DIRECT, durable=True)
        log.info("bus connected, exchange %s", self._exchange_name)

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
        message = aio_pika.Message(
            envelope.to_json(),
            message_id=str(envelope.id),
            type=envelope.type,
            content_type="application/json",
            timestamp=envelope.occurred_at,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            # Bounds the wait for a reconnecting channel as well as for the confirm.
            async with asyncio.timeout(self._publish_timeout):
                await exchange.publish(message, routing_key=envelope.type, mandatory=mandatory)
        except amqp_errors.PublishError as exc:
            raise PublishError(f"{envelope.type} {envelope.id} is unroutable: no queue is bound") from exc
        except amqp_errors.DeliveryError as exc:
            raise PublishError(f"the broker refused {envelope.type} {envelope.id}") from exc
        except TimeoutError as exc:
            raise PublishError(f"{envelope.type} {envelope.id} not confirmed within {self._publish_timeout} s") from exc
        except CONNECTION_FAILURES as exc:
            raise PublishError(f"cannot publish {envelope.type} {envelope.id}: {exc!r}") from exc

    async def subscribe(self, consumer: str, bindings: Sequence[str], handler: Handler) -> None:
        """Deliver events matching `bindings` to `handler` through the quorum queue named `consumer`."""
        if self._connection is None:
            raise RuntimeError("start the bus before subscribing")
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self._prefetch)
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
        await queue.consume(partial(self._deliver, consumer, handler))
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
        try:
            envelope = Envelope.from_json(message.body)
        except ValueError:  # pydantic's ValidationError, bad JSON and bad UTF-8 are all ValueErrors
            log.error("%s: dead-lettering unparsable message %s", consumer, message.message_id)
            await self._settle(consumer, message.reject(requeue=False))
            return
        try:
            await handler(envelope)
        except Exception:
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
            return
        await self._settle(consumer, message.ack())

    @staticmethod
    async def _settle(consumer: str, outcome: Awaitable[None]) -> None:
        try:
            await outcome
        except CONNECTION_FAILURES:
            # The channel went away with the message unacknowledged: the broker delivers it again.
            log.warning("%s: could not settle a message; the broker will redeliver it", consumer, exc_info=True)
