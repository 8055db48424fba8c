"""Notify's relay process of `bench notify` (as `jobbridge relay notify` runs it: the outbox relay and the
dispatcher, no consumer), for the setup where the consumer runs in another process.

    python -m bench.notify_relay '<NotifySettings as JSON>'

Contacts come from the worker ids the benchmark makes, which begin with the worker's phone number ("<phone>-…"): a
directory standing for workers that needs nothing from the benchmark's process. It prints `ready` once it runs, and
stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from services.notify.app import build
from services.notify.contacts import Contact
from services.notify.settings import NotifySettings
from shared.runtime import Runtime, make_bus


class PhoneInId:
    """The benchmark's workers: the phone number is the worker id's first part; every one agreed to SMS."""

    async def contact(self, worker_id: str) -> Contact | None:
        phone = worker_id.split("-", 1)[0]
        return Contact(worker_id, phone, None, True, False, "seeking") if phone.isdigit() else None


async def main(settings: NotifySettings) -> None:
    unit = build(settings, contacts=PhoneInId())
    runtime = Runtime(units=[unit], bus=make_bus(settings, name="bench notify relay"), settings=settings, api=False,
                      relays=True, consumers=False, settle_heap=True)
    await runtime.start()
    try:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the benchmark closes it
    finally:
        await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main(NotifySettings(**json.loads(sys.argv[1]))))
