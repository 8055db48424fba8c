"""End to end across processes: the distributed topology of deploy/local/launch.py, driven through its proxy.

An isolated copy (own databases, vhost, ports, state folder) runs every service's API, relay and consumer as its own
process, and the fake SMS and WeChat providers as one more (`up --fakes`). Through the proxy: an employer posts, a
partner office imports a supply list, staff register workers, a batch run covers them, notify sends to the fake
providers, whose receipts come back through the proxy until every covered worker's message shows delivered. Then the
same flow with faults, one run each: the matching consumer killed (SIGKILL) in the middle of a run and started again;
notify's dispatcher and consumer killed while provider calls hang and started again; every RabbitMQ connection of the
matching service closed by the broker mid-run. Each run must complete with one set, one message and one provider send
per worker, every message delivered; at the end every count across all runs adds up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections import Counter
from datetime import date
from typing import Any

import httpx
import pytest

from services.workers.profiles.idcard import make_id_number
from shared.auth import mint_token
from tests import services
from tests.e2e.topology import LocalTopology, eventually
from tests.service.conftest import vacancy, worker

pytestmark = pytest.mark.integration

SECRET = f"e2e-secret-{uuid.uuid4().hex}-of-enough-bytes"
REGION = "152222"
PROVIDERS = ("aliyun", "tencent", "wechat")
TOWNSHIPS = ("152222100", "152222101", "152222102", "152222103", "152222104", "152222105")
WORKERS = 20
OFFICE = "bj-fengtai-hrss"
CSV_ROWS = [
    "用人单位,岗位名称,工种,工作地点代码,最低月薪,最高月薪,招聘人数,包吃,包住,技能要求,有效期至",
    "北京丰台家政服务有限公司,家政服务员A岗,家政服务员,110106,5200,7000,3,是,是,做饭、照顾老人,2027-06-30",
    "北京丰台家政服务有限公司,家政服务员B岗,家政服务员,110106,5300,7100,3,是,是,做饭、保洁,2027-06-30",
    "北京丰台安康养老服务中心,养老护理员,养老护理员,110106,5500,7500,3,是,是,照顾老人,2027-06-30",
]


def auth(role: str, **scope: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    services.need("PostgreSQL", services.PG_HOST, services.PG_PORT)
    services.need("RabbitMQ", services.AMQP_HOST, services.AMQP_PORT)
    services.rabbitmqctl("list_vhosts")  # skips (or fails) when rabbitmqctl is missing
    top = LocalTopology(tmp_path_factory.mktemp("local"), secret=SECRET)
    try:
        started = time.monotonic()
        top.up()
        print(f"\n[e2e] topology up in {time.monotonic() - started:.1f} s")
        yield top
    finally:
        errors = {}
        with contextlib.suppress(Exception):
            errors = {name: found for name, found in top.fakes()["errors"].items() if found}
        top.down()
        assert not errors, f"the fake providers failed on their own: {errors}"


@pytest.fixture(scope="module")
def client(copy):
    with httpx.Client(base_url=f"http://127.0.0.1:{copy.port}", timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def population(client):
    """Postings from an employer and a supply list, and WORKERS registered workers, known to matching."""
    admin, staff = auth("admin"), auth("station_staff", region=REGION)
    office = auth("partner_office", office_id=OFFICE)
    # The ingress hides what it must.
    assert client.get("/metrics").status_code == 404
    assert client.get(f"/workers/internal/profiles/{uuid.uuid4()}/contact", headers=admin).status_code == 404

    employer = client.post("/jobs/employers", json={"name": "北京安居家政", "region_code": "110106"}, headers=admin)
    assert employer.status_code == 201, employer.text
    employer_token = auth("employer", employer_id=employer.json()["id"])
    postings = []
    for n in range(5):
        answer = client.post("/jobs/postings", headers=employer_token,
                             json=vacancy(title=f"家政服务员{n}号", headcount=3, gender=None))
        assert answer.status_code == 201, answer.text
        postings.append(answer.json()["id"])
    listing = client.post("/jobs/supply-lists", headers=office, json={
        "title": "丰台区2027年上半年岗位供给清单", "source_region_code": "110106",
        "period_start": "2027-01-01", "period_end": "2027-06-30"})
    assert listing.status_code == 201, listing.text
    report = client.post(f"/jobs/supply-lists/{listing.json()['id']}/postings/import", headers=office,
                         files={"file": ("list.csv", "\n".join(CSV_ROWS).encode(), "text/csv")})
    assert report.status_code == 200, report.text
    assert (report.json()["imported"], report.json()["errors"]) == (len(CSV_ROWS) - 1, [])

    registered, channels, recipients = [], {}, {}
    for n in range(WORKERS):
        id_number = make_id_number(REGION, date(1975 + n % 25, 1 + n % 12, 1 + n), n, "female")
        # Every other worker follows the official account and agreed to WeChat; the others are reached by SMS.
        wechat = {"wechat_openid": f"oE2eFakeOpenid{n:012d}", "consent": {"sms": True, "wechat": True,
                                                                          "share_with_partners": True}} if n % 2 else {}
        answer = client.post("/workers/profiles", headers=staff, json=worker(
            name=f"工人{n}", id_number=id_number, phone=f"139{n:08d}", home_region_code=TOWNSHIPS[n % len(TOWNSHIPS)],
            **wechat))
        assert answer.status_code == 201, answer.text
        registered.append(answer.json()["id"])
        channels[answer.json()["id"]] = "wechat" if wechat else "sms"
        recipients[answer.json()["id"]] = wechat["wechat_openid"] if wechat else f"139{n:08d}"

    def known_to_matching() -> bool:
        for worker_id in registered:
            answer = client.get(f"/matching/workers/{worker_id}/recommendations", headers=staff)
            if answer.status_code != 200 or len(answer.json()["items"]) < 3:
                return False
        return True

    eventually(known_to_matching, within=60, what="matching knows every worker and enough postings")
    return {"workers": registered, "channels": channels, "recipients": recipients, "staff": staff, "admin": admin,
            "runs": [], "sets": {}}


def run_batch(client, population, *, during=None) -> tuple[dict, list[dict], dict[str, float]]:
    """A batch run for the area through to a delivered message per covered worker; `during(run)` runs right after
    the start. Returns the run, its messages and timings (seconds from the start: run done, all sent, all delivered).
    """
    staff, admin = population["staff"], population["admin"]
    started = time.monotonic()
    answer = client.post("/matching/runs", json={"region_code": REGION}, headers=staff)
    assert answer.status_code == 202, answer.text
    run = answer.json()
    assert run["workers"] == WORKERS
    population["runs"].append(run["id"])
    if during:
        during(run)

    def finished():
        state = client.get(f"/matching/runs/{run['id']}", headers=staff).json()
        return state if state["status"] == "done" else None

    final = eventually(finished, within=90, what=f"run {run['id']} done")
    timings = {"run": time.monotonic() - started}

    def messages() -> list[dict]:
        answer = client.get("/notify/messages", params={"run_id": run["id"], "page_size": 500}, headers=admin)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    def settled(statuses: tuple[str, ...]):
        def check():
            items = messages()
            return items if len(items) >= final["covered"] and all(m["status"] in statuses for m in items) else None
        return check

    eventually(settled(("sent", "delivered")), within=90, what=f"a message sent to every worker of run {run['id']}")
    timings["sent"] = time.monotonic() - started
    eventually(settled(("delivered",)), within=60, what=f"a receipt for every message of run {run['id']}")
    timings["delivered"] = time.monotonic() - started
    time.sleep(1.0)  # anything sent twice would show up now
    items = messages()
    population["sets"].update({m["set_id"]: m["worker_id"] for m in items})
    print(f"[e2e] run {run['id'][:8]}: done in {timings['run']:.1f} s, every message sent in {timings['sent']:.1f} s, "
          f"delivered in {timings['delivered']:.1f} s ({final['covered']} workers)")
    return final, items, timings


def check_counts(copy, client, population, final: dict, items: list[dict]) -> None:
    """The run, its messages and what the providers received agree, worker by worker."""
    registered = population["workers"]
    assert (final["workers"], final["covered"], final["shortfalls"]) == (WORKERS, WORKERS, 0)
    assert final["items_done"] == final["items_total"] == len(TOWNSHIPS)
    by_worker = [m["worker_id"] for m in items]
    assert len(by_worker) == len(set(by_worker)) == WORKERS, "one message per worker, no duplicates"
    assert set(by_worker) == set(registered)
    assert len({m["set_id"] for m in items}) == WORKERS
    assert [m["status"] for m in items] == ["delivered"] * WORKERS
    assert {m["worker_id"]: m["channel"] for m in items} == population["channels"]
    # The run's own tally (from notify's events) agrees once they have arrived.
    eventually(lambda: client.get(f"/matching/runs/{final['id']}", headers=population["staff"]).json()["messages"]
               .get("delivered") == WORKERS, within=30, what="the run counts every message delivered")
    # What the providers took: each message exactly once, on the worker's channel.
    taken_by_each(copy, population)


def taken_by_each(copy, population) -> None:
    """Every worker's number or openid took one message a run so far, none more (an SMS sent with others in one
    request carries no key of ours, so the recipient is what counts)."""
    sent = copy.fakes()
    taken = Counter(m["to"].removeprefix("+86") for provider in PROVIDERS for m in sent[provider])
    runs = len(population["runs"])
    assert {w: taken[r] for w, r in population["recipients"].items()} == dict.fromkeys(population["recipients"], runs)
    assert sum(taken.values()) == runs * WORKERS, "nothing went to anyone else"


def test_a_batch_run_reaches_every_worker_once_with_receipts(copy, client, population):
    final, items, _ = run_batch(client, population)
    check_counts(copy, client, population, final, items)


def test_the_matching_consumer_killed_mid_run_and_restarted_loses_and_doubles_nothing(copy, client, population):
    staff = population["staff"]
    killed = {}

    def in_flight() -> int:
        """Messages the broker handed to matching's consumers and that are not acknowledged yet."""
        listing = services.rabbitmqctl("list_queues", "-p", copy.name, "name", "messages_unacknowledged")
        return sum(int(count) for name, _, count in (line.partition("\t") for line in listing.splitlines())
                   if "matching" in name and count.strip().isdigit())

    consumer = copy.pid("matching-consumer")
    # Frozen first, so that the kill lands mid-run every time: the run's work items are delivered to the consumer
    # and not acknowledged when it dies (a kill timed by polling alone mostly came after the last item).
    os.kill(consumer, signal.SIGSTOP)

    def kill_the_consumer(run: dict) -> None:
        try:
            killed["in_flight"] = eventually(in_flight, within=20, what="run items delivered to the consumer")
            state = client.get(f"/matching/runs/{run['id']}", headers=staff).json()
            killed["items_done"], killed["status"] = state["items_done"], state["status"]
        finally:
            os.kill(consumer, signal.SIGKILL)
        time.sleep(0.3)
        killed["at"] = time.monotonic()
        copy.restart("matching-consumer")

    final, items, _ = run_batch(client, population, during=kill_the_consumer)
    print(f"[e2e] consumer killed with {killed['in_flight']} messages unacknowledged, run at "
          f"{killed['items_done']}/{len(TOWNSHIPS)} items ({killed['status']})")
    assert killed["items_done"] < len(TOWNSHIPS), "the kill came mid-run"
    check_counts(copy, client, population, final, items)


def test_notify_killed_while_providers_hang_and_restarted_sends_each_message_once(copy, client, population):
    before = copy.fakes()["calls"]
    hung = 3
    sent_before = {provider: len(found) for provider, found in copy.fakes().items() if provider in PROVIDERS}
    # The next sends on both channels are taken by the provider, whose answer then never comes (the worst case:
    # the message went out, notify cannot know). Notify is killed while it waits for those answers. Aliyun's SMS go
    # alone (SendSms) or several in one request (SendBatchSms): the first of each hang.
    for provider, action in (("aliyun", "SendSms"), ("aliyun", "SendBatchSms"), ("wechat", "send")):
        copy.fakes("/faults", {"provider": provider, "n": hung, "timeout": True, "accept": True, "action": action})
    killed = {}

    def calls(provider: str, action: str) -> int:
        return copy.fakes()["calls"][provider].get(action, 0) - before[provider].get(action, 0)

    def hanging() -> bool:  # one request to Aliyun may carry every SMS due at the time
        return calls("aliyun", "SendSms") + calls("aliyun", "SendBatchSms") >= 1 and calls("wechat", "send") >= hung

    def kill_notify(run: dict) -> None:
        eventually(hanging, within=60, every=0.05, what="notify calling the hanging providers")
        killed["pids"] = [copy.pid(p) for p in ("notify-relay", "notify-consumer")]
        for pid in killed["pids"]:
            os.kill(pid, signal.SIGKILL)
        for provider in ("aliyun", "wechat"):  # what did not hang before the kill does not hang after it
            copy.fakes("/faults", {"provider": provider, "clear": True})
        killed["messages"] = client.get("/notify/messages", params={"run_id": run["id"], "page_size": 500},
                                        headers=population["admin"]).json()["items"]
        time.sleep(0.5)
        copy.restart("notify-relay", "notify-consumer")

    final, items, _ = run_batch(client, population, during=kill_notify)
    unsettled = sum(m["status"] == "queued" for m in killed["messages"])
    print(f"[e2e] notify killed with {len(killed['messages'])} messages of the run known, {unsettled} not settled")
    # The hanging WeChat sends cannot have been settled (their receipts name a msgid notify never heard of): the kill
    # came while they were in doubt. (The hanging SMS may already be settled by Aliyun's receipts, keyed by OutId.)
    assert unsettled >= hung, "the kill came while sends were in doubt"
    check_counts(copy, client, population, final, items)
    # Aliyun never took a message twice: each send in doubt was settled by its receipt (which echoes our OutId) or
    # found by a query (by OutId, or by its text when it went with others), not repeated. WeChat may be called
    # again: the same client_msg_id sends nothing new.
    sms_workers = sum(channel == "sms" for channel in population["channels"].values())
    sent = copy.fakes()
    taken = {provider: len(sent[provider]) - sent_before[provider] for provider in PROVIDERS}
    repeats = calls("wechat", "send") - (WORKERS - sms_workers)
    print(f"[e2e] Aliyun calls {calls('aliyun', 'SendSms')} SendSms and {calls('aliyun', 'SendBatchSms')} "
          f"SendBatchSms for {sms_workers} SMS workers; WeChat sends repeated under the same key: {repeats}")
    assert taken == {"aliyun": sms_workers, "tencent": 0, "wechat": WORKERS - sms_workers}


def test_a_service_cut_off_from_rabbitmq_mid_run_loses_and_doubles_nothing(copy, client, population):
    consumer = copy.pid("matching-consumer")
    cut = {}

    def matching_connections() -> list[str]:
        listing = services.rabbitmqctl("list_connections", "pid", "vhost", "client_properties")
        return [line.split("\t", 1)[0] for line in listing.splitlines()
                if f"\t{copy.name}\t" in line and '"jobbridge matching ' in line]

    os.kill(consumer, signal.SIGSTOP)  # holds the run's items unacknowledged while its connection is cut

    def cut_matching(run: dict) -> None:
        try:
            eventually(lambda: len(matching_connections()) >= 3, within=20, what="matching's connections listed")
            time.sleep(0.5)  # the relay has handed the items to the broker, the broker to the frozen consumer
            cut["connections"] = matching_connections()
            for pid in cut["connections"]:
                services.rabbitmqctl("close_connection", pid, "e2e test cuts matching off")
        finally:
            os.kill(consumer, signal.SIGCONT)

    final, items, _ = run_batch(client, population, during=cut_matching)
    print(f"[e2e] closed {len(cut['connections'])} connections of matching mid-run")
    assert len(cut["connections"]) >= 3  # its API, relay and consumer
    check_counts(copy, client, population, final, items)
    eventually(lambda: len(matching_connections()) >= 3, within=30, what="matching connected again")


def test_every_count_adds_up_across_all_runs(copy, client, population):
    runs = population["runs"]
    assert len(runs) == 4
    assert len(population["sets"]) == len(runs) * WORKERS  # every run's messages name a set of their own
    for worker_id in population["workers"]:
        sets = client.get(f"/matching/workers/{worker_id}/recommendation-sets", headers=population["staff"]).json()
        issued = {s["set_id"] for s in sets}
        assert issued == {s for s, w in population["sets"].items() if w == worker_id}, worker_id
    messages = [m for run_id in runs
                for m in client.get("/notify/messages", params={"run_id": run_id, "page_size": 500},
                                    headers=population["admin"]).json()["items"]]
    assert Counter(m["status"] for m in messages) == {"delivered": len(runs) * WORKERS}
    assert {m["set_id"] for m in messages} == set(population["sets"])
    taken_by_each(copy, population)  # one provider send per message, none twice


def test_the_console_is_its_own_process_behind_the_proxy_and_uses_the_apis(copy, client, population):
    """An account made with `jobbridge account` in the console's own database signs in through the proxy; its pages
    show what the APIs (other processes) hold, with the account's scope."""
    import re
    import subprocess
    import sys

    from tests.e2e.topology import ROOT

    base = os.environ.get("LOCAL_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432").rstrip("/")
    env = {**copy.env, "CONSOLE_DATABASE_URL": f"{base}/{copy.name}_console", "DATA_DIR": str(copy.state_dir)}
    made = subprocess.run([sys.executable, "-m", "jobbridge.cli", "account", "--username", "e2e.station",
                           "--role", "station_staff", "--region", REGION], input="an-e2e-password-1\n", env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    with httpx.Client(base_url=copy.url, timeout=30, follow_redirects=False) as browser:
        assert browser.get("/").headers["location"] == "/console/"
        form = browser.get("/console/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        signed = browser.post("/console/sign-in", data={"username": "e2e.station", "password": "an-e2e-password-1",
                                                        "csrf": csrf, "next": "/console/workers"})
        assert signed.status_code == 303 and signed.headers["location"] == "/console/workers", signed.text
        listed = browser.get("/console/workers")
        assert listed.status_code == 200 and f"共{WORKERS}人" in listed.text
        worker_id = re.search(r'href="/console/workers/([0-9a-f-]{36})"', listed.text).group(1)
        offers = browser.get(f"/console/workers/{worker_id}/offers")
        assert offers.status_code == 200 and offers.text.count('<ul class="reasons">') >= 3
        home = browser.get("/console/")
        assert re.search(rf'<span class="n">{WORKERS}</span><span>已登记</span>', home.text), home.text


def test_a_reply_becomes_interest_a_hire_a_checked_placement_and_a_follow_up(copy, client, population):
    """After the runs: a worker answers "2" to the offers SMS through the fake provider; the interest reaches the
    posting's candidate list; the employer marks the worker hired; staff record the placement (workers holds the
    opening at jobs over HTTP); the follow-up falls due; the funnel counts each stage. Repeats change nothing and a
    forged reply is refused."""
    staff, admin = population["staff"], population["admin"]
    n = next(i for i, w in enumerate(population["workers"]) if population["channels"][w] == "sms")
    worker_id, phone = population["workers"][n], f"139{n:08d}"
    [latest, *_] = client.get(f"/matching/workers/{worker_id}/recommendation-sets", headers=staff).json()
    posting_id = latest["items"][1]["posting_id"]

    for again in (False, True):  # the provider pushes the same upstream SMS twice
        pushed = copy.fakes("/reply", {"provider": "aliyun", "phone": phone, "content": "2 好的", "again": again})
        assert pushed["status"] == 200 and pushed["body"]["code"] == 0, pushed
    forged = client.post("/notify/replies/aliyun", json=[{"phone_number": phone, "content": "T"}])
    assert forged.status_code == 401

    replies = client.get("/notify/replies", params={"worker_id": worker_id}, headers=staff).json()["items"]
    assert [(r["kind"], r["posting_id"]) for r in replies] == [("interest", posting_id)]

    def first_candidate():
        answer = client.get(f"/matching/postings/{posting_id}/candidates", headers=admin)
        first = answer.json()["candidates"][0] if answer.status_code == 200 and answer.json()["candidates"] else {}
        return first if first.get("worker_id") == worker_id and first.get("interested") else None

    eventually(first_candidate, within=30, what="the interested worker first on the posting's candidate list")
    hired = client.put(f"/matching/postings/{posting_id}/candidates/{worker_id}/decision", headers=admin,
                       json={"decision": "hired"})
    assert hired.status_code == 200, hired.text

    start = date.today().toordinal() - 40
    body = {"posting_id": posting_id, "start_date": date.fromordinal(start).isoformat(), "monthly_wage": 6000,
            "contract_months": 12, "organised_export": True}
    placed = client.post(f"/workers/profiles/{worker_id}/placements", headers=staff, json=body)
    assert placed.status_code == 201, placed.text
    assert placed.json()["subsidy_rule"] == "export_outside_home_county"
    unknown = client.post(f"/workers/profiles/{population['workers'][n + 2]}/placements", headers=staff,
                          json=body | {"posting_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and unknown.json()["code"] == "posting_not_found"
    overdue = client.get("/workers/follow-ups", params={"state": "overdue"}, headers=staff).json()["items"]
    assert [(v["worker_id"], v["months_after"]) for v in overdue] == [(worker_id, 1)]

    def counted():
        total = client.get("/matching/funnel", params={"region": REGION}, headers=staff).json()["total"]
        return total if (total["interested"], total["invited"], total["placed"]) == (1, 1, 1) else None

    total = eventually(counted, within=30, what="the funnel counts the interest, the hire and the placement")
    assert total["offered"] == WORKERS and total["placed_from_offers"] == 1
    assert total["interest_in_first_three"] == 1.0
    last_run = client.get(f"/matching/runs/{population['runs'][-1]}", headers=staff).json()
    outcomes = last_run["outcomes"]
    assert (outcomes["offered"], outcomes["interested"], outcomes["invited"], outcomes["placed"]) == (WORKERS, 1, 1, 1)
