"""A ledger's rows checked as registrations, and sorted into the rows to insert and the one problem of each refused
row (pure: no I/O; the service looks up the registered numbers between the two steps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from services.workers.ledger.columns import CONSENT_COLUMNS
from services.workers.ledger.schemas import RowError
from services.workers.profiles import service as profiles
from services.workers.profiles.schemas import ProfileIn
from shared.auth import Principal
from shared.errors import DomainError, Invalid
from shared.field_errors import in_chinese, more_zh
from shared.pii import PiiKeys, normalise
from shared.uploads import Row

_FIELD_OF_CONSENT = {key: column for column, key in CONSENT_COLUMNS.items()}
# Columns whose cell text is a personal number: no message may repeat it.
_SECRET_COLUMNS = ("id_number", "phone", "wechat_openid")


@dataclass(frozen=True)
class Checked:
    """One row after the checks that need no database: the profile row it would insert, or why not."""

    row: Row
    id_number: str = ""  # normalised; "" when the row failed the schema (its number is not known to be one)
    profile: dict[str, Any] | None = None  # the worker_profiles row, numbers sealed
    problem: RowError | None = None


@dataclass
class Sorted:
    """What to insert, in row order, and the refused rows, each once."""

    profiles: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, worker_profiles row)
    errors: list[RowError] = field(default_factory=list)
    duplicates: int = 0


def check(row: Row, *, by: Principal, keys: PiiKeys, now: datetime, today: date) -> Checked:
    """The schema, the home and the ID-card number of one row, and its numbers sealed when they pass."""
    values: dict[str, Any] = {key: value for key, value in row.values.items() if value != ""}
    consent = {CONSENT_COLUMNS[column]: values.pop(column) for column in CONSENT_COLUMNS if column in values}
    if consent:
        values["consent"] = consent
    try:
        fields = ProfileIn.model_validate(values).model_dump()
    except ValidationError as exc:
        problems = exc.errors()
        return Checked(row, problem=RowError(row=row.number, field=_field(problems[0]["loc"]),
                                             message=problems[0]["msg"] + _more(len(problems)),
                                             zh=in_chinese(problems[0]) + more_zh(len(problems))))
    number = normalise(fields["id_number"], purpose="id_number")
    try:
        profile = profiles.registration(fields=fields, by=by, keys=keys, now=now, today=today)
    except Invalid as exc:
        field_name, message = exc.errors[0]
        return Checked(row, number, problem=RowError(
            row=row.number, field=field_name or exc.field or "row", message=message + _more(len(exc.errors)),
            zh=exc.errors_zh[0] + more_zh(len(exc.errors))))
    except DomainError as exc:  # Forbidden: a home outside the staff member's region
        return Checked(row, number, problem=RowError(row=row.number, field=exc.field or "home_region_code",
                                                     message=exc.message, zh=exc.zh))
    return Checked(row, number, profile=profile)


def sort_out(checked: list[Checked], registered: Mapping[str, tuple[str, str]], *, by: Principal) -> Sorted:
    """Decide each row in file order: refused for its schema, as a repeat of an earlier row of the file that is
    imported, for its home or number, or as a worker registered before (`registered`: ID-card blind index -> the
    profile's id and home); else imported."""
    result = Sorted()
    first_row_of: dict[str, int] = {}  # normalised ID-card number -> the row that registers it
    for item in checked:
        row = item.row
        problem = item.problem if not item.id_number else None
        if problem is None and item.id_number in first_row_of:
            problem = RowError(row=row.number, field="id_number",
                               message=f"same ID-card number as row {first_row_of[item.id_number]}",
                               zh=f"与第 {first_row_of[item.id_number]} 行的身份证号相同")
        problem = problem or item.problem
        if problem is None and item.profile is not None and item.profile["id_number_hash"] in registered:
            existing_id, existing_home = registered[item.profile["id_number_hash"]]
            duplicate = profiles.duplicate_of(existing_id, existing_home, by=by)
            problem = RowError(row=row.number, field="id_number", message=duplicate.message, zh=duplicate.zh)
            result.duplicates += 1
        if problem is not None or item.profile is None:
            result.errors.append(scrubbed(problem or _no_profile(row), row))
            continue
        first_row_of[item.id_number] = row.number
        result.profiles.append((row.number, item.profile))
    return result


def registered_meanwhile(row: Row) -> RowError:
    """The uniqueness check passed, yet the insert clashed: another request registered the number meanwhile."""
    return RowError(row=row.number, field="id_number",
                    message="this ID-card number was registered by another request meanwhile",
                    zh="这个身份证号刚被另一次操作登记")


def _no_profile(row: Row) -> RowError:  # pragma: no cover - a checked row has a profile or a problem
    return RowError(row=row.number, field="row", message="the row could not be read", zh="这一行读不出来")


def _field(loc: tuple) -> str:
    """The column a schema error is about: a consent is its own column in a ledger."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["consent"] and len(parts) > 1:
        return _FIELD_OF_CONSENT.get(parts[1], "consent")
    return parts[0] if parts else "row"


def _more(count: int) -> str:
    return f" (and {count - 1} more)" if count > 1 else ""


def scrubbed(problem: RowError, row: Row) -> RowError:
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
