"""Batch runs: split an area into work items, rank each item's workers, then allocate capacity and issue."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import outbox
from services.matching.events import RUN_ITEM_REQUESTED, RUN_RANKED
from services.matching.ranker_cache import RankerCache
from services.matching.ranking import Ranker, allocate
from services.matching.ranking.capacity import Allocation
from services.matching.ranking.model import Item, PostingView, Shortfall
from services.matching.readmodels.models import WorkerRecord
from services.matching.readmodels.service import worker_view
from services.matching.recommendations import service as recommendations
from services.matching.recommendations.models import RecommendationSet
from services.matching.runs.models import Run, RunCandidates
from services.matching.settings import MatchingSettings
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.contracts.matching import RunItemRequested, RunRanked
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.envelope import Envelope
from shared.events.outbox import add_event

GUARANTEED = ("near_home", "league", "anywhere")
FEASIBLE_KEPT = 50  # per worker, for the capacity step

RUN_STALE_AFTER = timedelta(hours=2)  # far longer than a run of the whole League takes
RUN_START_LOCK = 0x6A62_7275_6E73  # the advisory lock that run starts take on PostgreSQL


def _item_key_length(level: str) -> int:
    # A township code has 9 digits; a worker registered at county level has a 6-digit home, which is its own key.
    return 9 if level == "township" else 6


def _in_item(key: str, level: str):
    return func.substr(WorkerRecord.home_region_code, 1, _item_key_length(level)) == key


async def start(*, session: AsyncSession, region_code: str, by: Principal, settings: MatchingSettings,
                clock: Clock) -> Run:
    """Queue a run for every seeking worker under `region_code`, one work item per township (or county)."""
    if not (by.is_admin or by.covers_region(region_code)):
        raise Forbidden(f"region {region_code} is outside your region {by.region}", zh="这个地区不在您负责的范围内")
    await _ensure_none_active(session, region_code, now=clock.now())
    length = _item_key_length(settings.run_item_level)
    in_scope = (WorkerRecord.status == "seeking",
                WorkerRecord.home_region_code.startswith(region_code, autoescape=True))
    item_of = func.substr(WorkerRecord.home_region_code, 1, length)
    counts: dict[str, int] = dict(
        (await session.execute(select(item_of, func.count()).where(*in_scope).group_by(item_of))).all())
    keys, workers = sorted(counts), sum(counts.values())
    now = clock.now()
    run = Run(id=str(uuid.uuid4()), region_code=region_code, status="queued" if keys else "done",
              requested_by=by.sub, items_total=len(keys), items_done=0, workers=workers, covered=0, shortfalls=0,
              summary={}, created_at=now, finished_at=None if keys else now)
    session.add(run)
    await session.flush()
    for number, key in enumerate(keys, start=1):
        item = RunItemRequested(run_id=run.id, key=key, level=settings.run_item_level, region_code=region_code)
        await add_event(session, outbox, clock=clock, producer="matching", type=RUN_ITEM_REQUESTED, subject=run.id,
                        version=number, data=item.data())
    return run


async def _ensure_none_active(session: AsyncSession, region_code: str, *, now: datetime) -> None:
    """One active run per area: a run of the same area, one inside it or one around it would text the same workers
    again. A run queued or running for longer than RUN_STALE_AFTER has died and no longer holds its area."""
    if (await session.connection()).dialect.name == "postgresql":
        # Starts take turns until their unit of work commits, so two at once cannot both find the area free
        # (on SQLite the service's write turn does the same).
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_START_LOCK})
    active = await session.scalars(select(Run).where(Run.status.in_(("queued", "running")),
                                                     Run.created_at > now - RUN_STALE_AFTER))
    for run in active:
        if run.region_code.startswith(region_code) or region_code.startswith(run.region_code):
            raise Conflict(f"run {run.id} for area {run.region_code} is still going; wait until it is done",
                           code="run_in_progress", zh=f"这个地区的批量推荐还在进行中（{run.region_code}），请等它完成后再发起")


async def rank_item(*, session: AsyncSession, event: Envelope, cache: RankerCache, clock: Clock) -> None:
    """Rank one item's workers: keep each one's feasible offers; the last item done asks for the allocation."""
    work = RunItemRequested.model_validate(event.data)
    run = await session.get(Run, work.run_id)
    if run is None or run.status == "done":
        return
    today = local_today(clock)
    ranker, _ = await cache.get(session, today=today)
    records = await session.scalars(select(WorkerRecord).where(
        WorkerRecord.status == "seeking", _in_item(work.key, work.level),
        WorkerRecord.home_region_code.startswith(work.region_code, autoescape=True)))
    for record in records:
        view = worker_view(record.id, record.snapshot, today=today)
        items = ranker.feasible(view, limit=FEASIBLE_KEPT)
        # Why a worker is short, said here where the ranker knows it: what one worker's recommendations would say.
        shortfall = ranker.shortfall(view, len(items)) if len(items) < ranker.settings.guaranteed else None
        session.add(RunCandidates(run_id=run.id, worker_id=record.id, item_key=work.key,
                                  items=[_item_dict(item) for item in items], shortfall=_shortfall_dict(shortfall)))
    await session.execute(update(Run).where(Run.id == run.id, Run.status == "queued").values(status="running"))
    await session.execute(update(Run).where(Run.id == run.id).values(items_done=Run.items_done + 1))
    done = await session.scalar(select(Run.items_done).where(Run.id == run.id))
    if done == run.items_total:
        await add_event(session, outbox, clock=clock, producer="matching", type=RUN_RANKED, subject=run.id,
                        version=run.items_total + 1, data=RunRanked(run_id=run.id).data())


async def finish(*, session: AsyncSession, event: Envelope, cache: RankerCache, settings: MatchingSettings,
                 clock: Clock) -> None:
    """Spread offers over the postings' capacity, then issue each worker's set and total up the run."""
    run = await session.get(Run, RunRanked.model_validate(event.data).run_id)
    if run is None or run.status == "done":
        return
    today = local_today(clock)
    ranker, postings = await cache.get(session, today=today)
    rows = list(await session.scalars(select(RunCandidates).where(RunCandidates.run_id == run.id)))
    feasible = {row.worker_id: [_item(d) for d in row.items if d["posting_id"] in postings] for row in rows}
    openings = {posting_id: posting.headcount for posting_id, posting in postings.items()}
    shortfalls = await _shortfalls(session=session, rows=rows, feasible=feasible, ranker=ranker, today=today)
    allocation = allocate(feasible, openings, settings=settings.ranking(), limit=settings.recommendations_per_worker,
                          shortfalls=shortfalls)
    homes, intentions = {}, {}
    for worker_id, home, intention in (await session.execute(
            select(WorkerRecord.id, WorkerRecord.home_region_code, WorkerRecord.transfer_intention)
            .where(WorkerRecord.id.in_(feasible)))).all():
        homes[worker_id], intentions[worker_id] = home, intention
    reasons: Counter[str] = Counter()
    covered = guaranteed = guaranteed_covered = short = 0
    await recommendations.issue_all(
        session=session, postings=postings, run_id=run.id, by=f"run:{run.id}", clock=clock,
        sets=[recommendations.ToIssue(recommendation, homes[worker_id])
              for worker_id, recommendation in allocation.recommendations.items()])
    for worker_id, recommendation in allocation.recommendations.items():
        enough = len(recommendation.items) >= settings.ranking().guaranteed
        covered += enough
        if intentions.get(worker_id) in GUARANTEED:
            guaranteed += 1
            guaranteed_covered += enough
        if recommendation.shortfall is not None:
            short += 1
            reasons[recommendation.shortfall.reason] += 1
    busiest = sorted(allocation.offers_per_posting.items(), key=lambda kv: -kv[1])
    run.covered, run.shortfalls, run.status, run.finished_at = covered, short, "done", clock.now()
    run.summary = {"guaranteed_workers": guaranteed, "guaranteed_covered": guaranteed_covered,
                   "shortfall_reasons": dict(reasons.most_common()),
                   "postings_offered": len(allocation.offers_per_posting),
                   "offers_per_posting": dict(busiest),
                   "most_offers_per_opening": max((count / max(openings.get(pid, 1), 1) for pid, count in busiest),
                                                  default=0),
                   "over_cap": _over_cap(allocation, feasible, postings, settings)}


async def _shortfalls(*, session: AsyncSession, rows: list[RunCandidates], feasible: dict[str, list[Item]],
                      ranker: Ranker, today: date) -> dict[str, Shortfall]:
    """Why each worker short of the guarantee is short, in the ranker's words, for the capacity step.

    The capacity step keeps every item of a list shorter than the guarantee (it exceeds a cap rather than cut one),
    so such a worker gets exactly its list, and its item's reason holds — unless postings on the list closed since
    the item ranked it: then today's ranker says why again, for what is left.
    """
    out: dict[str, Shortfall] = {}
    stale: list[str] = []
    for row in rows:
        found = len(feasible[row.worker_id])
        if found >= ranker.settings.guaranteed:
            continue
        if row.shortfall is not None and row.shortfall["found"] == found:
            out[row.worker_id] = Shortfall(found, row.shortfall["reason"])
        else:
            stale.append(row.worker_id)
    if stale:
        for record in await session.scalars(select(WorkerRecord).where(WorkerRecord.id.in_(stale))):
            shortfall = ranker.shortfall(worker_view(record.id, record.snapshot, today=today),
                                         len(feasible[record.id]))
            if shortfall is not None:
                out[record.id] = shortfall
    return out


async def recent(*, session: AsyncSession, by: Principal, region: str | None, limit: int) -> list[Run]:
    """The newest runs inside the caller's region (or the given prefix inside it)."""
    scope = region or by.region or ""
    if not by.is_admin and not (by.region and scope.startswith(by.region)):
        raise Forbidden(f"region {scope} is outside your region {by.region}")
    rows = await session.scalars(select(Run).where(Run.region_code.startswith(scope, autoescape=True))
                                 .order_by(Run.created_at.desc(), Run.id).limit(limit))
    return list(rows)


async def get(*, session: AsyncSession, run_id: str, by: Principal) -> Run:
    run = await session.get(Run, run_id)
    if run is None or not (by.is_admin or by.covers_region(run.region_code)):
        raise NotFound("run not found", zh="没有找到这次批量推荐")
    return run


async def messages(*, session: AsyncSession, run_id: str) -> dict[str, int]:
    """The run's issued sets by what notify reported of their messages (`pending` while it has said nothing)."""
    status = func.coalesce(RecommendationSet.delivery, "pending")
    rows = await session.execute(select(status, func.count()).where(RecommendationSet.run_id == run_id)
                                 .group_by(status))
    return dict(rows.all())


def _over_cap(allocation: Allocation, feasible: dict[str, list[Item]], postings: dict[str, PostingView],
              settings: MatchingSettings) -> list[dict]:
    """Every posting offered beyond its cap, with its count and why: a cap gives way only so that a worker keeps its
    fitting posts, and its three offers, where no other assignment within the caps could (capacity.py's floors), so
    the workers with fewer than three fitting posts who got it are the reason."""
    ranking = settings.ranking()
    short: Counter[str] = Counter()
    for worker_id, recommendation in allocation.recommendations.items():
        fitting = [item for item in feasible.get(worker_id, ()) if not item.relaxed]
        if len(fitting) < ranking.guaranteed:
            short.update(item.posting_id for item in recommendation.items)
    out = []
    for posting_id, excess in sorted(allocation.over_cap.items(), key=lambda kv: -kv[1]):
        posting = postings.get(posting_id)
        offers = allocation.offers_per_posting.get(posting_id, 0)
        out.append({"posting_id": posting_id, "title": posting.title if posting else "",
                    "openings": posting.headcount if posting else 0, "cap": offers - excess, "offers": offers,
                    "why": f"附近岗位少：{short[posting_id]}人对口岗位不足{ranking.guaranteed}个，为保证推荐数超出名额"})
    return out


def _item_dict(item: Item) -> dict:
    return {"posting_id": item.posting_id, "score": item.score, "distance_km": item.distance_km,
            "reasons": list(item.reasons), "relaxed": list(item.relaxed), "fit": item.fit}


def _shortfall_dict(shortfall: Shortfall | None) -> dict | None:
    return None if shortfall is None else {"found": shortfall.found, "reason": shortfall.reason}


def _item(data: dict) -> Item:
    return Item(posting_id=data["posting_id"], score=data["score"], distance_km=data["distance_km"],
                reasons=tuple(data["reasons"]), relaxed=tuple(data["relaxed"]),
                fit=data.get("fit") or ("relaxed" if data["relaxed"] else "desired"))
