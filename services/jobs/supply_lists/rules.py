"""A supply list's rows checked as postings, and sorted into the postings (and employers) to insert and the one
problem of each refused row (pure: no I/O; the service looks up the list's postings and the named employers between
the two steps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from services.jobs.postings import rules as posting_rules
from services.jobs.postings.schemas import PostingIn
from services.jobs.supply_lists.schemas import RowError
from shared.field_errors import in_chinese, more_zh
from shared.uploads import Row

# An office posts only for employers it brought in: a name another office or an employer's own account holds is
# refused, or an import could attach postings to an employer that never offered them.
_NOT_YOURS = ("employer {name} was registered by someone else; an office may post only for employers it brought in "
              "(use the employer's full name as your office registered it, or ask the administrator)")
_NOT_YOURS_ZH = "“{name}”是别的账号登记的用人单位，只能为本办公室引入的用人单位发布岗位（请核对名称或联系管理员）"

Key = tuple  # (employer name, title, region code, wage_min, wage_max): one posting of a list


@dataclass(frozen=True)
class Checked:
    """One row after the checks that need no database: the posting's fields (completed), or why not."""

    row: Row
    employer_name: str
    fields: dict[str, Any] | None = None
    problem: RowError | None = None


@dataclass
class Sorted:
    """What to insert, in row order, and the refused rows, each once."""

    postings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (employer name, completed fields)
    new_employers: dict[str, str] = field(default_factory=dict)  # name -> region code of its first posting
    errors: list[RowError] = field(default_factory=list)


def check(row: Row, *, today: date) -> Checked:
    """The schema and the posting rules of one row; the fields completed (occupation code, coordinates) if good."""
    values = {key: value for key, value in row.values.items() if value != ""}
    name = values.pop("employer_name", "").strip()
    try:
        fields = PostingIn.model_validate(values).model_dump()
    except ValidationError as exc:
        problems = exc.errors()
        first = problems[0]
        where = str(first["loc"][0]) if first["loc"] else "row"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Checked(row, name, problem=RowError(row=row.number, field=where, message=f"{first['msg']}{more}",
                                                   zh=in_chinese(first) + more_zh(len(problems))))
    if not name:
        return Checked(row, name, problem=RowError(row=row.number, field="employer_name",
                                                   message="employer_name is required", zh="请填写用人单位"))
    broken = posting_rules.check(fields, today=today, new=True)
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        return Checked(row, name, problem=RowError(row=row.number, field=broken[0].field,
                                                   message=broken[0].message + more,
                                                   zh=broken[0].zh + more_zh(len(broken))))
    return Checked(row, name, fields=posting_rules.complete(fields))


def key_of(employer_name: str, fields: Mapping[str, Any]) -> Key:
    return (employer_name, fields["title"], fields["region_code"], fields["wage_min"], fields["wage_max"])


def sort_out(checked: list[Checked], *, in_list: Mapping[Key, str], employers: Mapping[str, str | None],
             office_id: str) -> Sorted:
    """Decide each row in file order: refused for its fields, as a posting the list holds (`in_list`: key -> posting
    id) or an earlier row of the file holds, or for an employer another account brought in (`employers`: name ->
    the office that brought it in, None for none); else imported, its employer created if new."""
    result = Sorted()
    seen: dict[Key, tuple[str, str]] = {key: (f"posting {posting_id} already in this list", "清单里已有这个岗位")
                                        for key, posting_id in in_list.items()}
    for item in checked:
        number = item.row.number
        if item.problem is not None or item.fields is None:
            result.errors.append(item.problem or RowError(row=number, field="row", message="the row could not be read",
                                                          zh="这一行读不出来"))
            continue
        name, key = item.employer_name, key_of(item.employer_name, item.fields)
        if key in seen:
            where, where_zh = seen[key]
            result.errors.append(RowError(row=number, field="title", message=f"duplicate of {where}", zh=where_zh))
            continue
        if name in employers and employers[name] != office_id:
            result.errors.append(RowError(row=number, field="employer_name", message=_NOT_YOURS.format(name=name),
                                          zh=_NOT_YOURS_ZH.format(name=name)))
            continue
        seen[key] = (f"row {number}", f"与第 {number} 行重复")
        if name not in employers:
            result.new_employers.setdefault(name, item.fields["region_code"])
        result.postings.append((name, item.fields))
    return result
