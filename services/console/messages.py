"""Chinese for the API's answers, until every service sends its own (`Accept-Language: zh-CN`).

A message that is already Chinese is kept as it is; the framework's English messages are translated by their type,
and the few domain rules the console's forms meet by a phrase of theirs. Pure functions, no I/O.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")

_BY_TYPE = {
    "missing": "必填。",
    "string_too_short": "太短了。",
    "string_too_long": "太长了。",
    "string_pattern_mismatch": "格式不对。",
    "int_parsing": "请填写整数。",
    "int_type": "请填写整数。",
    "float_parsing": "请填写数字。",
    "greater_than": "数值太小。",
    "greater_than_equal": "数值太小。",
    "less_than": "数值太大。",
    "less_than_equal": "数值太大。",
    "literal_error": "请从列表中选择。",
    "enum": "请从列表中选择。",
    "date_parsing": "日期格式不对，如 2027-01-31。",
    "date_from_datetime_parsing": "日期格式不对，如 2027-01-31。",
    "bool_parsing": "请选“是”或“否”。",
    "extra_forbidden": "多余的字段。",
}

# (phrase of the English message, Chinese) — the first that matches wins.
_BY_PHRASE = [
    (re.compile(r"check digit should be (\w)"), "身份证号校验位不对（最后一位应为{0}），请核对。"),
    (re.compile(r"must be 18 characters"), "身份证号应为18位。"),
    (re.compile(r"first 17 characters must be digits"), "身份证号前17位应为数字。"),
    (re.compile(r"last character must be a digit or X"), "身份证号最后一位应为数字或X。"),
    (re.compile(r"birth date .* does not exist"), "身份证号中的出生日期不存在。"),
    (re.compile(r"birth date is in the future"), "身份证号中的出生日期在今天之后。"),
    (re.compile(r"minimum working age is (\d+)"), "未满{0}周岁，不能登记。"),
    (re.compile(r"mainland mobile number"), "手机号应为11位数字，以13–19开头。"),
    (re.compile(r"is not a county or township of Xing'an League"), "户籍地须为兴安盟的旗县市或苏木乡镇。"),
    (re.compile(r"is outside your region"), "这个地方不在您负责的地区。"),
    (re.compile(r"already registered|already exists|existing profile", re.I), "此人已登记过（身份证号相同）。"),
    (re.compile(r"active placement"), "此人已有在岗记录，请先结束原记录。"),
    (re.compile(r"closed|no headcount|no openings|filled", re.I), "这个岗位已关闭或已招满。"),
    (re.compile(r"posting not found", re.I), "没有找到这个岗位。"),
    (re.compile(r"not found", re.I), "没有找到这条记录，或它不在您负责的地区。"),
    (re.compile(r"may not be emptied"), "不能清空。"),
    (re.compile(r"unknown region code"), "地区代码不认识，请用国家行政区划代码。"),
    (re.compile(r"wage_min (\d+) is above wage_max (\d+)"), "最低月薪{0}元高于最高月薪{1}元。"),
    (re.compile(r"below the minimum wage .*: (\d+) CNY"), "月薪低于当地最低工资标准（每月{0}元）。"),
    (re.compile(r"age range"), "年龄范围须在16–65岁之间，且最低不高于最高。"),
    (re.compile(r"valid_until .* is in the past"), "有效期已过。"),
    (re.compile(r"give occupation or occupation_code"), "请填写工种。"),
    (re.compile(r"unknown occupation code"), "工种代码不认识。"),
    (re.compile(r"below the minimum wage|minimum wage", re.I), "月薪低于当地最低工资标准。"),
]

# A field's name as staff call it (column headers of ledgers and supply lists).
FIELD_NAMES = {
    "name": "姓名", "id_number": "身份证号", "phone": "手机号", "home_region_code": "户籍地",
    "labor_capacity": "劳动能力",
    "education": "文化程度", "skills": "技能", "certificates": "证书", "desired_occupations": "意向工种",
    "transfer_intention": "转移就业意向", "expected_wage": "期望月薪", "employer_name": "用人单位", "title": "岗位名称",
    "occupation": "工种", "region_code": "工作地点", "wage_min": "最低月薪", "wage_max": "最高月薪",
    "headcount": "招聘人数",
    "valid_until": "有效期至", "meals": "包吃", "lodging": "包住", "age_min": "最低年龄", "age_max": "最高年龄",
}

# What a form field must hold, said when the framework only knows that its shape is wrong (empty, too short, …).
_SHAPE = {"missing", "string_too_short", "string_too_long", "string_pattern_mismatch", "string_type"}
_FIELD_WORDING = _SHAPE - {"missing"} | {"int_parsing", "greater_than", "less_than_equal", "date_from_datetime_parsing",
                                       "date_parsing"}
BY_FIELD = {
    "name": "请填写姓名（40字以内）。",
    "id_number": "身份证号应为18位。",
    "phone": "手机号应为11位数字，以13–19开头。",
    "home_region_code": "请选择户籍所在的苏木乡镇。",
    "region_code": "请选择旗县市或苏木乡镇。",
    "transfer_intention": "请选择转移就业意向。",
    "posting_id": "请选择岗位。",
    "start_date": "请填写上岗日期，如 2027-01-31。",
    "work_region_code": "请选择工作地点。",
    "expected_wage": "期望月薪请填1到100000之间的整数。",
    "monthly_wage": "月薪请填1到100000之间的整数。",
    "contract_months": "合同期请填1到120之间的整数（月）。",
}

# The framework's English messages, as a spreadsheet row report quotes them, back to their type.
_ENGLISH = [
    ("Field required", "missing"), ("String should have at least", "string_too_short"),
    ("String should have at most", "string_too_long"), ("String should match pattern", "string_pattern_mismatch"),
    ("Input should be a valid integer", "int_parsing"), ("Input should be a valid date", "date_parsing"),
    ("Input should be greater than", "greater_than"), ("Input should be less than", "less_than_equal"),
    ("Input should be a valid boolean", "bool_parsing"), ("Input should be", "literal_error"),
]
_MORE = re.compile(r"\s*\(and (\d+) more\)$")

BY_STATUS = {
    400: "提交的内容有误，请检查后再试。",
    401: "登录已失效，请重新登录。",
    403: "您的账号无权查看或办理这项内容。",
    404: "没有找到这条记录，或它不在您负责的地区。",
    409: "与已有记录冲突。",
    413: "文件太大。",
    422: "填写的内容有误，请按提示修改。",
}


def _is_chinese(text: str) -> bool:
    """Written in Chinese (a Chinese place name inside an English sentence does not count)."""
    return bool(_CJK.search(text)) and len(re.findall(r"[A-Za-z]{3,}", text)) <= 1


def translate(message: str | None, *, type_: str | None = None, status: int | None = None,
              field: str = "") -> str:
    """A Chinese message for staff: the API's own if Chinese, else a translation, else one by HTTP status."""
    text = (message or "").strip()
    if _is_chinese(text):
        return text
    if more := _MORE.search(text):  # a row report's "… (and 2 more)"
        first = translate(text[:more.start()], type_=type_, status=status, field=field)
        return f"{first}（另有{more.group(1)}处问题）"
    type_ = type_ or next((kind for phrase, kind in _ENGLISH if text.startswith(phrase)), None)
    for pattern, chinese in _BY_PHRASE:
        if found := pattern.search(text):
            return chinese.format(*found.groups())
    if field in BY_FIELD and (type_ in _SHAPE or type_ in ("int_parsing", "greater_than", "less_than_equal",
                                                           "date_from_datetime_parsing", "date_parsing")):
        return BY_FIELD[field]
    if type_ == "missing" and field in FIELD_NAMES:
        return f"缺少{FIELD_NAMES[field]}。"
    if type_ and type_ in _BY_TYPE:
        return _BY_TYPE[type_]
    return BY_STATUS.get(status or 0, "操作没有成功，请稍后再试。")


# The API's Chinese for a schema rule of a field's shape (shared.field_errors): "至少 11 个字", "格式不对", "应填整数".
_SHAPE_WORDING = re.compile(r"^(至少|最多) ?\d+ ?个字|^格式不对|^应填整数|^应大于|^不能大于|^日期格式应为")


def row_errors(errors: list[dict]) -> list[dict]:
    """An upload's row report for people: the column by its Chinese name, the problem in Chinese (a field's own
    wording where the API gives only a schema rule's)."""
    out = []
    for e in errors:
        field = str(e.get("field") or "")
        message = str(e.get("message") or "")
        if field in BY_FIELD and (rule := _SHAPE_WORDING.match(message)):
            message = BY_FIELD[field] + message[rule.end():].lstrip("，")
        else:
            message = translate(message, status=422, field=field)
        out.append({"row": e.get("row"), "field": FIELD_NAMES.get(field, field), "message": message})
    return out


def field_of(loc: list | tuple | None) -> str:
    """The form field an error's `loc` names: ["body", "consent", "sms"] → "consent"; ["query", "region"] → "region"."""
    parts = [str(p) for p in (loc or []) if p not in ("body", "query", "path")]
    return parts[0] if parts else ""


def field_errors(body: object, *, status: int) -> tuple[str, dict[str, str]]:
    """From an API error body, the message for the whole form and one per field (in Chinese)."""
    if not isinstance(body, dict):
        return BY_STATUS.get(status, "操作没有成功，请稍后再试。"), {}
    detail = body.get("detail")
    fields: dict[str, str] = {}
    if isinstance(detail, list):
        for entry in detail:
            if not isinstance(entry, dict):
                continue
            name = field_of(entry.get("loc")) or str(entry.get("field") or "")
            kind = entry.get("type") or entry.get("code")
            if name in BY_FIELD and kind in _FIELD_WORDING:
                # A schema rule's wording ("至少 11 个字") says less than the field's own ("手机号应为11位数字").
                fields.setdefault(name, BY_FIELD[name])
                continue
            message = translate(entry.get("message") or entry.get("msg"), type_=kind, status=status, field=name)
            fields.setdefault(name, message)
    for entry in body.get("errors") or []:  # the newer error body: {"field", "code", "message"}
        if isinstance(entry, dict):
            name = str(entry.get("field") or "")
            fields.setdefault(name, translate(entry.get("message"), type_=entry.get("code"), status=status, field=name))
    overall = body.get("message") if isinstance(body.get("message"), str) else None
    if overall is None and isinstance(detail, str):
        overall = detail
    whole = translate(overall, status=status) if overall else BY_STATUS.get(status, "操作没有成功，请稍后再试。")
    return whole, fields
