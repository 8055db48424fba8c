"""A process of `bench heap`: the embedded platform started in it (every service, SQLite, the in-process bus, the
warm-ups finished), its heap settled or not, then WORKLOAD requests served through its ASGI app, then the CPU time
of full collections. Prints one JSON line.

    python -m bench.heap_probe <data dir> settled|built
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import sys
import time

import httpx

PASSES = 5
WORKLOAD = 300  # requests: pages of postings and of worker profiles, as station staff read them
SECRET = "bench-signing-secret-of-at-least-32-bytes"


def full_pass_ms() -> float:
    """The median CPU time of PASSES full collections, in milliseconds."""
    times = []
    for _ in range(PASSES):
        began = time.process_time()
        gc.collect()
        times.append((time.process_time() - began) * 1000)
    return statistics.median(times)


async def main(data_dir: str, settle: bool) -> None:
    from jobbridge.platform import create_platform
    from shared import heap
    from shared.auth import mint_token
    from shared.settings import CommonSettings

    settings = CommonSettings(data_dir=data_dir, jwt_secret=SECRET)
    app = create_platform(settings=settings)
    runtime = app.state.runtime
    headers = {"Authorization": f"Bearer {mint_token(key=SECRET, role='admin', sub='bench')}"}
    async with app.router.lifespan_context(app):
        if runtime.warm_ups:
            await asyncio.wait(runtime.warm_ups)
        frozen = heap.settle() if settle else 0
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://platform") as client:
            for n in range(WORKLOAD):
                answer = await client.get("/jobs/postings" if n % 2 else "/workers/profiles", headers=headers)
                answer.raise_for_status()
        walked = len(gc.get_objects())
        pause = full_pass_ms()
    print(json.dumps({"walked": walked, "frozen": frozen, "pause_ms": pause, "passes": PASSES,
                      "requests": WORKLOAD}))


if __name__ == "__main__":
    # Each service reads its settings from the environment: all of them in the data directory given.
    os.environ.update(DATA_DIR=sys.argv[1], JWT_SECRET=SECRET)
    asyncio.run(main(sys.argv[1], sys.argv[2] == "settled"))
