"""What the tests of our SMS clients share: an HTTP client as notify opens one, a send, and a send that must fail."""

from __future__ import annotations

import pytest

from services.notify.compose import Sms
from services.notify.vendors.base import ProviderError
from services.notify.vendors.http import provider_client

PHONE = "13912345678"


@pytest.fixture
async def client():
    async with provider_client(timeout=2.0, connect_timeout=2.0) as client:
        yield client


async def send(provider, *, sms: Sms, phone: str = PHONE, key: str = "w1:s1", params=None):
    return await provider.send_sms(phone=phone, template_params=params or sms.params, text=sms.text,
                                   idempotency_key=key)


async def failure(provider, *, sms: Sms, **kwargs) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await send(provider, sms=sms, **kwargs)
    return caught.value
