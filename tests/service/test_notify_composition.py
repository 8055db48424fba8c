"""Notify's app builds what its dispatcher sends through; the process closes it when it stops, not before."""

from __future__ import annotations

import asyncio

from services.notify.app import build
from services.notify.contacts import WorkersContacts
from services.notify.settings import NotifySettings
from shared.events.memory import InProcessBus
from shared.runtime import Runtime
from tests.service.conftest import SECRET


async def test_the_providers_and_the_contact_lookup_are_built_with_notify_and_closed_when_its_process_stops(tmp_path):
    settings = NotifySettings(data_dir=tmp_path, jwt_secret=SECRET, dispatch_poll_seconds=0.05)
    unit = build(settings)
    dispatcher = unit.state["dispatcher"]
    runtime = Runtime(units=[unit], bus=InProcessBus(), settings=settings)
    await runtime.start()
    try:
        for _ in range(100):
            if dispatcher.delivery is not None:
                break
            await asyncio.sleep(0.01)
        delivery = dispatcher.delivery
        assert delivery is not None, "the dispatcher started"
        assert isinstance(delivery.contacts, WorkersContacts)  # workers is asked at send time
        assert delivery.providers.recorder is unit.state["recorder"]  # the embedded mode's record of what went out
        clients = delivery.providers.clients
        assert clients and not any(client.is_closed for client in clients)

        # The dispatcher ends with the relays (a pass that dies, a restart in place): the clients stay open for the
        # next run of it, which sends through the same providers.
        await runtime.stop_relays()
        assert not any(client.is_closed for client in clients)
    finally:
        await runtime.stop()
    assert all(client.is_closed for client in clients)
