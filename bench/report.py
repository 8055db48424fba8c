"""Timing, statistics, and the table of figures beside their baselines that `python -m bench` prints."""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from time import perf_counter
from typing import TypeVar

T = TypeVar("T")


class Skipped(Exception):
    """A benchmark, or a part of one, cannot run on this machine; the message says why."""


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile: 95 % of the values are at most this."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Sample:
    """Latencies (seconds) of `len(latencies)` operations that took `elapsed` seconds of wall time in all."""

    latencies: list[float]
    elapsed: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def median_ms(self) -> float:
        return median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return p95(self.latencies) * 1000


def pooled(rounds: list[Sample]) -> Sample:
    """Rounds of one measurement as one sample: every round's latencies, and the median round's rate (its wall time
    is what makes `rate` come out as that median)."""
    latencies = [latency for sample in rounds for latency in sample.latencies]
    return Sample(latencies, len(latencies) / median([sample.rate for sample in rounds]))


async def timed(n: int, concurrency: int, call: Callable[[], Awaitable[object]]) -> Sample:
    """Await `call()` n times, at most `concurrency` at once, timing each call and the whole run."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def once() -> None:
        async with gate:
            started = perf_counter()
            await call()
            latencies.append(perf_counter() - started)

    started = perf_counter()
    await asyncio.gather(*(once() for _ in range(n)))
    return Sample(latencies, perf_counter() - started)


async def paced(items: Iterable[T], rate: float) -> AsyncIterator[T]:
    """Yield the items at a steady rate: the i-th no earlier than i / rate seconds after the first."""
    started = perf_counter()
    for i, item in enumerate(items):
        delay = started + i / rate - perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        yield item


class Arrivals:
    """When (perf_counter) each message arrived, by key; a run waits for the keys it sent."""

    def __init__(self, *, within: float = 60.0) -> None:
        self.within = within
        self.at: dict[str, float] = {}
        self._missing: set[str] = set()
        self._all_in = asyncio.Event()

    def record(self, key: str) -> None:
        self.at.setdefault(key, perf_counter())  # a redelivery keeps the first arrival
        self._missing.discard(key)
        if not self._missing:
            self._all_in.set()

    async def wait_for(self, keys: Iterable[str]) -> list[float]:
        """The arrival time of each key, in order, once all have arrived."""
        keys = list(keys)
        self._missing = set(keys) - self.at.keys()
        self._all_in.clear()
        if self._missing:
            try:
                async with asyncio.timeout(self.within):
                    await self._all_in.wait()
            except TimeoutError:
                raise RuntimeError(f"{len(self._missing)} of {len(keys)} messages did not arrive within "
                                   f"{self.within:.0f} s") from None
        return [self.at[key] for key in keys]


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: this part was skipped
    unit: str
    baseline: str = ""
    baseline_value: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline_value:
            return None
        return self.value / self.baseline_value


@dataclass
class Report:
    """What one benchmark measured: its figures, and notes on how (or why a part did not run)."""

    benchmark: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def figure(self, name: str, value: float, unit: str, baseline: str = "",
               baseline_value: float | None = None) -> None:
        self.figures.append(Figure(name, value, unit, baseline, baseline_value))
        progress(f"{self.benchmark}: {name} = {_amount(value, unit)}")

    def compare(self, name: str, sample: Sample, baseline: str, base: Sample, *, unit: str = "/s") -> None:
        """Throughput, median and p95 latency of `sample`, each beside the same figure of `base`."""
        self.figure(f"{name}: per second", sample.rate, unit, baseline, base.rate)
        self.figure(f"{name}: median", sample.median_ms, "ms", baseline, base.median_ms)
        self.figure(f"{name}: p95", sample.p95_ms, "ms", baseline, base.p95_ms)

    def skip(self, part: str, reason: str) -> None:
        self.figures.append(Figure(part, None, "skipped"))
        self.note(f"{part} skipped: {reason}")

    def note(self, text: str) -> None:
        self.notes.append(text)
        progress(f"{self.benchmark}: {text}")


def progress(line: str) -> None:
    """Progress goes to stderr, so stdout holds only the table."""
    print(line, file=sys.stderr, flush=True)


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "skipped"
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:,.{digits}f} {unit}"


def table(reports: list[Report]) -> str:
    """Every figure beside its baseline; the ratio is value / baseline value."""
    header = ("benchmark", "figure", "value", "baseline", "value", "ratio")
    rows = [header]
    for report in reports:
        for f in report.figures:
            base = _amount(f.baseline_value, f.unit) if f.baseline_value is not None else ""
            ratio = "" if f.ratio is None else f"{f.ratio:.2f}×" if f.ratio < 10 else f"{f.ratio:,.0f}×"
            rows.append((report.benchmark, f.name, _amount(f.value, f.unit), f.baseline, base, ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 4, 5}  # numbers line up on the right

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [line(header), rule, *(line(row) for row in rows[1:])]
    notes = [f"{report.benchmark}: {note}" for report in reports for note in report.notes]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)
