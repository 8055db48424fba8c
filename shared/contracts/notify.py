"""The events notify publishes: how a message ended (delivered, or failed / not sent and why), and a labourer's
answer to the offers (interest in one, or none fits). Never a phone number or the words of a reply."""

from __future__ import annotations

from shared.contracts.base import EventContract, IsoDateTime, Payload

MESSAGE_DELIVERED = "notify.message.delivered"
MESSAGE_FAILED = "notify.message.failed"
OFFER_INTERESTED = "notify.offer.interested"
OFFER_DECLINED_ALL = "notify.offer.declined_all"


class MessageEnded(Payload):
    """The message without its text: what kind (offers, or a fair's invitation: `set_id` is then the fair's id),
    who, which set and run, how, and how it ended."""

    message_id: str
    kind: str = "offers"
    worker_id: str
    set_id: str | None = None
    run_id: str | None = None
    channel: str | None = None
    """`sms` or `wechat`."""
    status: str
    """`delivered`, `failed` or `not_sent`."""
    provider: str | None = None
    attempts: int = 0
    reason: str | None = None
    """Why it failed or was not sent, in plain Chinese."""
    sent_at: IsoDateTime | None = None
    delivered_at: IsoDateTime | None = None


class OfferDeclinedAll(Payload):
    """The labourer answered 0: none of the offers fits."""

    reply_id: str
    worker_id: str | None = None
    set_id: str | None = None
    run_id: str | None = None
    message_id: str | None = None
    channel: str = "sms"
    """Where the labourer answered: sms, or wechat (the offers page)."""
    received_at: IsoDateTime


class OfferInterested(OfferDeclinedAll):
    """The labourer answered with an offer's number: interested in that posting."""

    posting_id: str | None = None
    offer_number: int | None = None
    """1 to n, as the message listed the offers."""


EVENTS = (
    EventContract(MESSAGE_DELIVERED, MessageEnded, 1, "A message reached the labourer."),
    EventContract(MESSAGE_FAILED, MessageEnded, 1, "A message will not reach the labourer (failed or not sent), "
                                                   "and why."),
    EventContract(OFFER_INTERESTED, OfferInterested, 1, "A labourer answered with an offer's number."),
    EventContract(OFFER_DECLINED_ALL, OfferDeclinedAll, 1, "A labourer answered that none of the offers fits."),
)
