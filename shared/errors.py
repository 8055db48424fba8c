"""Domain error types shared by the services, and their mapping to HTTP answers.

Every error answer is `{"code": "...", "message": "...", "detail": ...}`: `code` is stable snake_case for programs,
`message` is for the person (short plain Chinese when Accept-Language prefers zh, English otherwise), and `detail`
is what the platform answered before `code` and `message` existed, kept for the clients that read it. A 422 lists one
entry a field in `detail`: `loc`, `type` and `msg` as FastAPI has them (`msg` in the person's language), plus
`field`, `code` and `message`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.field_errors import field_errors
from shared.language import prefers_chinese

log = logging.getLogger("jobbridge.errors")


class DomainError(Exception):
    """A failure the person can act on. `message` is English; `zh` says the same in Chinese."""

    status_code = 400
    code = "bad_request"
    zh = "请求有误"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        if zh:
            self.zh = zh


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    zh = "没有找到"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    zh = "无权进行此操作"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    zh = "与已有记录冲突"


class Invalid(DomainError):
    """Rules of the domain broken by the input (answered like a schema error, 422, one entry a rule).

    errors: (field, English message) pairs; errors_zh: the same messages in Chinese, in the same order."""

    status_code = 422
    code = "invalid"
    zh = "填写有误"

    def __init__(self, message: str, *, field: str | None = None, errors: list[tuple[str, str]] | None = None,
                 errors_zh: list[str] | None = None, code: str | None = None, zh: str | None = None) -> None:
        super().__init__(message, field=field, code=code, zh=zh)
        self.errors = errors or [(field or "", message)]
        self.errors_zh = errors_zh or ([self.zh] if errors is None else [type(self).zh] * len(self.errors))


class Unavailable(DomainError):
    """Another service of the platform could not answer now (503): nothing was changed; try again shortly."""

    status_code = 503
    code = "unavailable"
    zh = "服务暂时不可用，请稍后再试"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"
    zh = "内容太大"


class TooManyRequests(DomainError):
    """Over a rate limit (429); `retry_after` seconds until the next try may pass."""

    status_code = 429
    code = "rate_limited"
    zh = "操作太频繁，请稍后再试"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None, zh: str | None = None) -> None:
        super().__init__(message, code=code, zh=zh)
        self.retry_after = max(1, retry_after)


class UploadError(DomainError):
    """The upload cannot be read as a table (400); str(error) is a short English message for the person."""

    status_code = 400
    code = "upload_unreadable"
    zh = "文件无法读取，请在 Excel 中另存为 .xlsx 或 .csv 后重新上传"


class UploadTooLarge(UploadError):
    """The upload is over the size limit (413)."""

    status_code = 413
    code = "upload_too_large"
    limit: int

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message, zh=f"文件太大，最大 {_megabytes(limit)}，请分成几个文件上传")
        self.limit = limit


# What the platform says for the HTTP errors it does not raise itself (no route, wrong method, bad token, ...).
_HTTP = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权进行此操作"),
    404: ("not_found", "没有找到"),
    405: ("method_not_allowed", "不支持这种操作"),
    409: ("conflict", "与已有记录冲突"),
    413: ("payload_too_large", "内容太大"),
    415: ("unsupported_media_type", "不支持这种内容格式"),
    422: ("invalid", "填写有误"),
    429: ("rate_limited", "操作太频繁，请稍后再试"),
    500: ("internal_error", "系统出错了，请稍后再试"),
    503: ("unavailable", "系统暂时不可用，请稍后再试"),
}


def error_body(request_headers, *, code: str, message: str, zh: str, detail: object) -> dict:
    """The body of every error answer; `request_headers` decide the language of `message`."""
    chinese = prefers_chinese(request_headers.get("accept-language"))
    return {"code": code, "message": zh if chinese else message, "detail": detail}


def error_response(request_headers, status: int, *, code: str, message: str, zh: str, detail: object = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = error_body(request_headers, code=code, message=message, zh=zh,
                      detail=message if detail is None else detail)
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        if isinstance(exc, Invalid):
            chinese = prefers_chinese(request.headers.get("accept-language"))
            detail = [_rule_entry(field, zh if chinese else message, code=exc.code)
                      for (field, message), zh in zip(exc.errors, exc.errors_zh)]
            return error_response(request.headers, exc.status_code, code=exc.code, message=exc.message, zh=exc.zh,
                                  detail=detail)
        return error_response(request.headers, exc.status_code, code=exc.code, message=exc.message, zh=exc.zh,
                              headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _schema_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        chinese = prefers_chinese(request.headers.get("accept-language"))
        detail = field_errors(exc.errors(), chinese=chinese)
        first = detail[0]["msg"] if detail else ""
        return error_response(request.headers, 422, code="invalid", message=f"invalid input: {first}",
                              zh=f"填写有误：{first}", detail=detail)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code, zh = _HTTP.get(exc.status_code, ("error", "请求没有成功"))
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(request.headers, exc.status_code, code=code, message=message, zh=zh,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        code, zh = _HTTP[500]
        return error_response(request.headers, 500, code=code, message="internal error", zh=zh)


def _rule_entry(field: str, shown: str, *, code: str) -> dict:
    loc = ["body", field] if field else ["body"]
    return {"type": "value_error", "loc": loc, "msg": shown, "field": field, "code": code, "message": shown}


def _megabytes(limit: int) -> str:
    return f"{limit / (1 << 20):.1f}".removesuffix(".0") + " MB"
