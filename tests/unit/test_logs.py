"""JSON log lines with the request id."""

from __future__ import annotations

import json
import logging

from shared.logs import JsonFormatter, request_id


def test_a_log_line_is_one_json_object_with_the_request_id_and_extras():
    record = logging.LogRecord("jobbridge.jobs", logging.INFO, __file__, 1, "posting opened", None, None)
    record.posting_id = "p-1"
    token = request_id.set("req-42")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "posting opened" and entry["request_id"] == "req-42"
    assert entry["posting_id"] == "p-1" and entry["level"] == "INFO" and "\n" not in line


def test_the_key_of_an_offers_page_link_never_reaches_the_request_log():
    from shared.logs import logged_path

    assert logged_path("/notify/offers/m-1.1767225600.c2lnbmF0dXJl/answers") == "/notify/offers/…/answers"
    assert logged_path("/notify/offers/m-1.1767225600.c2lnbmF0dXJl") == "/notify/offers/…"
    assert logged_path("/notify/messages") == "/notify/messages"
