"""A stand-in for our receipt endpoints: an ASGI app keeping what the fakes push, answering as each provider wants."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

# What each provider expects back; anything else makes it push again.
_REPLIES = {"aliyun": lambda: JSONResponse({"code": 0, "msg": "接收成功"}),
            "tencent": lambda: JSONResponse({"result": 0, "errmsg": "OK"}),
            "wechat": lambda: PlainTextResponse("success")}


class ReceiptInbox:
    """Receives pushes at /receipts/{aliyun,tencent,wechat}; `client` talks to it in-process (no port needed)."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {name: [] for name in _REPLIES}
        self.queries: dict[str, list[dict[str, str]]] = {name: [] for name in _REPLIES}
        self.app = Starlette(routes=[Route("/receipts/{provider}", self._receive, methods=["POST"])])
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://callback")

    async def _receive(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        self.bodies[provider].append(await request.body())
        self.queries[provider].append(dict(request.query_params))
        return _REPLIES[provider]()
