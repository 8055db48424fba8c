"""End to end across processes: the distributed topology of deploy/local/launch.py, driven through its proxy.

An isolated copy (own databases, vhost, ports, state folder) runs every service's API, relay and consumer as its own
process. Through the proxy: an employer posts, a partner office imports a supply list, staff register workers, a batch
run covers them, notify records one message per worker. Then the matching consumer is killed (SIGKILL) in the middle
of a second run and started again: the run still completes with one set and one message per worker.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest

from services.workers.profiles.idcard import make_id_number
from shared.auth import mint_token
from tests import services
from tests.service.conftest import vacancy, worker

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ROOT / "deploy" / "local" / "launch.py"
SECRET = f"e2e-secret-{uuid.uuid4().hex}-of-enough-bytes"
REGION = "152222"
TOWNSHIPS = ("152222100", "152222101", "152222102", "152222103", "152222104", "152222105")
WORKERS = 20
OFFICE = "bj-fengtai-hrss"
CSV_ROWS = [
    "用人单位,岗位名称,工种,工作地点代码,最低月薪,最高月薪,招聘人数,包吃,包住,技能要求,有效期至",
    "北京丰台家政服务有限公司,家政服务员A岗,家政服务员,110106,5200,7000,3,是,是,做饭、照顾老人,2027-06-30",
    "北京丰台家政服务有限公司,家政服务员B岗,家政服务员,110106,5300,7100,3,是,是,做饭、保洁,2027-06-30",
    "北京丰台安康养老服务中心,养老护理员,养老护理员,110106,5500,7500,3,是,是,照顾老人,2027-06-30",
]


def auth(role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(key=SECRET, role=role, **scope)}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(size: int) -> int:
    """A first port of `size` consecutive ports that are free now."""
    for _ in range(200):
        base = random.randint(20000, 60000 - size)
        try:
            held = []
            for port in range(base, base + size):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no block of free ports")


def eventually(check, within: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within:g} s: {what}")
        time.sleep(every)


class Copy:
    """One isolated copy of the local topology, started and stopped through the launcher."""

    def __init__(self, state_dir: Path) -> None:
        self.name = f"jb_e2e_{uuid.uuid4().hex[:10]}"
        self.base_port, self.port, self.state_dir = free_block(4), free_port(), state_dir
        self.env = {**os.environ, "JWT_SECRET": SECRET,
                    # The real clock decides quiet hours: off here, so that the test passes at any hour.
                    "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00", "NOTIFY_DIGEST_MINUTES": "0",
                    "NOTIFY_SMS_MIN_INTERVAL_SECONDS": "0", "NOTIFY_SMS_PROVIDERS": "recording",
                    "NOTIFY_WECHAT_PROVIDER": "recording", "NOTIFY_DISPATCH_POLL_SECONDS": "0.2",
                    "RELAY_POLL_SECONDS": "0.1", "LOG_LEVEL": "WARNING"}

    def launch(self, *args: str, timeout: float = 150) -> subprocess.CompletedProcess:
        command = [sys.executable, str(LAUNCH), "--name", self.name, "--base-port", str(self.base_port),
                   "--port", str(self.port), "--state-dir", str(self.state_dir), *args]
        return subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def pid(self, process: str) -> int:
        done = self.launch("status", "--json")
        return json.loads(done.stdout)[process]["pid"]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    services.need("PostgreSQL", services.PG_HOST, services.PG_PORT)
    services.need("RabbitMQ", services.AMQP_HOST, services.AMQP_PORT)
    services.rabbitmqctl("list_vhosts")  # skips (or fails) when rabbitmqctl is missing
    top = Copy(tmp_path_factory.mktemp("local"))
    try:
        started = time.monotonic()
        done = top.launch("up", "--timeout", "120")
        assert done.returncode == 0, f"launch up failed:\n{done.stdout}\n{done.stderr}"
        print(f"\n[e2e] topology up in {time.monotonic() - started:.1f} s")
        yield top
    finally:
        done = top.launch("down", "--drop", "--timeout", "15")
        assert done.returncode == 0, f"launch down failed:\n{done.stdout}\n{done.stderr}"


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

    registered = []
    for n in range(WORKERS):
        id_number = make_id_number(REGION, date(1975 + n % 25, 1 + n % 12, 1 + n), n, "female")
        answer = client.post("/workers/profiles", headers=staff, json=worker(
            name=f"工人{n}", id_number=id_number, phone=f"139{n:08d}", home_region_code=TOWNSHIPS[n % len(TOWNSHIPS)]))
        assert answer.status_code == 201, answer.text
        registered.append(answer.json()["id"])

    def known_to_matching() -> bool:
        for worker_id in registered:
            answer = client.get(f"/matching/workers/{worker_id}/recommendations", headers=staff)
            if answer.status_code != 200 or len(answer.json()["items"]) < 3:
                return False
        return True

    eventually(known_to_matching, within=60, what="matching knows every worker and enough postings")
    return {"workers": registered, "staff": staff, "admin": admin}


def run_batch(client, population, *, during=None) -> tuple[dict, list[dict], float, float]:
    """A batch run for the area through to one message per covered worker; `during(run_id)` runs right after start."""
    staff, admin = population["staff"], population["admin"]
    started = time.monotonic()
    answer = client.post("/matching/runs", json={"region_code": REGION}, headers=staff)
    assert answer.status_code == 202, answer.text
    run = answer.json()
    assert run["workers"] == WORKERS
    if during:
        during(run)

    def finished():
        state = client.get(f"/matching/runs/{run['id']}", headers=staff).json()
        return state if state["status"] == "done" else None

    final = eventually(finished, within=60, what=f"run {run['id']} done")
    run_done = time.monotonic() - started

    def messages() -> list[dict]:
        answer = client.get("/notify/messages", params={"run_id": run["id"], "page_size": 500}, headers=admin)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    def all_sent():
        items = messages()
        if len(items) >= final["covered"] and not any(m["status"] == "queued" for m in items):
            return items
        return None

    eventually(all_sent, within=60, what=f"a message for every covered worker of run {run['id']}")
    elapsed = time.monotonic() - started
    time.sleep(1.0)  # anything sent twice would show up now
    items = messages()
    print(f"[e2e] run {run['id'][:8]}: done in {run_done:.1f} s, every message out in {elapsed:.1f} s "
          f"({final['covered']} workers, statuses {sorted({m['status'] for m in items})})")
    return final, items, started, elapsed


def check_counts(final: dict, items: list[dict], registered: list[str]) -> None:
    assert (final["workers"], final["covered"], final["shortfalls"]) == (WORKERS, WORKERS, 0)
    assert final["items_done"] == final["items_total"] == len(TOWNSHIPS)
    by_worker = [m["worker_id"] for m in items]
    assert len(by_worker) == len(set(by_worker)) == WORKERS, "one message per worker, no duplicates"
    assert set(by_worker) == set(registered)
    assert len({m["set_id"] for m in items}) == WORKERS
    assert all(m["status"] in ("sent", "delivered") for m in items), [m["status"] for m in items]


def test_a_batch_run_reaches_every_worker_once_across_processes(client, population):
    final, items, _, _ = run_batch(client, population)
    check_counts(final, items, population["workers"])


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
        done = copy.launch("restart", "matching-consumer")
        assert done.returncode == 0, done.stdout + done.stderr

    final, items, started, elapsed = run_batch(client, population, during=kill_the_consumer)
    print(f"[e2e] consumer killed with {killed['in_flight']} messages unacknowledged, run at "
          f"{killed['items_done']}/{len(TOWNSHIPS)} items ({killed['status']}); after the restart every message was "
          f"out in {started + elapsed - killed['at']:.1f} s")
    check_counts(final, items, population["workers"])
    # Each worker has exactly one set for each run so far (two runs): none lost, none issued twice.
    for worker_id in population["workers"]:
        sets = client.get(f"/matching/workers/{worker_id}/recommendation-sets", headers=staff).json()
        assert len(sets) == 2, (worker_id, len(sets))
