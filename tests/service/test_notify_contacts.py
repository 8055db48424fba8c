"""Notify's contact look-up against the workers app: the passes sending together ask workers once."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from services.notify.contacts import ContactUnavailable, WorkersContacts
from tests.service.conftest import SECRET, worker

OTHER_ID = "152222199005061115"


async def test_contacts_asked_together_are_fetched_in_one_call_and_unknown_workers_are_none(workers_api):
    staff = workers_api.auth(role="station_staff", region="152222", sub="staff-zhang")
    first = (await workers_api.client.post("/workers/profiles", json=worker(), headers=staff)).json()
    second = (await workers_api.client.post("/workers/profiles", headers=staff, json=worker(
        id_number=OTHER_ID, phone="13904821234", wechat_openid="oia2TjuEGTNoeX76QEjQNrcURxG8",
        consent={"sms": True, "wechat": True, "share_with_partners": False}))).json()
    calls: list[str] = []

    async def seen(request: httpx.Request) -> None:
        calls.append(f"{request.method} {request.url.path}")

    transport = httpx.ASGITransport(app=workers_api.app)
    async with httpx.AsyncClient(transport=transport, event_hooks={"request": [seen]}) as client:
        contacts = WorkersContacts(base_url="http://workers", client=client, signing_key=SECRET)
        found = await asyncio.gather(contacts.contact(first["id"]), contacts.contact("no-such-worker"),
                                     contacts.contact(second["id"]), contacts.contact(first["id"]))
        assert calls == ["POST /workers/internal/contacts"]
        assert [c.phone if c else None for c in found] == ["13394641177", None, "13904821234", "13394641177"]
        assert found[2] is not None and found[2].reach.has_wechat and found[2].consent_wechat
        assert "13904821234" not in repr(found[2])  # a contact never shows its numbers in a log line

        # Asked later, asked again: each turn of the dispatcher gets the numbers as they are now.
        assert (await contacts.contact(second["id"])) is not None
        assert len(calls) == 2


async def test_workers_not_answering_fails_every_contact_asked_with_it():
    with socket.socket() as probe:  # a port nobody listens on: workers is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        contacts = WorkersContacts(base_url=f"http://127.0.0.1:{port}", client=client, signing_key=SECRET)
        results = await asyncio.gather(contacts.contact("w1"), contacts.contact("w2"), return_exceptions=True)
        assert all(isinstance(r, ContactUnavailable) for r in results), results
        with pytest.raises(ContactUnavailable):
            await contacts.contact("w3")
