"""The three fake providers as one long-running process, for the distributed topology (`make up-local --fakes`, the
Compose `fakes` profile, the tests across processes).

    python -m tests.fakes --port 9100 --receipts-url http://127.0.0.1:8000/notify/receipts --receipt-token T

Aliyun, Tencent and WeChat listen on the three ports after `--port` (or `--aliyun-port` …); `--port` itself serves a
control API that tests use from outside the process:

    GET  /health                      "ok"
    GET  /sent                        every accepted message per provider: to, key, message id, text, receipt
    POST /faults  {"provider": "aliyun", "n": 2, "status": 503 | "timeout": true, "accept": true | "code": "…",
                   "action": "SendBatchSms" (default: the send)} | {"provider": "aliyun", "clear": true}
    POST /down    {"provider": "tencent", "code": "FailedOperation.…" | null}

Like the real providers, the fakes push delivery receipts to notify's callbacks by themselves (every
`--receipt-seconds`), and push again what notify did not acknowledge (a callback that is down or answers wrongly).
`notify_env` gives the settings that point notify at this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from tests.fakes.aliyun import FakeAliyun
from tests.fakes.tencent import FakeTencent
from tests.fakes.wechat import FakeWechat

# The fakes that push receipts back, each in its provider's format.
ProviderFake = FakeAliyun | FakeTencent | FakeWechat

log = logging.getLogger("jobbridge.fakes")
PROVIDERS = ("aliyun", "tencent", "wechat")
# The job fair invitation's templates, registered at each fake beside the offers one (as in the vendors' consoles).
INVITATION_TEMPLATES = {"aliyun": "SMS_490250002", "tencent": "1900002", "wechat": "tmpl-job-fair-0001"}


def with_invitation_templates(fakes: dict[str, ProviderFake]) -> dict[str, ProviderFake]:
    from services.notify.invitations.compose import aliyun_template, tencent_template

    aliyun, tencent, wechat = fakes["aliyun"], fakes["tencent"], fakes["wechat"]
    assert isinstance(aliyun, FakeAliyun) and isinstance(tencent, FakeTencent) and isinstance(wechat, FakeWechat)
    aliyun.templates[INVITATION_TEMPLATES["aliyun"]] = aliyun_template()
    tencent.templates[INVITATION_TEMPLATES["tencent"]] = tencent_template()
    wechat.template_ids.append(INVITATION_TEMPLATES["wechat"])
    return fakes


def make_fakes(host: str, ports: dict[str, int]) -> dict[str, ProviderFake]:
    fakes: dict[str, ProviderFake] = {"aliyun": FakeAliyun(), "tencent": FakeTencent(), "wechat": FakeWechat()}
    for name, fake in fakes.items():
        fake.host, fake.port = host, ports[name]
    return with_invitation_templates(fakes)


def notify_env(*, aliyun: str, tencent: str, wechat: str, receipt_token: str = "") -> dict[str, str]:
    """The notify settings that make it send through these fakes (URLs as notify reaches them)."""
    aliyun_fake, tencent_fake, wechat_fake = FakeAliyun(), FakeTencent(), FakeWechat()
    return {
        "NOTIFY_SMS_PROVIDERS": "aliyun,tencent", "NOTIFY_WECHAT_PROVIDER": "wechat",
        "NOTIFY_SMS_SIGN_NAME": aliyun_fake.sign_name,
        "NOTIFY_ALIYUN_ENDPOINT": aliyun, "NOTIFY_ALIYUN_ACCESS_KEY_ID": aliyun_fake.access_key_id,
        "NOTIFY_ALIYUN_ACCESS_KEY_SECRET": aliyun_fake.access_key_secret,
        "NOTIFY_ALIYUN_TEMPLATE_CODE": aliyun_fake.template_code,
        "NOTIFY_TENCENT_ENDPOINT": tencent, "NOTIFY_TENCENT_SECRET_ID": tencent_fake.secret_id,
        "NOTIFY_TENCENT_SECRET_KEY": tencent_fake.secret_key, "NOTIFY_TENCENT_SDK_APP_ID": tencent_fake.sdk_app_id,
        "NOTIFY_TENCENT_TEMPLATE_ID": tencent_fake.template_id,
        "NOTIFY_WECHAT_BASE_URL": wechat, "NOTIFY_WECHAT_APPID": wechat_fake.appid,
        "NOTIFY_WECHAT_SECRET": wechat_fake.secret, "NOTIFY_WECHAT_TEMPLATE_ID": wechat_fake.template_id,
        "NOTIFY_WECHAT_CALLBACK_TOKEN": wechat_fake.callback_token, "NOTIFY_RECEIPT_TOKEN": receipt_token,
        "NOTIFY_ALIYUN_INVITATION_TEMPLATE_CODE": INVITATION_TEMPLATES["aliyun"],
        "NOTIFY_TENCENT_INVITATION_TEMPLATE_ID": INVITATION_TEMPLATES["tencent"],
        "NOTIFY_WECHAT_INVITATION_TEMPLATE_ID": INVITATION_TEMPLATES["wechat"],
    }


class Receipts:
    """Pushes each accepted message's receipt once notify acknowledges it; what was not acknowledged goes again."""

    def __init__(self, fakes: dict[str, ProviderFake], *, url: str, token: str, every: float) -> None:
        self.fakes, self.url, self.token, self.every = fakes, url.rstrip("/"), token, every

    def callback(self, provider: str) -> str:
        return f"{self.url}/{provider}" + (f"?token={self.token}" if self.token else "")

    def reply_callback(self, provider: str) -> str:
        """Notify's reply callback beside its receipts (…/notify/replies/{provider})."""
        base = self.url.removesuffix("/receipts")
        return f"{base}/replies/{provider}" + (f"?token={self.token}" if self.token else "")

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                await asyncio.sleep(self.every)
                for name, fake in self.fakes.items():
                    await self.push(name, fake, client)

    async def push(self, name: str, fake: ProviderFake, client: httpx.AsyncClient) -> None:
        waiting = [m.message_id for m in fake.unreported(None)]
        if not waiting:
            return
        try:
            answers = await fake.push_receipts(self.callback(name), only=waiting, client=client)
            acknowledged = all(fake.receipt_acknowledged(answer) for answer in answers)
        except (httpx.HTTPError, ValueError):
            acknowledged = False
        if not acknowledged:  # the provider keeps them and pushes again, as Aliyun's retries and WeChat's do
            for message_id in waiting:
                fake.receipts.pushed.pop(message_id, None)


def control_app(fakes: dict[str, ProviderFake], receipts: Receipts | None) -> Starlette:
    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    async def sent(request: Request) -> JSONResponse:
        return JSONResponse({name: [{"to": m.to, "key": m.key, "message_id": m.message_id, "template": m.template,
                                     "text": m.text, "at": m.at.isoformat(),
                                     "receipt": fake.receipts.pushed.get(m.message_id)}
                                    for m in list(fake.sent)]
                             for name, fake in fakes.items()} | {
            "calls": {name: dict(fake.calls) for name, fake in fakes.items()},
            "errors": {name: list(fake.errors) for name, fake in fakes.items()}})

    async def faults(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        fake = fakes.get(body.pop("provider", ""))
        if fake is None:
            return JSONResponse({"detail": f"provider is one of {', '.join(PROVIDERS)}"}, status_code=422)
        if body.pop("clear", False):
            return JSONResponse({"cleared": fake.clear_faults()})
        try:
            fake.fail_next(int(body.pop("n", 1)), **body)
        except (TypeError, ValueError) as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return JSONResponse({"queued": True})

    async def down(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        fake = fakes.get(body.get("provider", ""))
        if fake is None:
            return JSONResponse({"detail": f"provider is one of {', '.join(PROVIDERS)}"}, status_code=422)
        fake.down = body.get("code")
        return JSONResponse({"down": fake.down})

    async def reply(request: Request) -> JSONResponse:
        """A worker's phone answers an offers SMS: the provider pushes the upstream SMS to notify (`again`: the
        previous one once more, as a provider does when its callback was not acknowledged)."""
        body: dict[str, Any] = await request.json()
        push = getattr(fakes.get(body.get("provider", "")), "push_reply", None)
        if receipts is None or push is None:
            return JSONResponse({"detail": "provider is aliyun or tencent, and notify's callback URL is set"},
                                status_code=422)
        again = {"again": True} if body.get("again") else {}
        answer = await push(receipts.reply_callback(body["provider"]), phone=str(body.get("phone", "")),
                            content=str(body.get("content", "")), **again)
        return JSONResponse({"status": answer.status_code, "body": answer.json()})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        task = asyncio.create_task(receipts.run()) if receipts else None
        yield
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return Starlette(routes=[Route("/health", health), Route("/sent", sent),
                             Route("/faults", faults, methods=["POST"]), Route("/down", down, methods=["POST"]),
                             Route("/reply", reply, methods=["POST"])],
                     lifespan=lifespan)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; `ports` (provider -> port) filled in."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="the control API; providers on the next three")
    for offset, name in enumerate(PROVIDERS, start=1):
        parser.add_argument(f"--{name}-port", type=int, default=None, help=f"default: --port + {offset}")
    parser.add_argument("--receipts-url", default="", help="notify's receipt callbacks, e.g. "
                        "http://127.0.0.1:8000/notify/receipts (/aliyun, /tencent, /wechat are added); empty: none")
    parser.add_argument("--receipt-token", default="", help="NOTIFY_RECEIPT_TOKEN of notify, sent as ?token=")
    parser.add_argument("--receipt-seconds", type=float, default=1.0, help="how often receipts are pushed")
    args = parser.parse_args(argv)
    args.ports = {name: getattr(args, f"{name}_port") or args.port + offset
                  for offset, name in enumerate(PROVIDERS, start=1)}
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ports = args.ports
    fakes = make_fakes(args.host, ports)
    for fake in fakes.values():
        fake.start()
    receipts = (Receipts(fakes, url=args.receipts_url, token=args.receipt_token, every=args.receipt_seconds)
                if args.receipts_url else None)
    print(f"fakes: control on {args.port}; " + ", ".join(f"{n} on {p}" for n, p in ports.items()), flush=True)
    try:
        # No access log: Aliyun's request lines carry phone numbers.
        uvicorn.run(control_app(fakes, receipts), host=args.host, port=args.port, access_log=False,
                    log_level="warning")
    finally:
        for fake in fakes.values():
            fake.stop()
