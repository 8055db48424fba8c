"""Domain error types shared by the services, and their mapping to HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    """Rules of the domain broken by the input (answered like a schema error, 422, one entry a rule)."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None,
                 errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message, field=field)
        self.errors = errors or [(field or "", message)]


class PayloadTooLarge(DomainError):
    status_code = 413


class UploadError(DomainError):
    """The upload cannot be read as a table (400); str(error) is a short English message for the person."""

    status_code = 400


class UploadTooLarge(UploadError):
    """The upload is over the size limit (413)."""

    status_code = 413
    limit: int

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Invalid):
            detail = [{"type": "value_error", "loc": ["body", field] if field else ["body"], "msg": message}
                      for field, message in exc.errors]
            return JSONResponse({"detail": detail}, status_code=exc.status_code)
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
