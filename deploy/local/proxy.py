"""A small reverse proxy for the local distributed topology: the ingress of deploy/nginx/nginx.conf, in Python.

Routes by the first path segment (/jobs, /workers, /matching, /notify, /console) to each service's process, and `/`
to the console; bodies are streamed both ways. Like the nginx ingress it does not route /workers/internal/ nor
/jobs/internal/ (notify and workers call them directly) nor /metrics (each API serves its own), and answers
/ingress/health itself.

    python deploy/local/proxy.py --port 8000 --route jobs=http://127.0.0.1:8101 --route workers=...
"""

from __future__ import annotations

import argparse
import contextlib
import uuid

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

# Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded either way.
HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
       "upgrade", "host", "content-length"}
BLOCKED = ("/workers/internal/", "/workers/internal", "/jobs/internal/", "/jobs/internal")


def build(routes: dict[str, str]) -> Starlette:
    client = httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=5.0), follow_redirects=False,
                               limits=httpx.Limits(max_connections=200, max_keepalive_connections=50))

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    async def forward(request: Request):
        path = request.url.path
        segment = path.lstrip("/").split("/", 1)[0] or "console"  # `/` is the console's front door
        upstream = routes.get(segment)
        if upstream is None or path == "/metrics" or path.startswith(BLOCKED[0]) or path == BLOCKED[1]:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP]
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
        headers += [("x-request-id", request_id), ("x-forwarded-proto", request.url.scheme),
                    ("x-forwarded-host", request.headers.get("host", ""))]
        if request.client:
            headers += [("x-real-ip", request.client.host), ("x-forwarded-for", request.client.host)]
        body = request.stream() if request.method not in ("GET", "HEAD", "OPTIONS") else None
        outgoing = client.build_request(request.method, upstream + path, params=request.url.query or None,
                                        headers=headers, content=body)
        try:
            answer = await client.send(outgoing, stream=True)
        except httpx.ConnectError:
            return JSONResponse({"detail": f"{segment} is not reachable"}, status_code=502)
        except httpx.TimeoutException:
            return JSONResponse({"detail": f"{segment} did not answer in time"}, status_code=504)
        response = StreamingResponse(answer.aiter_raw(), status_code=answer.status_code,
                                     background=BackgroundTask(answer.aclose))
        # Header by header, repeated ones kept apart: two Set-Cookie headers folded into one line would lose both.
        response.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                                for k, v in answer.headers.multi_items() if k.lower() not in HOP]
        return response

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await client.aclose()

    return Starlette(routes=[Route("/ingress/health", health), Route("/{path:path}", forward, methods=methods)],
                     lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--route", action="append", default=[], help="segment=http://host:port (repeatable)")
    args = parser.parse_args()
    routes = dict(r.split("=", 1) for r in args.route)
    uvicorn.run(build({k: v.rstrip("/") for k, v in routes.items()}), host=args.host, port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
