"""How long a consumer's next batch waits for more messages before it is handled (shared.events.amqp.batch_wait)."""

from __future__ import annotations

import pytest

from shared.events.amqp import STREAM, STREAM_WAIT, batch_wait


@pytest.mark.parametrize(("waiting", "last", "linger", "enough", "expected"), [
    (1, 0, 0.0, 128, 0.0),                  # the first batch of a drain never waits without a linger
    (1, 1, 0.0, 128, 0.0),                  # lone messages one after another: no stream, no wait
    (2, STREAM - 1, 0.0, 128, 0.0),         # a batch before it too small to show a stream
    (2, STREAM, 0.0, 128, STREAM_WAIT),     # after a batch of STREAM: the next small one waits for more
    (100, 200, 0.0, 128, STREAM_WAIT),
    (128, 200, 0.0, 128, 0.0),              # enough came already: no wait
    (3, 0, 0.02, 128, 0.02),                # a lingering consumer waits its linger, stream or not
    (3, 50, 0.02, 128, 0.02),
    (128, 0, 0.02, 128, 0.0),
])
def test_a_small_batch_waits_for_more_only_behind_a_stream_or_with_a_linger(waiting, last, linger, enough, expected):
    assert batch_wait(waiting, last=last, linger=linger, enough=enough) == expected

