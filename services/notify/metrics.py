"""Prometheus metrics of the notify service: sends, receipts and replies per provider and outcome, the provider alert."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SENDS = Counter("jobbridge_notify_sends_total", "Provider calls to send or check a message",
                ["provider", "outcome"])
RECEIPTS = Counter("jobbridge_notify_receipts_total", "Delivery receipts received", ["provider", "outcome"])
MESSAGES = Counter("jobbridge_notify_messages_total", "Messages reaching a final status", ["status"])
# The alert: a vendor out of balance, with broken credentials or down. Alert on any increase.
PROVIDER_DOWN = Counter("jobbridge_notify_provider_down_total", "Sends that found a provider down (alert on rate)",
                        ["provider", "code"])
PROVIDER_UP = Gauge("jobbridge_notify_provider_up", "1 while the provider is taking messages, 0 while failed over",
                    ["provider"])
OPT_OUTS = Counter("jobbridge_notify_opt_outs_total", "Workers who left a channel", ["channel", "source"])
REPLIES = Counter("jobbridge_notify_replies_total", "SMS replies to the offers by what they said",
                  ["provider", "kind"])  # interest, none_fit, unknown, opt_out, repeat
