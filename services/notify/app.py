"""The notify service: its composition (routes, database, consumer, dispatcher, providers, the workers lookup of
contacts) and a standalone app."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notify import consumers
from services.notify.contacts import ContactDirectory, WorkersContacts
from services.notify.db import inbox, outbox
from services.notify.delivery.dispatcher import Dispatcher
from services.notify.delivery.providers import ProviderSet, open_providers
from services.notify.messages.router import router as messages_router
from services.notify.offers_page.router import router as offers_page_router
from services.notify.receipts.router import router as receipts_router
from services.notify.replies.router import router as replies_router
from services.notify.settings import CALLBACK_TOKEN_FILE, NotifySettings
from services.notify.vendors.http import provider_client
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.events.inbox import Consumer
from shared.routes import joined
from shared.runtime import ServiceUnit, create_service_app

NAME = "notify"
MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("jobbridge.notify")


def build(settings: NotifySettings | None = None, *, clock: Clock | None = None,
          contacts: ContactDirectory | None = None, providers: ProviderSet | None = None) -> ServiceUnit:
    """The unit, with the providers the settings select and the lookup of contacts at workers (their HTTP clients are
    closed when the process stops); `contacts` and `providers` replace those two (tests)."""
    settings = settings or NotifySettings()
    settings.check_providers()
    settings.check_callbacks()
    if settings.callbacks_unauthenticated:
        log.warning("provider callbacks accept any caller (NOTIFY_CALLBACKS_UNAUTHENTICATED): development only")
    elif not settings.receipt_token:
        # Made now, not at the first callback: the operator reads it before setting the URLs in the consoles.
        settings.callback_token  # noqa: B018 - made and cached on first use
        log.info("provider callbacks need ?token=<the callback token>, kept in this file",
                 extra={"token_file": str((settings.data_dir / CALLBACK_TOKEN_FILE).resolve())})
    clock = clock or SystemClock()
    database = Database(settings.db_url())
    opened: list[Callable[[], Awaitable[None]]] = []
    if providers is None:
        providers = open_providers(settings, clock=clock)
        opened.append(providers.aclose)
    lookup: WorkersContacts | None = None
    if contacts is None:
        client = provider_client(timeout=settings.provider_timeout_seconds)
        # Tokens are minted on the wall clock: workers checks their expiry against its own.
        contacts = lookup = WorkersContacts(base_url=settings.workers_base_url, client=client,
                                            signing_key=settings.signing_key)
        opened.append(client.aclose)

    def serve_in(app: FastAPI) -> None:
        if lookup is not None and settings.workers_url is None and "workers" in app.state.units:
            in_process = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                           timeout=settings.provider_timeout_seconds)
            lookup.serve_in_process(in_process)
            opened.append(in_process.aclose)

    dispatcher = Dispatcher(database=database, settings=settings, clock=clock, contacts=contacts, providers=providers)
    router = joined(messages_router, receipts_router, replies_router, offers_page_router)
    consumer = Consumer(name=NAME, database=database, inbox=inbox, clock=clock,
                        handlers=consumers.handlers(settings, clock),
                        batch_handlers=consumers.batch_handlers(settings, clock),
                        linger=settings.consumer_linger_ms / 1000)
    return ServiceUnit(name=NAME, router=router, database=database, migrations_dir=MIGRATIONS, outbox=outbox,
                       clock=clock, settings=settings, consumers=[consumer], background=[dispatcher.run],
                       state={"dispatcher": dispatcher, "recorder": providers.recorder}, on_stop=opened,
                       on_app=serve_in)


def create_app(settings: NotifySettings | None = None, *, clock: Clock | None = None,
               contacts: ContactDirectory | None = None, providers: ProviderSet | None = None) -> FastAPI:
    """The notify service on its own (the distributed mode runs one of these per replica)."""
    settings = settings or NotifySettings()
    unit = build(settings, clock=clock, contacts=contacts, providers=providers)
    return create_service_app(unit, title="JobBridge notify")
