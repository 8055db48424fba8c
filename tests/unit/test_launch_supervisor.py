"""The local launcher's supervisor: a process that died is started again, after a pause that grows while it keeps
dying and goes back to the first once it ran a while."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("local_launch", ROOT / "deploy" / "local" / "launch.py")
assert spec is not None and spec.loader is not None
launch = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = launch  # dataclasses look their module up there
spec.loader.exec_module(launch)


class World:
    """Processes that run or not as the test says, started with new pids; the time as the test sets it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.running: set[int] = set()
        self.started: list[str] = []
        self.lines: list[str] = []
        self._next_pid = 100

    def start(self, proc: str) -> int:
        self._next_pid += 1
        self.running.add(self._next_pid)
        self.started.append(proc)
        return self._next_pid

    def supervisor(self):
        return launch.Supervisor(start=self.start, running=self.running.__contains__, clock=lambda: self.now,
                                 report=self.lines.append, first_pause=1.0, max_pause=8.0, steady=60.0)


def test_a_process_that_died_is_started_again_and_the_others_are_left_alone():
    world = World()
    pids = {"jobs-relay": world.start("jobs-relay"), "matching-consumer": world.start("matching-consumer")}
    supervisor = world.supervisor()
    world.started.clear()

    assert supervisor.check(pids) == pids  # all running: nothing to do
    world.running.discard(pids["matching-consumer"])
    after = supervisor.check(pids)

    assert world.started == ["matching-consumer"]
    assert after["jobs-relay"] == pids["jobs-relay"]
    assert after["matching-consumer"] != pids["matching-consumer"]
    assert after["matching-consumer"] in world.running
    assert world.lines == [f"matching-consumer (pid {pids['matching-consumer']}) was not running: "
                           f"started again as pid {after['matching-consumer']}"]


def test_a_process_that_keeps_dying_waits_longer_each_time_up_to_the_cap_and_less_once_it_stays_up():
    world = World()
    pids = {"notify-consumer": world.start("notify-consumer")}
    supervisor = world.supervisor()
    world.started.clear()
    pauses = []
    for _ in range(6):  # it dies at once after every start
        world.running.clear()
        died_at = world.now
        while world.started.count("notify-consumer") == len(pauses):
            pids = supervisor.check(pids)
            world.now += 0.25
        pauses.append(world.now - 0.25 - died_at)
    assert pauses == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0]

    world.now += 120  # up for two minutes, then it dies: started again at once, as the first time
    world.running.clear()
    pids = supervisor.check(pids)
    assert world.started.count("notify-consumer") == 7


def test_the_supervisor_starts_again_a_real_process_that_was_killed():
    children: list[subprocess.Popen] = []

    def start(_proc: str) -> int:
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))
        return children[-1].pid

    def running(pid: int) -> bool:
        return any(child.pid == pid and child.poll() is None for child in children)

    supervisor = launch.Supervisor(start=start, running=running, report=lambda line: None)
    try:
        pids = {"jobs-relay": start("jobs-relay")}
        os.kill(pids["jobs-relay"], signal.SIGKILL)
        deadline = time.monotonic() + 5
        while running(pids["jobs-relay"]):
            assert time.monotonic() < deadline, "the killed process is still running"
            time.sleep(0.05)
        revived = supervisor.check(pids)
        assert revived["jobs-relay"] != pids["jobs-relay"] and running(revived["jobs-relay"])
    finally:
        for child in children:
            child.kill()
            child.wait()
