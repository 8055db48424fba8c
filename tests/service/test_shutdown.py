"""`jobbridge serve` stops within its grace period on SIGTERM, even while an upload is being read."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

from shared.auth import mint_token
from tests.unit.hostile_files import long_workbook

SECRET = "shutdown-test-secret-of-at-least-32-bytes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_during_a_long_ledger_read_stops_the_server_within_the_grace_period(tmp_path):
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "JWT_SECRET": SECRET, "DEMO": "0", "LOG_LEVEL": "WARNING",
           "SHUTDOWN_GRACE_SECONDS": "1", "WORKERS_UPLOAD_MAX_BYTES": str(20 << 20)}
    server = subprocess.Popen([sys.executable, "-m", "jobbridge.cli", "serve", "--service", "workers", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/workers/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        data = long_workbook(1_000_000, header="姓名")  # ~10 s to read whole, longer on a loaded machine
        token = mint_token(key=SECRET, role="admin")

        answers = []

        def upload() -> None:
            try:
                answers.append(httpx.post(f"{url}/workers/profiles/import", files={"file": ("台账.xlsx", data)},
                           headers={"Authorization": f"Bearer {token}"}, timeout=60))
            except httpx.TransportError:
                pass  # the server went away: what this test is about

        client = threading.Thread(target=upload, daemon=True)
        client.start()
        time.sleep(2)
        assert client.is_alive() and not answers, f"the upload should still be read, yet: {answers}"
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        # 1 s of grace, the read stopped at its next chunk, the services' own shutdown: generous on a busy machine.
        assert time.monotonic() - started < 8
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
