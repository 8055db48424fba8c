"""The error answers every operation may give, written into the OpenAPI document (FastAPI documents only 200/422)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

_UNGUARDED = ("/health", "/ready", "/metrics")
_WRITES = {"post", "put", "patch", "delete"}


class ErrorAnswer(BaseModel):
    """Every error answer: a stable code, a message for the person (Chinese when Accept-Language prefers zh)."""

    code: str = Field(description="stable, snake_case, e.g. not_found, rate_limited, registered_elsewhere")
    message: str = Field(description="for the person: short plain Chinese when Accept-Language prefers zh")
    detail: Any = Field(description="the earlier answer, kept for existing clients")


class FieldError(BaseModel):
    type: str
    loc: list[str | int]
    msg: str = Field(description="in the person's language")
    field: str
    code: str
    message: str
    input: Any = None


class InvalidAnswer(BaseModel):
    """A 422: one entry a field (at most 50, then one that says how many more)."""

    code: str
    message: str
    detail: list[FieldError]


_WORDS = {400: "the file or request cannot be read", 401: "no token, or one that is invalid or has expired",
          403: "the role may not do this", 404: "not found, or not the caller's to see",
          409: "clashes with what exists (a duplicate, a run still going, a closed posting)",
          413: "the body is over the size limit", 422: "the input breaks a rule of its fields",
          429: "over the caller's rate limit: wait Retry-After seconds"}


def document_errors(app: FastAPI) -> None:
    """Make app.openapi() list, for each operation, the error answers it can give, with their schemas."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorAnswer, FieldError, InvalidAnswer):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        for path, operations in schema.get("paths", {}).items():
            if path.endswith(_UNGUARDED):
                continue
            for method, operation in operations.items():
                codes = [401, 403, 413, 422]
                codes += [404] if "{" in path else []
                codes += [400, 409] if method in _WRITES else []
                codes += [429] if "x-rate-limit" in operation else []
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    name = "InvalidAnswer" if code == 422 else "ErrorAnswer"
                    answer: dict[str, Any] = {"description": _WORDS[code],
                              "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
                    if code == 429:
                        answer["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                             "description": "seconds to wait"}}
                    responses[str(code)] = answer
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document
