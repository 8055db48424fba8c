"""Pytest fixtures that start the fake provider servers for one test and stop them after it.

Import them into a test module (`from tests.fakes.fixtures import fake_aliyun  # noqa: F401`). Each fake checks at the
end that it did not fail on its own (a bug in a fake would otherwise look like a provider error).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

import pytest

from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import FakeServer
from tests.fakes.tencent import FakeTencent
from tests.fakes.wechat import FakeWechat

F = TypeVar("F", bound=FakeServer)

async def _serve(fake: F) -> AsyncIterator[F]:
    async with fake:
        yield fake
    assert not fake.errors, f"{type(fake).__name__} failed:\n" + "\n".join(fake.errors)


@pytest.fixture
async def fake_aliyun() -> AsyncIterator[FakeAliyun]:
    async for fake in _serve(FakeAliyun()):
        yield fake


@pytest.fixture
async def fake_tencent() -> AsyncIterator[FakeTencent]:
    async for fake in _serve(FakeTencent()):
        yield fake


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWechat]:
    async for fake in _serve(FakeWechat()):
        yield fake
