"""CPU time from /proc: the whole machine's, each process's, and what a stretch of a benchmark cost each part of the
machine (the processes it names, PostgreSQL, RabbitMQ, and the rest), so that a figure shows where the cores went."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
# Process names (as /proc/<pid>/stat gives them) of the services every benchmark shares the machine with.
SERVICES = {"postgres": "PostgreSQL", "beam.smp": "RabbitMQ", "erl_child_setup": "RabbitMQ", "epmd": "RabbitMQ",
            "inet_gethost": "RabbitMQ"}
MACHINE, REST, STEAL = "the whole machine", "everything else", "taken by the hypervisor (steal, not counted above)"


@dataclass(frozen=True)
class Process:
    name: str
    group: int
    seconds: float  # user and system CPU so far


def processes() -> dict[int, Process]:
    """Every live process, by pid."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # it ended meanwhile
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text.rsplit(")", 1)[1].split()
        found[int(stat.parent.name)] = Process(name, int(fields[2]), (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user and system) a process has used so far; 0 without one."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def group_cpu(group: int) -> float:
    """CPU seconds of the live processes of a process group (a server started in a session of its own, with its
    worker processes)."""
    return sum(p.seconds for p in processes().values() if p.group == group)


def machine_busy() -> tuple[float, float]:
    """CPU seconds the machine's cores have been busy since it started (user, system, interrupts), and the seconds
    the hypervisor gave to others while this machine wanted to run (steal): time the cores were not ours."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
    return (user + nice + system + irq + softirq) / _TICK, steal / _TICK


@dataclass(frozen=True)
class Sample:
    machine: float
    steal: float
    processes: dict[int, Process]


def sample() -> Sample:
    return Sample(*machine_busy(), processes())


def spent(before: Sample, after: Sample, named: Mapping[int | None, str]) -> dict[str, float]:
    """CPU seconds between two samples: each named process, PostgreSQL's and RabbitMQ's processes, everything else
    (the kernel's own work, what ended between the samples), the whole machine, and the steal beside it."""
    parts: dict[str, float] = dict.fromkeys([*(name for pid, name in named.items() if pid is not None),
                                             *dict.fromkeys(SERVICES.values())], 0.0)
    for pid, process in after.processes.items():
        earlier = before.processes.get(pid)
        used = process.seconds - (earlier.seconds if earlier and earlier.name == process.name else 0.0)
        part = named.get(pid) or SERVICES.get(process.name)
        if part is not None:
            parts[part] += used
    whole = after.machine - before.machine
    parts[REST] = max(whole - sum(parts.values()), 0.0)
    parts[MACHINE] = whole
    parts[STEAL] = after.steal - before.steal
    return parts


def reference_ms() -> float:
    """How long this machine takes, right now, for a fixed piece of pure Python (the best of five, CPU time): the
    cores' speed moves by a fifth or more within an hour here (other guests on the same host), and a figure is only
    comparable with another taken at the same reference."""
    warming = time.perf_counter() + 0.3  # a core that was idle needs a moment to come up to speed
    while time.perf_counter() < warming:
        _reference_work()
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        _reference_work()
        best = min(best, time.process_time() - started)
    return best * 1000


def _reference_work() -> int:
    words = {f"岗位{i % 997}": i for i in range(60_000)}
    return sum(len(key) * value for key, value in sorted(words.items()))


# A process that echoes what it is sent over loopback TCP (its port on its first line), until the connection closes.
_ECHO = """
import socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)
connection, _ = server.accept()
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while data := connection.recv(256):
    connection.sendall(data)
"""


def reference_round_trip_us(trips: int = 1000) -> float:
    """How long this machine takes, right now, to hand 100 bytes to another process over loopback TCP and have them
    back (the best of five passes of `trips`, wall time): what every message between the platform's processes, the
    database and the broker pays in waking the other side. The reference loop does not see it: one session's machine
    ran pure Python faster than any before and this round trip at about 100 µs, and every benchmark that crosses
    processes at half its earlier speed."""
    with subprocess.Popen([sys.executable, "-c", _ECHO], stdout=subprocess.PIPE, text=True) as echo:
        assert echo.stdout is not None
        port = int(echo.stdout.readline())
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            best = float("inf")
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(trips):
                    connection.sendall(b"x" * 100)
                    received = 0
                    while received < 100:
                        received += len(connection.recv(256))
                best = min(best, (time.perf_counter() - started) / trips)
        echo.wait(timeout=10)
    return best * 1e6
