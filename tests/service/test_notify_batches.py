"""SMS that notify's dispatcher sends at about the same time go to Aliyun together (SendBatchSms): every worker still
gets exactly one SMS, each message is recorded with its own id, and each receipt finds its message."""

from __future__ import annotations

from collections import Counter

from tests.service.notify_fixtures import (  # noqa: F401 - fakes, notify, notify_*: fixtures
    fakes,
    issued,
    notify,
    notify_changes,
    notify_contacts,
)

WORKERS = 6


async def issue_together(notify) -> list[tuple[str, str]]:
    """Register workers and hand their sets to notify's consumer in one bus batch, as a matching run's arrive."""
    workers = [await notify.register() for _ in range(WORKERS)]
    [consumer] = notify.unit.consumers
    await consumer.handle_batch([issued(worker_id, clock=notify.clock) for worker_id, _ in workers])
    await notify.settle()
    return workers


async def attempt_outcomes(notify, worker_id: str) -> list[str]:
    message = await notify.message(worker_id)
    response = await notify.client.get(f"/notify/messages/{message['id']}", headers=notify.auth())
    return [a["outcome"] for a in response.json()["attempt_log"]]


async def test_sms_due_together_go_in_fewer_requests_and_each_receipt_finds_its_own_message(notify):
    workers = await issue_together(notify)
    assert [len(notify.sent_to(phone)) for _, phone in workers] == [1] * WORKERS
    assert notify.aliyun.calls.get("SendBatchSms", 0) >= 1
    assert sum(notify.aliyun.calls.values()) < WORKERS
    shared = Counter(m.message_id for m in notify.aliyun.sent)
    assert max(shared.values()) > 1  # several numbers under one BizId
    assert {(await notify.message(w))["status"] for w, _ in workers} == {"sent"}
    answers = await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client)
    assert all(notify.aliyun.receipt_acknowledged(answer) for answer in answers)
    assert [(await notify.message(w))["status"] for w, _ in workers] == ["delivered"] * WORKERS


async def test_a_failed_receipt_of_a_batch_fails_its_own_message_only(notify):
    workers = await issue_together(notify)
    batch = Counter(m.message_id for m in notify.aliyun.sent).most_common(1)[0][0]
    failed_phone = next(m.to for m in notify.aliyun.sent if m.message_id == batch)
    notify.aliyun.receipts.pushed.update({m.message_id: "delivered" for m in notify.aliyun.sent
                                          if m.message_id != batch})
    await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client, delivered=False,
                                      only=[batch])
    statuses = {phone: (await notify.message(w))["status"] for w, phone in workers}
    # The fake reports a whole batch at once: every number of it failed, each on its own message; the rest is sent.
    in_batch = {m.to for m in notify.aliyun.sent if m.message_id == batch}
    assert failed_phone in in_batch
    assert statuses == {phone: "failed" if phone in in_batch else "sent" for _, phone in workers}


async def test_a_lost_answer_to_a_batch_is_looked_up_and_no_worker_gets_a_second_sms(notify):
    notify.aliyun.fail_next(timeout=True, accept=True, action="SendBatchSms")  # Aliyun took them; no answer came
    workers = await issue_together(notify)
    in_doubt = [w for w, _ in workers if (await notify.message(w))["status"] == "queued"]
    assert len(in_doubt) > 1
    await notify.later(seconds=30)
    assert [len(notify.sent_to(phone)) for _, phone in workers] == [1] * WORKERS
    assert {(await notify.message(w))["status"] for w, _ in workers} == {"sent"}
    assert {tuple(await attempt_outcomes(notify, w)) for w in in_doubt} == {("transient", "found_sent")}
    # Their receipts come after the look-up: each finds its message by the number it carries.
    answers = await notify.aliyun.push_receipts(notify.callback("receipts/aliyun"), client=notify.client)
    assert all(notify.aliyun.receipt_acknowledged(answer) for answer in answers)
    assert [(await notify.message(w))["status"] for w, _ in workers] == ["delivered"] * WORKERS


async def test_a_batch_aliyun_never_took_is_sent_again_once_after_looking(notify):
    notify.aliyun.fail_next(timeout=True, action="SendBatchSms")  # lost on the way: nothing was sent
    workers = await issue_together(notify)
    in_doubt = [w for w, _ in workers if (await notify.message(w))["status"] == "queued"]
    assert len(in_doubt) > 1
    await notify.later(seconds=30)
    assert [len(notify.sent_to(phone)) for _, phone in workers] == [1] * WORKERS
    assert {tuple(await attempt_outcomes(notify, w)) for w in in_doubt} == {("transient", "not_found", "sent")}


async def test_a_receipt_with_a_masked_number_still_finds_the_only_message_of_its_request(notify):
    worker_id, phone = await notify.register()
    await notify.issue(worker_id)
    await notify.settle()
    [sent] = notify.sent_to(phone)
    masked = [{"phone_number": phone[:7] + "****", "send_time": notify.aliyun.local_time(), "success": True,
               "report_time": notify.aliyun.local_time(), "err_code": "DELIVERED", "err_msg": "用户接收成功",
               "sms_size": "1", "biz_id": sent.message_id, "out_id": ""}]
    answer = await notify.client.post(notify.callback("receipts/aliyun"), json=masked)
    assert notify.aliyun.receipt_acknowledged(answer)
    assert (await notify.message(worker_id))["status"] == "delivered"
