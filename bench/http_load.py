"""A load client for the HTTP benchmarks, run as a process of its own: `python -m bench.http_load SPEC.json OUT.json`.

It opens `connections` keep-alive HTTP/1.1 connections to 127.0.0.1:`port` and sends the requests of the spec over
them, each connection its next request as soon as its last answer is in, and prints one JSON line: every request's
latency (seconds), the wall time of the whole run, the CPU seconds this process spent, and the first unexpected
answers, into OUT.json. The requests are encoded before the clock starts, and answers are read with a minimal parser (status line,
Content-Length), so that the client spends as little of the machine's CPU as it can.

The spec (JSON): {"port": int, "connections": int, "deadline": seconds, "expect": status, "headers": {...},
"requests": [[method, path, body or null], ...]}; a body is sent as JSON.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from time import perf_counter
from typing import Any


def encode(method: str, path: str, body: Any, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    payload = b""
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    requests = [encode(method, path, body, spec.get("headers", {})) for method, path, body in spec["requests"]]
    expect = f" {spec['expect']} ".encode()
    pending = iter(requests)
    latencies: list[float] = []
    unexpected: list[str] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
        try:
            for request in pending:
                started = perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(content_length(head))
                latencies.append(perf_counter() - started)
                if head[8:13] != expect and len(unexpected) < 5:
                    unexpected.append((head.split(b"\r\n", 1)[0] + b" " + body[:300]).decode(errors="replace"))
        finally:
            writer.close()

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = perf_counter()
    async with asyncio.timeout(spec["deadline"]):
        await asyncio.gather(*(connection() for _ in range(spec["connections"])))
    elapsed = perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"latencies": latencies, "elapsed": elapsed, "unexpected": unexpected,
            "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime}


def main(path: str, out: str) -> int:
    with open(path, encoding="utf-8") as file:
        spec = json.load(file)
    try:
        import uvloop  # the server's event loop too; the client's own overhead is what it should not add
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    with open(out, "w", encoding="utf-8") as file:
        json.dump(result, file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
