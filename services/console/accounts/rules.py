"""What makes an account's fields valid: pure checks, with the Chinese message staff read next to each field."""

from __future__ import annotations

import re

from shared.reference.regions import get_region, in_league

ROLES = {"admin": "管理员", "station_staff": "就业服务站", "partner_office": "协作地劳务办"}
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,39}$")
_OFFICE = re.compile(r"^[A-Za-z0-9_.-]{2,80}$")
_PHONE = re.compile(r"^[0-9][0-9 -]{6,20}$")


def check(*, username: str | None, display_name: str, role: str, region: str | None, office_id: str | None,
          phone: str | None) -> dict[str, str]:
    """Field name → what is wrong with it; empty when the account may be saved."""
    errors: dict[str, str] = {}
    if username is not None and not _USERNAME.match(username):
        errors["username"] = "用户名为3–40位小写字母、数字或 . _ -，以字母开头。"
    if not display_name or len(display_name) > 40:
        errors["display_name"] = "请填写姓名或单位名称（40字以内）。"
    if role not in ROLES:
        errors["role"] = "请选择角色。"
    if role == "station_staff":
        place = get_region(region or "")
        if not region or place is None or not in_league(region) or place.level not in ("county", "township"):
            errors["region"] = "请选择兴安盟的旗县市或苏木乡镇。"
    if role == "partner_office" and not _OFFICE.match(office_id or ""):
        errors["office_id"] = "请填写劳务办编号，如 bj-fengtai-hrss。"
    if phone and not _PHONE.match(phone):
        errors["phone"] = "电话号码只能含数字、空格和“-”。"
    return errors


def scope_of(*, role: str, region: str | None, office_id: str | None) -> dict[str, str | None]:
    """The fields a role keeps: a region for station staff, an office for a partner office, nothing for admin."""
    return {"region": region if role == "station_staff" else None,
            "office_id": office_id if role == "partner_office" else None}
