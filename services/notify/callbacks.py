"""Who may call the provider callbacks (receipts, replies): they carry no bearer token, so a shared secret does.

Every callback URL set in a provider console ends in `?token=<the callback token>` (NOTIFY_RECEIPT_TOKEN, or the one
made once in DATA_DIR/callback-token). WeChat signs its pushes too; with NOTIFY_WECHAT_CALLBACK_TOKEN set, that
signature must hold as well. A call without them is answered 401 and changes nothing. Only the development setting
NOTIFY_CALLBACKS_UNAUTHENTICATED, refused next to a real provider, lets anyone in. What each vendor pushes, and the
answer it wants, is its own module's business (services/notify/vendors/).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from services.notify.settings import NotifySettings
from services.notify.vendors.wechat import callback_signature_ok
from shared.deps import settings_of
from shared.errors import DomainError


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
