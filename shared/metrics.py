"""Prometheus metrics shared by the services, and the `/metrics` endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter("jobbridge_http_requests_total", "HTTP requests", ["service", "method", "status"])
HTTP_LATENCY = Histogram("jobbridge_http_request_seconds", "HTTP request latency", ["service"])
OUTBOX_PUBLISHED = Counter("jobbridge_outbox_published_total", "Outbox events confirmed by the bus", ["service"])
OUTBOX_FAILURES = Counter("jobbridge_outbox_publish_failures_total", "Outbox publish attempts that failed", ["service"])
OUTBOX_BACKLOG = Gauge("jobbridge_outbox_backlog", "Outbox events not yet published", ["service"])
EVENTS_HANDLED = Counter("jobbridge_events_handled_total", "Events handled by consumers",
                         ["consumer", "type", "outcome"])

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
