"""Fake SMS and WeChat provider servers on loopback that speak the real wire formats (docs/providers.md)."""

from tests.fakes.aliyun import FakeAliyun
from tests.fakes.server import SentMessage
from tests.fakes.tencent import FakeTencent
from tests.fakes.wechat import FakeWechat

__all__ = ["FakeAliyun", "FakeTencent", "FakeWechat", "SentMessage"]
