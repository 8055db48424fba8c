"""One isolated copy of the local distributed topology (deploy/local/launch.py), for the tests across processes and
the `distributed` benchmark: its own databases, vhost, ports and state folder; fake providers that push receipts."""

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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ROOT / "deploy" / "local" / "launch.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_block(size: int) -> int:
    """A first port of `size` consecutive ports that are free now."""
    for _ in range(200):
        base = random.randint(20000, 60000 - size)
        held = []
        try:
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
    """Call `check` until it returns something true (returned), or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within:g} s: {what}")
        time.sleep(every)


class LocalTopology:
    """Started and stopped through the launcher; `prefix` names its databases and vhost (<prefix>_<hex>)."""

    def __init__(self, state_dir: Path, *, secret: str, prefix: str = "jb_e2e") -> None:
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.base_port, self.port, self.state_dir = free_block(9), free_port(), state_dir  # the console: base + 8
        self.env = {**os.environ, "JWT_SECRET": secret,
                    # The real clock decides quiet hours: off here, so that a run passes at any hour.
                    "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00", "NOTIFY_DIGEST_MINUTES": "0",
                    "NOTIFY_SMS_MIN_INTERVAL_SECONDS": "0", "NOTIFY_DISPATCH_POLL_SECONDS": "0.2",
                    # A provider that hangs is given up after 2 s (the fakes hang 5 s); a pass that died holds
                    # its messages 6 s; retries come after 1-5 s: faults play out in seconds.
                    "NOTIFY_PROVIDER_TIMEOUT_SECONDS": "2", "NOTIFY_LEASE_SECONDS": "6",
                    "NOTIFY_RETRY_BASE_SECONDS": "1", "NOTIFY_RETRY_CAP_SECONDS": "5",
                    "RELAY_POLL_SECONDS": "0.1", "LOG_LEVEL": "WARNING"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        command = [sys.executable, str(LAUNCH), "--name", self.name, "--base-port", str(self.base_port),
                   "--port", str(self.port), "--state-dir", str(self.state_dir), *args]
        return subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def up(self, *flags: str) -> None:
        done = self.launch("up", "--fakes", "--timeout", "120", *flags)
        if done.returncode != 0:
            raise RuntimeError(f"launch up failed:\n{done.stdout}\n{done.stderr}")

    def down(self) -> None:
        done = self.launch("down", "--drop", "--timeout", "15")
        if done.returncode != 0:
            raise RuntimeError(f"launch down failed:\n{done.stdout}\n{done.stderr}")

    def pid(self, process: str) -> int:
        done = self.launch("status", "--json")
        return json.loads(done.stdout)[process]["pid"]

    def kill(self, process: str, sig: signal.Signals) -> int:
        """Send `sig` to one process of the topology; return its pid."""
        pid = self.pid(process)
        os.kill(pid, sig)
        return pid

    def restart(self, *processes: str) -> None:
        for process in processes:
            done = self.launch("restart", process)
            if done.returncode != 0:
                raise RuntimeError(done.stdout + done.stderr)

    def fakes(self, path: str = "/sent", body: dict | None = None) -> dict:
        """The fake providers' control API (base port + 4)."""
        url = f"http://127.0.0.1:{self.base_port + 4}{path}"
        answer = httpx.post(url, json=body, timeout=30) if body is not None else httpx.get(url, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"fakes {path}: {answer.status_code} {answer.text}")
        return answer.json()
