"""Where a server process of the jobs or workers API spends its CPU under the load of bench/api_http.py: py-spy
samples the one server process while the load client sends one kind of request, and the samples are summed by
library (the leaf frame's package) and by our own functions (inclusive).

    .venv/bin/pip install py-spy        # a tool, not a dependency of the project
    .venv/bin/python -m bench.api_profile [post_posting|post_profile|get_posting|get_page ...]

Bounded like the benchmark: one server process on loopback, a fresh PostgreSQL database each, SECONDS of load.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench import api_http, infra, workers_data
from bench.jobs_api import vacancy

SECONDS = 8
RATE = 250  # samples a second
WARMUP = 100
OUT = os.environ.get("BENCH_PROFILE_DIR")  # where to keep py-spy's raw output (collapsed stacks), if set


# Frames counted inclusively besides our own: the steps of a request that the framework and the drivers take.
STEPS = re.compile(r"\((services|shared)/|solve_dependencies|run_in_threadpool|serialize_response|_prepare_and_execute"
                   r"|Session\.(get|flush|execute) |AsyncSession\.commit|Transaction\.(start|commit) \(asyncpg"
                   r"|Pool\.connect|_connect_addr")


def leaf_library(frame: str) -> str:
    """The library of a frame (py-spy names files from their package's folder: "sqlalchemy/orm/session.py"): its
    top folder, our own module's path, or the standard library module."""
    file = frame[frame.rfind("(") + 1:].rsplit(":", 1)[0]
    top = file.split("/", 1)[0]
    if top in ("services", "shared", "jobbridge"):
        return file.removesuffix(".py")
    if "/" in file:
        return top
    return file if file.startswith("<") else f"{file.removesuffix('.py')} (stdlib)"


def summary(raw: str, *, top: int = 14) -> str:
    """py-spy's raw output (collapsed stacks) as two short tables: self time by library, inclusive by function."""
    libraries: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        count = int(samples)
        total += count
        frames = stack.split(";")
        libraries[leaf_library(frames[-1])] += count
        for frame in {re.sub(r":\d+\)$", ")", frame) for frame in frames}:
            if STEPS.search(frame):
                ours[frame] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples; self time by library:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in libraries.most_common(top)]
    lines.append("inclusive time of our functions and of the framework's steps:")
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in ours.most_common(top)]
    return "\n".join(lines)


async def profile(kind: str, folder: Path) -> str:
    service = "workers" if kind == "post_profile" else "jobs"
    async with infra.postgres_database() as url:
        ids = await api_http.seed_postings(url, folder / "seed") if kind.startswith("get") else []
        # The page read from the database each time: kept in memory it would show only the framework.
        settings = {"JOBS_PAGES_KEPT": "0"} if kind == "get_page" else {}
        async with api_http.serving(service, url=url, processes=1, folder=folder / kind,
                                    settings=settings) as (port, pid, log):
            requests, headers, expect = await _requests(kind, port, ids)
            connections = api_http.WRITE_CONNECTIONS if kind.startswith("post") else api_http.READ_CONNECTIONS
            # Unsampled first: what a process does once (the occupation vocabulary, compiled statements, the pool).
            await api_http.load(port, requests[:WARMUP], connections=connections, expect=expect, headers=headers,
                                folder=folder, log=log)
            out = folder / f"{kind}.txt"
            spy = await asyncio.create_subprocess_exec(
                shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
                "--duration", str(SECONDS), "--rate", str(RATE), "--format", "raw", "--output", str(out),
                "--nonblocking", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            await asyncio.sleep(0.5)
            sample, _ = await api_http.load(port, requests[WARMUP:], connections=connections, expect=expect,
                                            headers=headers, folder=folder, log=log)
            _, err = await spy.communicate()
            if spy.returncode != 0:
                raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-2000:]}")
    if OUT:
        shutil.copy(out, Path(OUT) / out.name)
    return f"{kind}: {sample.rate:,.0f} requests/s while sampled\n{summary(out.read_text())}"


async def _requests(kind: str, port: int, ids: list[str]) -> tuple[list[tuple[str, str, Any]], dict, int]:
    count = WARMUP + SECONDS * 300  # about the time py-spy samples, at the rates before any change
    staff = api_http.bearer(role="station_staff", region=workers_data.STAFF_REGION, sub=api_http.STAFF_SUB)
    if kind == "post_posting":
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            created = await client.post("/jobs/employers", headers=api_http.bearer(role="admin"),
                                        json={"name": f"北京安居{uuid.uuid4().hex[:6]}", "region_code": "110106"})
            created.raise_for_status()
        body = vacancy()
        return [("POST", "/jobs/postings", body)] * count, \
            api_http.bearer(role="employer", employer_id=created.json()["id"]), 201
    if kind == "post_profile":
        return [("POST", "/workers/profiles", workers_data.worker(i)) for i in range(count)], staff, 201
    if kind == "get_posting":
        return [("GET", f"/jobs/postings/{ids[i % len(ids)]}", None) for i in range(count * 2)], staff, 200
    return [("GET", api_http.PAGE, None)] * (count * 2), staff, 200


async def main(kinds: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="jobbridge-profile-") as tmp:
        for kind in kinds:
            print(await profile(kind, Path(tmp)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["post_posting", "post_profile", "get_posting", "get_page"]))
