"""Each vendor behind one protocol: what it says after a lost answer, how it answers a push, and the delivery pass and
callback routes that know vendors only through that protocol."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest

from services.notify.compose import compose_sms
from services.notify.vendors import tencent
from services.notify.vendors.base import AskableSms, Doubt, Found, NotYet
from services.notify.vendors.recording import RecordingProvider
from services.notify.vendors.registry import SMS_PUSHES, WECHAT_PUSHES
from shared.clock import LOCAL_ZONE, FixedClock, local_today
from tests.fakes.callback import ReceiptInbox
from tests.fakes.tencent import FakeTencent
from tests.unit import sms_sending as sending
from tests.unit.sms_sending import PHONE, client  # noqa: F401 - client: a fixture

pytest_plugins = ["tests.fakes.fixtures"]

ROOT = Path(__file__).resolve().parents[2]
NOON = datetime(2026, 3, 1, 4, 0, 0, tzinfo=timezone.utc)  # 12:00 in Beijing
SMS = compose_sms([{"title": "电焊工", "employer": "", "region_code": "152201", "region_name": "乌兰浩特市",
                    "wage_min": 4000, "wage_max": 5500, "meals": True, "lodging": False}], contact="站0482-8261234")
send = partial(sending.send, sms=SMS)
failure = partial(sending.failure, sms=SMS)


def doubt(key: str, *, sent_at: datetime | None = None, waited: bool = False) -> Doubt:
    return Doubt(phone=PHONE, key=key, sent_on=(sent_at or NOON).astimezone(LOCAL_ZONE).date(), sent_at=sent_at,
                 waited=waited)


async def test_aliyun_finds_a_message_it_took_before_the_answer_was_lost_and_nothing_else(fake_aliyun, client):
    vendor = fake_aliyun.provider(client)
    assert isinstance(vendor, AskableSms) and not isinstance(RecordingProvider(), AskableSms)
    fake_aliyun.fail_next(timeout=True)  # lost before Aliyun took it
    await failure(vendor, key="w1:s1")
    fake_aliyun.fail_next(timeout=True, accept=True)  # taken, then the answer was lost
    await failure(vendor, key="w1:s2")
    today = Doubt(phone=PHONE, key="w1:s1", sent_on=local_today(fake_aliyun.clock), sent_at=None, waited=False)
    assert await vendor.look_up(today, now=datetime.now(timezone.utc)) is None
    found = await vendor.look_up(replace(today, key="w1:s2"), now=datetime.now(timezone.utc))
    assert found == Found(status="sent", code="waiting", error="", message_id=None)
    assert PHONE not in repr(today)


async def test_tencent_waits_once_for_the_carriers_report_then_takes_silence_for_not_sent(client):
    clock = FixedClock(NOON)
    async with FakeTencent(clock=clock) as fake:
        vendor = fake.provider(client)
        lost = doubt("w1:s1", sent_at=NOON)
        assert await vendor.look_up(lost, now=clock.now()) == NotYet(NOON + tencent.REPORT_WAIT)
        assert await vendor.look_up(replace(lost, waited=True), now=clock.now()) is None  # waited once already
        clock.advance(minutes=5)
        assert await vendor.look_up(lost, now=clock.now()) is None  # the wait is over
        assert await vendor.look_up(doubt("w1:s1"), now=clock.now()) is None  # no time known: nothing to wait on


async def test_tencent_finds_a_reported_message_by_our_key_with_its_serial_number(client):
    clock = FixedClock(NOON)
    async with FakeTencent(clock=clock) as fake:
        vendor = fake.provider(client)
        taken = await send(vendor, key="w1:s1")
        await fake.push_receipts("http://callback/receipts/tencent", client=ReceiptInbox().client, delivered=False,
                                 errmsg="MK:0004")
        clock.advance(seconds=40)
        found = await vendor.look_up(doubt("w1:s1", sent_at=NOON), now=clock.now())
        missing = await vendor.look_up(doubt("w1:s9", sent_at=NOON, waited=True), now=clock.now())
    assert found == Found(status="failed", code="failed", error="MK:0004", message_id=taken.provider_message_id)
    assert missing is None


@pytest.mark.parametrize(("vendor", "taken", "refused"), [
    ("aliyun", {"code": 0, "msg": "接收成功"}, {"code": 1, "msg": "bad report: x"}),
    ("tencent", {"result": 0, "errmsg": "OK"}, {"result": 1, "errmsg": "bad report: x"})])
def test_each_sms_vendor_is_answered_in_its_own_words(vendor, taken, refused):
    pushes = SMS_PUSHES[vendor]
    assert (pushes.acknowledge().status_code, json.loads(pushes.acknowledge().body)) == (200, taken)
    assert (pushes.refuse("bad report: x").status_code, json.loads(pushes.refuse("bad report: x").body)) == (
        400, refused)


def test_wechat_is_answered_success_even_for_a_push_it_does_not_read():
    assert [bytes(WECHAT_PUSHES.acknowledge().body), bytes(WECHAT_PUSHES.refuse("subscribe").body)] == [
        b"success", b"success"]


# The modules that act on vendors only through the protocol: they may import vendors.base, vendors.pushes and
# vendors.registry (and the embedded mode's recorder, which tests and demos read), never a real vendor's module, and
# their code names no vendor and holds none of a vendor's codes (what a code means is the vendor module's to say).
THROUGH_THE_PROTOCOL = [*sorted((ROOT / "services/notify/delivery").glob("*.py")),
                        *sorted((ROOT / "services/notify/policy").glob("*.py")),
                        ROOT / "services/notify/receipts/router.py", ROOT / "services/notify/receipts/service.py",
                        ROOT / "services/notify/replies/router.py"]
VENDOR_MODULES = ("aliyun", "tencent", "wechat")


def constants(tree: ast.AST) -> list[str | int]:
    """The string and number constants of a module's code, its docstrings left out."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and id(node) not in docstrings
            and isinstance(node.value, str | int) and not isinstance(node.value, bool)]


def vendor_codes() -> set[str]:
    """The codes the vendor modules give a meaning: the keys of their code → ErrorKind tables and the members of
    their code sets, compared without spaces or case."""
    codes: set[str] = set()
    for vendor in VENDOR_MODULES:
        tree = ast.parse((ROOT / f"services/notify/vendors/{vendor}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and node.values and all(
                    isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
                    and value.value.id == "ErrorKind" for value in node.values):
                codes |= {str(key.value) for key in node.keys if isinstance(key, ast.Constant)}
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "frozenset":
                codes |= {str(item.value) for item in ast.walk(node) if isinstance(item, ast.Constant)}
    return {code.replace(" ", "").lower() for code in codes}


def test_the_vendor_codes_are_found():
    assert {"43101", "failed:userblock", "failedoperation.phonenumberinblacklist",
            "isv.amount_not_enough"} <= vendor_codes()


@pytest.mark.parametrize("path", THROUGH_THE_PROTOCOL, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_delivery_pass_the_policy_and_the_callbacks_know_no_vendor_by_name_or_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names]
    assert not [name for name in imports if any(f"vendors.{vendor}" in name for vendor in VENDOR_MODULES)]
    texts = [str(value).lower() for value in constants(tree)]
    assert not [text for text in texts if any(vendor in text for vendor in ("aliyun", "tencent", "腾讯", "阿里"))]
    assert not [text for text in texts if text.replace(" ", "") in vendor_codes()]
