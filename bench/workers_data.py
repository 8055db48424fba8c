"""Synthetic labourers for the workers benchmarks: valid, distinct, homes among the League's townships.

Worker `i` is the same on every run and machine; any two indices below `MAX_WORKERS` differ in ID-card number and
mobile number, so a benchmark takes disjoint index ranges for the workers it must register separately.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from openpyxl import Workbook

from services.workers.profiles.idcard import make_id_number, parse_id_number
from services.workers.profiles.models import WorkerStatus
from shared.pii import PiiKeys, blind_index, last4, seal
from shared.reference.regions import Region, townships

STAFF_REGION = "1522"  # the League: station staff of this prefix may register any of its townships
_FIRST_BIRTH = date(1970, 1, 1)
_BIRTH_STEP_DAYS = 61
MAX_WORKERS = 100 * 240  # 100 sequence numbers per birth date, 240 birth dates 61 days apart (1970 to 2009)

_SURNAMES = "王李张刘赵孙杨陈高马包白宝吴韩"
_GIVEN = ("秀英", "建国", "桂兰", "志刚", "乌力吉", "其其格", "海燕", "巴特尔", "春梅", "宝音", "丽娟", "那顺")
_PHONE_PREFIXES = ("133", "139", "151", "186", "134", "135", "150", "152", "158", "187", "130", "155", "177")
_JOBS = (("家政服务员", "做饭、照顾老人"), ("保洁员", "保洁"), ("驾驶员", "开车、开拖拉机"), ("普工", "放羊、种地"),
         ("焊工", "电焊"), ("养老护理员", "照顾老人"), ("保安员", "放牛"), ("厨工", "做饭"))
_CAPACITY = (("full", "全劳力"), ("full", "全部"), ("partial", "部分"), ("weak", "弱劳力"))
_EDUCATION = (("junior", "初中"), ("primary", "小学"), ("senior", "高中"), ("vocational", "中专"))
_INTENTION = (("anywhere", "外出"), ("near_home", "就近"), ("league", "盟内"), ("none", "不愿外出"))

# The Chinese headers of a station's ledger, each an alias that services/workers/ledger/columns.py accepts.
LEDGER_HEADERS = ["姓名", "身份证号码", "联系电话", "户籍所在地代码", "劳动能力", "文化程度", "技能特长", "证书",
                  "求职意向", "转移就业意向", "期望月薪", "培训意愿", "创业意愿", "同意短信", "同意微信",
                  "同意向输入地共享"]


@cache
def homes() -> list[Region]:
    return townships()


def _pick(options: tuple, i: int, stride: int = 1):
    return options[(i // stride) % len(options)]


def id_number(i: int) -> str:
    """A valid, distinct number: the birth date and the two sequence digits come from `i`."""
    if not 0 <= i < MAX_WORKERS:
        raise ValueError(f"worker index {i} is outside 0..{MAX_WORKERS - 1}")
    home = homes()[i % len(homes())]
    birth = _FIRST_BIRTH + timedelta(days=(i // 100) * _BIRTH_STEP_DAYS)
    return make_id_number(home.county_code or home.code[:6], birth, i % 100, "male" if i % 2 else "female")


def phone(i: int) -> str:
    return _pick(_PHONE_PREFIXES, i, 7) + f"{i:08d}"  # the eight digits alone keep two workers apart


def name(i: int) -> str:
    return _pick(tuple(_SURNAMES), i, 3) + _pick(_GIVEN, i, 5)


def worker(i: int) -> dict[str, Any]:
    """A registration body as station staff send it to POST /workers/profiles."""
    job, skills = _pick(_JOBS, i)
    return {"name": name(i), "id_number": id_number(i), "phone": phone(i),
            "home_region_code": homes()[i % len(homes())].code, "labor_capacity": _pick(_CAPACITY, i, 11)[0],
            "education": _pick(_EDUCATION, i, 13)[0], "skills": skills.split("、"),
            "certificates": ["健康证"] if i % 3 == 0 else [], "desired_occupations": [job],
            "transfer_intention": _pick(_INTENTION, i, 17)[0], "expected_wage": 3000 + (i % 40) * 100,
            "wants_training": i % 5 < 2, "wants_entrepreneurship": i % 10 == 0, "wechat_openid": None,
            "consent": {"sms": True, "wechat": False, "share_with_partners": i % 4 != 0}}


def ledger_row(i: int) -> list[Any]:
    """The same worker as a ledger row, in the words staff write (全劳力, 初中, 外出, 是/否)."""
    job, skills = _pick(_JOBS, i)
    return [name(i), id_number(i), phone(i), homes()[i % len(homes())].code, _pick(_CAPACITY, i, 11)[1],
            _pick(_EDUCATION, i, 13)[1], skills, "健康证" if i % 3 == 0 else "", job, _pick(_INTENTION, i, 17)[1],
            3000 + (i % 40) * 100, "是" if i % 5 < 2 else "否", "是" if i % 10 == 0 else "否", "是", "否",
            "同意" if i % 4 != 0 else "不同意"]


def ledger_xlsx(indices: range) -> bytes:
    """A ledger workbook (header row, then one row a worker), made in memory.

    Not write_only: like Excel, the ordinary mode writes the sheet's <dimension> before its rows; without one,
    openpyxl's read-only reader parses the whole sheet once more just to size it, which would inflate the parse.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(LEDGER_HEADERS)
    for i in indices:
        sheet.append(ledger_row(i))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sealed_row(i: int, *, keys: PiiKeys, registered_by: str, now: datetime) -> dict[str, Any]:
    """Worker `i` as the worker_profiles row the API would store: numbers sealed and hashed, birth date derived."""
    body = worker(i)
    card = parse_id_number(body["id_number"])
    consent = body["consent"]
    return {
        "id": str(uuid.uuid4()), "name": body["name"],
        "id_number_sealed": seal(card.number, keys=keys, purpose="id_number"),
        "id_number_hash": blind_index(card.number, keys=keys, purpose="id_number"), "id_last4": last4(card.number),
        "phone_sealed": seal(body["phone"], keys=keys, purpose="phone"),
        "phone_hash": blind_index(body["phone"], keys=keys, purpose="phone"), "wechat_openid_sealed": None,
        "birth_date": card.birth_date, "gender": card.gender, "home_region_code": body["home_region_code"],
        "labor_capacity": body["labor_capacity"], "education": body["education"], "skills": body["skills"],
        "certificates": body["certificates"], "desired_occupations": body["desired_occupations"],
        "transfer_intention": body["transfer_intention"], "expected_wage": body["expected_wage"],
        "wants_training": body["wants_training"], "wants_entrepreneurship": body["wants_entrepreneurship"],
        "consent_sms": consent["sms"], "consent_wechat": consent["wechat"],
        "consent_share": consent["share_with_partners"], "status": WorkerStatus.seeking.value, "version": 1,
        "registered_by": registered_by, "created_at": now, "updated_at": now,
    }
