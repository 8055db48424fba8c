"""Refusing, before any route runs, requests the platform will not read: bodies over the size limit (413), JSON that
is not plain JSON (NaN, Infinity, half a UTF-16 pair, absurdly many keys, absurd nesting) and control characters in
the path or query (422).

The distributed ingress caps bodies too (deploy/nginx/nginx.conf); this holds the same line in the embedded mode,
where the app faces its clients alone.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import error_response
from shared.language import prefers_chinese

# Keys in all the objects of one body. The largest bodies are a provider's batch of receipts (an Aliyun SmsReport
# array: 9 keys a receipt; a busy hour's push can hold thousands); below the 1 MiB size limit a body of tiny
# objects could hold some 250,000.
MAX_KEYS = 50_000
_ENVELOPE = 64 * 1024  # a multipart envelope around an uploaded file
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Where json.loads can find a UTF-16 surrogate in a body it decodes as UTF-8 (with "surrogatepass"): a JSON escape
# (\uD800-\uDFFF), or its UTF-8 bytes (ED A0-BF ...). Searched over the raw body, so an escaped backslash before
# "ud800" is found too: a false alarm that costs only the full check.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, zh: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.zh = status, code, message, zh


class BodyGuard:
    """ASGI middleware: `max_bytes` for a JSON or form body, `max_upload_bytes` for a multipart upload."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int, max_keys: int = MAX_KEYS) -> None:
        self.app, self.max_bytes, self.max_upload_bytes, self.max_keys = app, max_bytes, max_upload_bytes, max_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            _check_address(scope)
            body = await self._body(headers, receive)
            if body and _is_json(headers.get("content-type", "")):
                strict_json(body, max_keys=self.max_keys)
        except Refused as refused:
            words = refused.zh if prefers_chinese(headers.get("accept-language")) else refused.message
            entry = {"type": refused.code, "loc": ["body"], "msg": words, "field": "", "code": refused.code,
                     "message": words}
            response = error_response(headers, refused.status, code=refused.code, message=refused.message,
                                      zh=refused.zh, detail=[entry] if refused.status == 422 else None)
            await response(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)

    async def _body(self, headers: Headers, receive: Receive) -> bytes | None:
        """The whole body, read up to the limit; None when the request announces none."""
        multipart = headers.get("content-type", "").startswith("multipart/")
        limit = self.max_upload_bytes + _ENVELOPE if multipart else self.max_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        if declared in (None, "0") and "chunked" not in headers.get("transfer-encoding", ""):
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def strict_json(body: bytes, *, max_keys: int = MAX_KEYS) -> object:
    """Parse a JSON body as JSON (RFC 8259) is: no NaN or Infinity, no half surrogate pairs, at most max_keys keys."""
    keys = 0

    def pairs(items: list[tuple[str, object]]) -> dict:
        nonlocal keys
        keys += len(items)
        if keys > max_keys:
            raise Refused(422, "too_many_keys", f"the body has more than {max_keys} keys",
                          f"内容里的字段太多（超过 {max_keys} 个）")
        return dict(items)

    def constant(name: str) -> object:
        raise Refused(422, "not_a_number", f"{name} is not a number JSON allows", f"{name} 不是有效的数字")

    try:
        value = json.loads(body, object_pairs_hook=pairs, parse_constant=constant)
    except RecursionError as exc:
        raise Refused(422, "too_deep", "the body is nested too deeply", "内容嵌套太深") from exc
    except (UnicodeDecodeError, ValueError):
        return None  # not JSON at all: the route answers that in its own words
    if _utf8(body) and not _SURROGATE.search(body):
        return value  # no lone surrogate can be in it: encoding it again to look for one is not needed
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Refused(422, "broken_text", "the body holds half of a UTF-16 surrogate pair",
                      "内容里有乱码（不完整的字符），请删掉后重填") from exc
    return value


def _utf8(body: bytes) -> bool:
    """Whether json.loads reads the body as UTF-8 (json.detect_encoding: no byte-order mark of UTF-16 or UTF-32, no
    zero byte among the first four)."""
    return not body.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in body[:4]


def _check_address(scope: Scope) -> None:
    query = unquote(scope.get("query_string", b"").decode("latin-1"), errors="replace")
    if _CONTROL.search(scope.get("path", "")) or _CONTROL.search(query):
        raise Refused(422, "control_character", "the address holds control characters",
                      "网址里有看不见的控制字符")


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _too_large(limit: int) -> Refused:
    size = f"{limit / (1 << 20):.1f}".removesuffix(".0") + " MB"
    return Refused(413, "payload_too_large", f"the body is larger than {size}", f"内容太大，最大 {size}")
