"""Delivery receipts as each provider pushes them, read into one shape (phone numbers are not kept)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from services.notify.providers.wechat import parse_result_event


@dataclass(frozen=True)
class ReceiptIn:
    provider: str
    provider_message_id: str
    delivered: bool
    status: str  # the provider's own word: DELIVERED / an error code, SUCCESS / DELIVRD, success / failed:…
    detail: str | None = None
    key: str | None = None  # our idempotency key when the provider echoes it (Aliyun's out_id)


def aliyun(body: Any) -> list[ReceiptIn]:
    """SmsReport: a JSON array of {biz_id, out_id, success, err_code, err_msg, phone_number, …}."""
    return [ReceiptIn(provider="aliyun", provider_message_id=str(item["biz_id"]), delivered=_true(item["success"]),
                      status=str(item.get("err_code") or ""), detail=_short(item.get("err_msg")),
                      key=str(item.get("out_id") or "") or None) for item in _array(body)]


def tencent(body: Any) -> list[ReceiptIn]:
    """The delivery callback: a JSON array of {sid, report_status, errmsg, description, mobile, …}."""
    return [ReceiptIn(provider="tencent", provider_message_id=str(item["sid"]),
                      delivered=str(item.get("report_status", "")).upper() == "SUCCESS",
                      status=str(item.get("errmsg") or item.get("report_status") or ""),
                      detail=_short(item.get("description"))) for item in _array(body)]


def wechat(xml: bytes) -> list[ReceiptIn]:
    """A TEMPLATESENDJOBFINISH event: MsgID and Status (success, failed:user block, failed: system failed)."""
    try:
        msgid, status = parse_result_event(xml)
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    return [ReceiptIn(provider="wechat", provider_message_id=msgid, delivered=status == "success", status=status)]


def _array(body: Any) -> list[dict]:
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ValueError("a JSON array of reports is expected")
    return body


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _short(value: Any) -> str | None:
    return str(value)[:200] if value else None
