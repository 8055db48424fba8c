"""How long a full pass of Python's cyclic collector stops a started process of the platform, its heap settled
once started (shared.heap) against the same process not settled: the embedded platform (every service, SQLite, the
in-process bus, matching's warm-up finished), then the same requests served, each in a process of its own
(bench/heap_probe.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from bench.report import Report


def probe(mode: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="jobbridge-bench-") as data_dir:
        done = subprocess.run([sys.executable, "-m", "bench.heap_probe", data_dir, mode], capture_output=True,
                              text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


async def run(report: Report) -> None:
    built, settled = probe("built"), probe("settled")
    report.figure("a full collection in the started platform, settled: median", settled["pause_ms"], "ms",
                  "the same process not settled", built["pause_ms"])
    report.figure("objects a full collection walks, settled", settled["walked"], "", "not settled",
                  built["walked"])
    report.note(f"each process started, then served {settled['requests']} page requests through its ASGI app; "
                f"settling froze {settled['frozen']:,} objects; each pause the median of {settled['passes']} "
                f"passes of gc.collect(), in CPU time")
