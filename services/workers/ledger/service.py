"""Importing a ledger: each good row registered as the API would, each bad row reported once, nothing half-written."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.ledger.columns import CONSENT_COLUMNS
from services.workers.ledger.schemas import LedgerReport, RowError
from services.workers.profiles import service as profiles
from services.workers.profiles.schemas import ProfileIn
from shared.auth import Principal
from shared.clock import Clock
from shared.db import begin_writing
from shared.errors import DomainError, Invalid
from shared.field_errors import in_chinese, more_zh
from shared.pii import PiiKeys, normalise
from shared.uploads import Row, Table

_FIELD_OF_CONSENT = {key: column for column, key in CONSENT_COLUMNS.items()}
# Columns whose cell text is a personal number: no message may repeat it.
_SECRET_COLUMNS = ("id_number", "phone", "wechat_openid")


async def import_ledger(*, session: AsyncSession, table: Table, by: Principal, keys: PiiKeys,
                        clock: Clock) -> LedgerReport:
    """Register each good row of a read ledger; report each refused row once, with its first problem."""
    # Each row runs in a SAVEPOINT so a refused one leaves the rest of the unit of work intact.
    await begin_writing(session)
    imported, duplicates = 0, 0
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}  # normalised ID-card number -> the row that registered it
    for row in table.rows:
        fields, problem = _parse(row)
        number = normalise(fields["id_number"], purpose="id_number") if problem is None else ""
        if problem is None and number in first_row_of:
            problem = RowError(row=row.number, field="id_number",
                               message=f"same ID-card number as row {first_row_of[number]}",
                               zh=f"与第 {first_row_of[number]} 行的身份证号相同")
        if problem is None:
            problem, duplicate = await _register(session, row, fields, by=by, keys=keys, clock=clock)
            duplicates += duplicate
        if problem is not None:
            errors.append(_scrubbed(problem, row))
            continue
        first_row_of[number] = row.number
        imported += 1
    return LedgerReport(imported=imported, errors=errors, duplicates=duplicates,
                        unknown_columns=table.unknown_headers)


def _parse(row: Row) -> tuple[dict, RowError | None]:
    values: dict[str, Any] = {key: value for key, value in row.values.items() if value != ""}
    consent = {CONSENT_COLUMNS[column]: values.pop(column) for column in CONSENT_COLUMNS if column in values}
    if consent:
        values["consent"] = consent
    try:
        return ProfileIn.model_validate(values).model_dump(), None
    except ValidationError as exc:
        problems = exc.errors()
        return {}, RowError(row=row.number, field=_field(problems[0]["loc"]),
                            message=problems[0]["msg"] + _more(len(problems)),
                            zh=in_chinese(problems[0]) + more_zh(len(problems)))


def _field(loc: tuple) -> str:
    """The column a schema error is about: a consent is its own column in a ledger."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["consent"] and len(parts) > 1:
        return _FIELD_OF_CONSENT.get(parts[1], "consent")
    return parts[0] if parts else "row"


async def _register(session: AsyncSession, row: Row, fields: dict, *, by: Principal, keys: PiiKeys,
                    clock: Clock) -> tuple[RowError | None, int]:
    """Register one row; the problem a domain rule found (if any), and 1 when it names an existing worker."""
    try:
        async with session.begin_nested():
            await profiles.register(session=session, fields=fields, by=by, keys=keys, clock=clock)
    except profiles.DuplicateWorker as exc:
        return RowError(row=row.number, field="id_number", message=exc.message, zh=exc.zh), 1
    except Invalid as exc:
        field, message = exc.errors[0]
        return RowError(row=row.number, field=field or exc.field or "row", message=message + _more(len(exc.errors)),
                        zh=exc.errors_zh[0] + more_zh(len(exc.errors))), 0
    except DomainError as exc:  # Forbidden: a home outside the staff member's region
        return RowError(row=row.number, field=exc.field or "home_region_code", message=exc.message, zh=exc.zh), 0
    except IntegrityError:
        # The uniqueness check passed, yet the insert clashed: another request registered the number meanwhile.
        return RowError(row=row.number, field="id_number",
                        message="this ID-card number was registered by another request meanwhile",
                        zh="这个身份证号刚被另一次操作登记"), 1
    return None, 0


def _more(count: int) -> str:
    return f" (and {count - 1} more)" if count > 1 else ""


def _scrubbed(problem: RowError, row: Row) -> RowError:
    """The error without the row's personal numbers, should any message ever quote its input."""
    return problem.model_copy(update={"message": _without_numbers(problem.message, row),
                                      "zh": _without_numbers(problem.zh, row) if problem.zh else None})


def _without_numbers(message: str, row: Row) -> str:
    for column in _SECRET_COLUMNS:
        raw = row.values.get(column, "")
        for value in {raw.strip(), normalise(raw, purpose=column)}:
            if len(value) >= 6 and value in message:
                message = message.replace(value, "***")
    return message
