"""Run every benchmark, or those named (`python -m bench jobs_api bus`), and print the table of figures."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import traceback
from time import perf_counter

from bench.cpu import reference_ms, reference_round_trip_us
from bench.report import Report, Skipped, progress, table

BENCHMARKS = {
    "jobs_api": "postings created per second through the API with the outbox, against bare INSERTs",
    "api_http": "the jobs and workers APIs over real HTTP (uvicorn processes, a load client in another process): "
                "postings and profiles created per second against bare INSERTs, postings read per second against "
                "bare SELECTs, with 1 and 2 server processes",
    "bus": "events per second and latency through outbox, RabbitMQ and inbox, against bare aio-pika",
    "workers_api": "worker profiles registered per second through the API against bare INSERTs, and a 10,000-row "
                   "ledger imported (time, peak memory) against read_table alone",
    "imports": "a 10,000-row supply list and a 10,000-row ledger uploaded through their routes on SQLite and "
               "PostgreSQL, against reading the same file alone",
    "matching": "one worker's offers and a 100,000-worker batch with the capacity step, against brute-force "
                "rapidfuzz and dense TF-IDF",
    "matching_http": "one worker's recommendations over HTTP with 20,000 open postings, against Ranker.recommend "
                     "in-process",
    "evaluation": "the ranker on the labelled population: hard rules, coverage, precision@3, congestion with and "
                  "without the capacity step",
    "fit": "the fit of offers on held-out words: precision@3 and nDCG@10 per segment (intention × labour capacity), "
           "coverage, congestion and gaps, against dense TF-IDF and rapidfuzz on the same feasible postings",
    "notify": "messages per second and issued-to-provider latency through RabbitMQ and the notify dispatcher to "
              "the fake Aliyun in a process of its own, against direct provider calls to it; what it took counted",
    "heap": "how long a full pass of Python's collector stops a started platform process, its heap settled once "
            "started, against the same process not settled",
    "distributed": "a batch run for the 2,000 demonstration labourers across 13 processes, undisturbed and with the "
                   "matching consumer killed mid-run, against the same run on the embedded platform",
}


async def run_one(name: str) -> tuple[Report, bool]:
    """Run one benchmark; a skip or a failure is reported, and the next benchmark still runs."""
    report = Report(name)
    reference, round_trip = reference_ms(), reference_round_trip_us()
    started = perf_counter()
    try:
        await importlib.import_module(f"bench.{name}").run(report)
    except Skipped as exc:
        report.skip("all", str(exc))
    except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
        traceback.print_exc()
        report.note("FAILED (traceback above, on stderr)")
        return report, False
    report.note(f"took {perf_counter() - started:.0f} s; the machine's reference loop (bench/cpu.py: the same pure "
                f"Python every time, lower is faster) took {reference:.1f} ms before and {reference_ms():.1f} ms after; "
                f"a round trip to another process over loopback (bench/cpu.py) {round_trip:.0f} µs before and "
                f"{reference_round_trip_us():.0f} µs after")
    return report, True


async def main(names: list[str]) -> bool:
    load = os.getloadavg()[0]
    reports, ok = [], True
    for name in names:
        progress(f"--- {name}: {BENCHMARKS[name]}")
        report, passed = await run_one(name)
        reports.append(report)
        ok = ok and passed
    print(f"\nJobBridge benchmarks on {os.cpu_count()} cores, load average {load:.1f} at the start and "
          f"{os.getloadavg()[0]:.1f} at the end (ratio = value / baseline value)\n")
    print(table(reports))
    return ok


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    if unknown := [name for name in names if name not in BENCHMARKS]:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    return 0 if asyncio.run(main(names)) else 1


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
