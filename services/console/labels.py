"""Words staff read for the API's codes, place names for adcodes, and the formats of money and dates. Pure."""

from __future__ import annotations

from datetime import datetime

from shared.clock import LOCAL_ZONE
from shared.reference.regions import (
    county_of,
    get_region,
    in_league,
    regions_under,
    townships,
)

CAPACITY = {"full": "全劳力", "partial": "半劳力", "weak": "弱劳力", "none": "丧失劳动能力"}
EDUCATION = {"none": "未上学", "primary": "小学", "junior": "初中", "senior": "高中", "vocational": "中专/技校",
             "college": "大专及以上"}
INTENTION = {"none": "无外出意向", "near_home": "就近就业（半小时圈）", "league": "盟内就业",
             "anywhere": "不限（可去北京等地）"}
STATUS = {"seeking": "求职中", "placed": "已就业"}
GENDER = {"male": "男", "female": "女"}
RUN_STATUS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
MESSAGE_STATUS = {"queued": "待发送", "sent": "已发出", "delivered": "已送达", "failed": "发送失败",
                  "not_sent": "未发送", "suppressed": "已暂停"}
CHANNEL = {"sms": "短信", "wechat": "微信"}
SERVICES = {"jobs": "岗位", "workers": "劳动力", "matching": "匹配推荐", "notify": "消息推送"}
CONSUMERS = {"jobs": "岗位事件", "matching": "匹配读模型", "matching-runs": "批量推荐任务", "notify": "推送消息"}
ROLES = {"admin": "管理员", "station_staff": "就业服务站", "partner_office": "协作地劳务办"}
AUDIT_ACTIONS = {"signin": "登录", "signin.failed": "登录失败", "signin.locked": "锁定中尝试登录", "signout": "退出",
                 "account.created": "新建账号", "account.changed": "修改账号", "account.deactivated": "停用账号",
                 "account.activated": "启用账号", "password.changed": "修改密码", "password.reset": "重设密码",
                 "token.issued": "签发令牌"}


def place(code: str | None) -> str:
    """"科尔沁右翼中旗 巴彦呼舒镇" for a township, the name for a county, the code when it is unknown."""
    if not code:
        return ""
    region = get_region(code)
    if region is None:
        return code
    if region.level == "township":
        county = county_of(code)
        return f"{county.short_name if county else ''} {region.name}".strip()
    return region.name


def money(value: int | None) -> str:
    return "" if value is None else f"{value:,}元".replace(",", "")


def when(value: str | datetime | None) -> str:
    """An instant in local time, to the minute."""
    if not value:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def day(value: str | datetime | None) -> str:
    return when(value)[:10]


def counties(region: str | None) -> list[tuple[str, str]]:
    """The League's county units inside the region prefix (all for None): (code, name)."""
    prefix = region or "1522"
    return [(r.code, r.name) for r in regions_under(prefix[:6]) if r.level == "county" and in_league(r.code)]


def townships_by_county(region: str | None) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """For a place picker: each county in the region with its townships inside the region."""
    prefix = region or "1522"
    out = []
    for code, name in counties(region):
        inside = [(t.code, t.name) for t in townships(code) if t.code.startswith(prefix)]
        out.append((code, name, inside))
    return out
