"""The fake Aliyun reads a request as the real one does: its own query parsing and ACS3 encoding agree with urllib's."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote, urlencode

from tests.fakes.aliyun import _quote, query_params

ALPHABET = "aZ09-_.~ +%&=/?#【】，兴安就业😀\u00e9"


def texts(count: int, seed: int = 5):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 30)))


def test_percent_encoding_matches_urllib_with_only_the_unreserved_kept():
    for text in texts(500):
        assert _quote(text) == quote(text, safe="~"), text
    assert _quote("a b+c~") == "a%20b%2Bc~"


def test_query_parameters_are_read_as_parse_qsl_reads_them():
    for i, text in enumerate(texts(300)):
        query = urlencode({"Text": text, f"K{i}": "", "Other": text[::-1]}, quote_via=quote)
        assert query_params(query) == dict(parse_qsl(query, keep_blank_values=True)), query
    # "+" is a space, a bare name is blank, a broken escape stays as it came, bad UTF-8 becomes U+FFFD.
    assert query_params("a=1+2&b&c=%zz&d=%E5%85") == dict(parse_qsl("a=1+2&b&c=%zz&d=%E5%85", keep_blank_values=True))
