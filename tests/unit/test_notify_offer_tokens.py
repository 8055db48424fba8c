"""The signed links of the offers page: they name one message, hold for 30 days, and any change breaks them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.notify.offers_page import token as tokens
from services.notify.settings import NotifySettings

KEY, OTHER_KEY = b"k" * 32, b"o" * 32
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)
MESSAGE = str(uuid.uuid4())


def test_a_token_names_its_message_for_thirty_days_and_no_longer():
    token = tokens.make(MESSAGE, key=KEY, now=NOW)
    assert tokens.read(token, key=KEY, now=NOW + timedelta(days=29, hours=23)) == MESSAGE
    with pytest.raises(tokens.BadToken):
        tokens.read(token, key=KEY, now=NOW + timedelta(days=30))
    assert len(token) < 70 and all(c.isalnum() or c in "._-" for c in token)


@pytest.mark.parametrize("change", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
    lambda t: ("0" if t[0] != "0" else "1") + t[1:],  # the message
    lambda t: t.split(".")[0] + ".zzzzzz." + t.split(".")[2],  # a later expiry
    lambda t: t + ".x", lambda t: "", lambda t: "...", lambda t: "a" * 200,
])
def test_a_changed_or_malformed_token_is_refused(change):
    with pytest.raises(tokens.BadToken):
        tokens.read(change(tokens.make(MESSAGE, key=KEY, now=NOW)), key=KEY, now=NOW)


def test_a_token_of_another_key_is_refused():
    with pytest.raises(tokens.BadToken):
        tokens.read(tokens.make(MESSAGE, key=OTHER_KEY, now=NOW), key=KEY, now=NOW)


def test_the_wechat_link_is_the_set_link_else_the_offers_page_else_none(tmp_path):
    plain = NotifySettings(data_dir=tmp_path, jwt_secret="s" * 40)
    assert plain.link_for("s-1", message_id=MESSAGE, now=NOW) is None
    page = NotifySettings(data_dir=tmp_path, jwt_secret="s" * 40, public_url="https://jobs.example.gov.cn/")
    link = page.link_for("s-1", message_id=MESSAGE, now=NOW)
    assert link is not None and link.startswith("https://jobs.example.gov.cn/notify/offers/")
    assert tokens.read(link.rsplit("/", 1)[1], key=page.page_key, now=NOW) == MESSAGE
    both = NotifySettings(data_dir=tmp_path, jwt_secret="s" * 40, public_url="https://jobs.example.gov.cn",
                          wechat_link="https://x/o/{set_id}")
    assert both.link_for("s-1", message_id=MESSAGE, now=NOW) == "https://x/o/s-1"
    assert page.page_key not in (page.reply_key, page.signing_key.encode())
