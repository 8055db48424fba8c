"""The rules a posting must meet, as pure functions over plain values (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.reference.occupations import get_occupation
from shared.reference.regions import get_region
from shared.reference.vocabulary import read as read_occupation
from shared.reference.wages import minimum_wage

MIN_WORKING_AGE = 16
MAX_WORKING_AGE = 65


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    zh: str = "填写有误"  # the same, for a clerk who reads Chinese


def check(fields: dict[str, Any], *, today: date, new: bool) -> list[FieldError]:
    """Every rule a posting breaks; `fields` holds the complete posting after any change."""
    errors: list[FieldError] = []
    region = get_region(fields["region_code"])
    if region is None:
        errors.append(FieldError("region_code", f"unknown region code {fields['region_code']}", "不认识这个地区代码"))
    if fields["wage_min"] > fields["wage_max"]:
        errors.append(FieldError("wage_min", f"wage_min {fields['wage_min']} is above wage_max {fields['wage_max']}",
                                 "最低月薪高于最高月薪"))
    if region is not None:
        floor = minimum_wage(region.code, today)
        if floor is not None and fields["wage_min"] < floor.monthly_cny:
            errors.append(FieldError(
                "wage_min", f"wage_min {fields['wage_min']} is below the minimum wage of {region.name} on "
                            f"{today.isoformat()}: {floor.monthly_cny} CNY a month",
                f"最低月薪低于{region.name}的最低工资标准（每月{floor.monthly_cny}元）"))
    if not MIN_WORKING_AGE <= fields["age_min"] <= fields["age_max"] <= MAX_WORKING_AGE:
        errors.append(FieldError("age_min", f"the age range {fields['age_min']}–{fields['age_max']} must lie within "
                                            f"{MIN_WORKING_AGE}–{MAX_WORKING_AGE} with age_min ≤ age_max",
                                 f"年龄要求应在{MIN_WORKING_AGE}到{MAX_WORKING_AGE}岁之间，且下限不高于上限"))
    if new and fields["valid_until"] < today:
        errors.append(FieldError("valid_until", f"valid_until {fields['valid_until'].isoformat()} is in the past "
                                                f"(today is {today.isoformat()})", "有效期已过"))
    if not fields.get("occupation") and not fields.get("occupation_code"):
        errors.append(FieldError("occupation", "give occupation or occupation_code", "请填写工种"))
    elif fields.get("occupation_code") and get_occupation(fields["occupation_code"]) is None:
        errors.append(FieldError("occupation_code", f"unknown occupation code {fields['occupation_code']}",
                                 "不认识这个工种代码"))
    return errors


def complete(fields: dict[str, Any]) -> dict[str, Any]:
    """Fill what can be derived: the occupation from its code or title, coordinates from the region."""
    done = dict(fields)
    if done.get("occupation_code"):
        occupation = get_occupation(done["occupation_code"])
        if occupation is not None:
            done["occupation_code"] = occupation.code
            done["occupation"] = done.get("occupation") or occupation.name
    else:
        match = read_occupation(done.get("occupation") or "") or read_occupation(done["title"])
        if match is not None:
            done["occupation_code"] = match.occupation.code
    region = get_region(done["region_code"])
    if region is not None and (done.get("lon") is None or done.get("lat") is None):
        done["lon"], done["lat"] = region.lon, region.lat
    return done
