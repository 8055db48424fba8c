"""A process that owns its interpreter settles its heap once started (shared.heap): what it was built of, warm-up
included, is out of the cyclic collector's full passes, and a matching batch afterwards does not hand it back."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest

from jobbridge.platform import create_platform
from services.jobs.app import build
from services.jobs.settings import JobsSettings
from services.matching.ranking.batch import collector_paused
from shared.events.memory import InProcessBus
from shared.runtime import Runtime
from shared.settings import CommonSettings
from tests.service.conftest import SECRET


class Built:
    """An object the process makes while it warms up, and keeps."""


def tracked(thing: object) -> bool:
    """Whether the collector's passes still walk it (gc.get_objects leaves the frozen generation out)."""
    return any(other is thing for other in gc.get_objects())


@pytest.fixture
def thawed():
    """Whatever a test freezes goes back to the collector afterwards: the test process is not settled. The full
    collection after it counts the oldest generation again: a pass while everything was frozen left the collector
    believing it small, so its next full pass, over the whole test process, would otherwise fall in a later test."""
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.collect()


async def started(tmp_path, *, settle_heap: bool) -> tuple[Runtime, dict]:
    unit = build(JobsSettings(data_dir=tmp_path, jwt_secret=SECRET))
    unit.warm_up = lambda: unit.state.setdefault("built", Built())
    runtime = Runtime(units=[unit], bus=InProcessBus(), settings=unit.settings, settle_heap=settle_heap)
    await runtime.start()
    return runtime, unit.state


async def test_a_settled_process_keeps_what_it_was_built_of_warm_up_included_out_of_the_collectors_passes(
        tmp_path, thawed):
    runtime, state = await started(tmp_path, settle_heap=True)
    try:
        assert runtime.settled is not None
        await runtime.settled
        assert gc.get_freeze_count() > 10_000  # modules, routes, the app's structures
        assert not tracked(state["built"])  # the warm-up finished before the heap was settled
        made_since = Built()
        assert tracked(made_since)  # what the process makes afterwards is collected as ever
    finally:
        await runtime.stop()


async def test_a_process_started_for_a_test_settles_nothing(tmp_path, thawed):
    runtime, state = await started(tmp_path, settle_heap=False)
    try:
        assert runtime.settled is None
        assert gc.get_freeze_count() == 0
    finally:
        await runtime.stop()


def test_a_matching_batch_leaves_a_settled_heap_settled_and_its_answer_out_of_the_young_passes(thawed):
    kept = Built()
    gc.freeze()  # a settled process

    @collector_paused()
    def batch() -> list[Built]:
        return [Built() for _ in range(1000)]

    answer = batch()
    assert not tracked(kept)
    assert not any(tracked(item) for item in answer[:10])
    assert gc.isenabled()


def test_a_matching_batch_in_a_process_not_settled_hands_its_answer_to_the_oldest_generation(thawed):
    @collector_paused()
    def batch() -> list[Built]:
        return [Built() for _ in range(1000)]

    answer = batch()
    assert gc.get_freeze_count() == 0
    assert any(other is answer[0] for other in gc.get_objects(generation=2))
    assert gc.isenabled()


async def test_an_app_that_is_dropped_is_freed_with_all_it_holds(tmp_path, monkeypatch):
    """FastAPI keeps the functions of every route it was given in caches of its own: a route function that held its
    app, unit or bus kept them alive after the app was gone (a test process held hundreds of platforms, millions of
    objects, and its collector's full passes took seconds)."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JWT_SECRET", SECRET)
    app = create_platform(("jobs",), settings=CommonSettings(data_dir=tmp_path, jwt_secret=SECRET))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jobbridge") as client:
        for path in ("/docs", "/redoc", "/jobs/health", "/jobs/ready"):
            assert (await client.get(path)).status_code in (200, 503), path
    runtime = weakref.ref(app.state.runtime)
    dropped = weakref.ref(app)
    await app.state.units["jobs"].database.dispose()
    del app, client
    gc.collect()
    assert dropped() is None
    assert runtime() is None
