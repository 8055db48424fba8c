"""Who may call the provider callbacks (receipts, replies): they carry no bearer token, so a shared secret does.

Every callback URL set in a provider console ends in `?token=<the callback token>` (NOTIFY_RECEIPT_TOKEN, or the one
made once in DATA_DIR/callback-token). WeChat signs its pushes too; with NOTIFY_WECHAT_CALLBACK_TOKEN set, that
signature must hold as well. A call without them is answered 401 and changes nothing. Only the development setting
NOTIFY_CALLBACKS_UNAUTHENTICATED, refused next to a real provider, lets anyone in. The SMS vendors' answers and the
reading of a JSON body, which every callback route shares, are here too.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from services.notify.providers.wechat import callback_signature_ok
from services.notify.settings import NotifySettings
from shared.deps import settings_of
from shared.errors import DomainError

# What the SMS vendors expect back from a callback; anything else makes them push again.
ALIYUN_OK = {"code": 0, "msg": "接收成功"}
TENCENT_OK = {"result": 0, "errmsg": "OK"}


class CallbackRefused(DomainError):
    status_code = 401
    code = "callback_refused"
    zh = "回调验证未通过"


def check_token(*, token: str, settings: NotifySettings) -> None:
    """Refuse a caller without the callback token (compared in constant time)."""
    if settings.callbacks_unauthenticated:
        return
    if not hmac.compare_digest(token.encode(), settings.callback_token.encode()):
        raise CallbackRefused("the callback token is missing or wrong")


def check_wechat(*, token: str, signature: str, timestamp: str, nonce: str, settings: NotifySettings) -> None:
    """Refuse a WeChat push without the callback token, or without WeChat's signature when its token is set."""
    check_token(token=token, settings=settings)
    if settings.callbacks_unauthenticated or not settings.wechat_callback_token:
        return
    if not callback_signature_ok(token=settings.wechat_callback_token, signature=signature, timestamp=timestamp,
                                 nonce=nonce):
        raise CallbackRefused("WeChat's signature does not hold")


def provider_caller(request: Request,
                    settings: Annotated[NotifySettings, Depends(settings_of("notify"))]) -> None:
    check_token(token=request.query_params.get("token", ""), settings=settings)


def wechat_caller(request: Request, settings: Annotated[NotifySettings, Depends(settings_of("notify"))]) -> None:
    query = request.query_params
    check_wechat(token=query.get("token", ""), signature=query.get("signature", ""),
                 timestamp=query.get("timestamp", ""), nonce=query.get("nonce", ""), settings=settings)


async def read_json(request: Request) -> Any:
    """A callback's body as JSON (a 400 otherwise)."""
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise HTTPException(400, "the body is not JSON") from exc
