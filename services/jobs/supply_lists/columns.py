"""The column headers a supply-list spreadsheet may use for each posting field (English or the Chinese label)."""

from __future__ import annotations

POSTING_COLUMNS: dict[str, list[str]] = {
    "employer_name": ["employer_name", "用人单位", "单位名称", "企业名称", "招聘单位"],
    "title": ["title", "岗位名称", "岗位", "职位", "职位名称"],
    "occupation": ["occupation", "工种", "职业", "职业工种"],
    "occupation_code": ["occupation_code", "职业代码", "职业编码"],
    "description": ["description", "岗位描述", "工作内容", "岗位职责"],
    "skills": ["skills", "技能要求", "技能"],
    "region_code": ["region_code", "工作地点代码", "地区代码", "行政区划代码", "区划代码"],
    "address": ["address", "工作地址", "详细地址", "地址"],
    "lon": ["lon", "经度"],
    "lat": ["lat", "纬度"],
    "wage_min": ["wage_min", "最低月薪", "月薪下限", "工资下限", "薪资下限"],
    "wage_max": ["wage_max", "最高月薪", "月薪上限", "工资上限", "薪资上限"],
    "headcount": ["headcount", "招聘人数", "人数", "需求人数"],
    "age_min": ["age_min", "最低年龄", "年龄下限"],
    "age_max": ["age_max", "最高年龄", "年龄上限"],
    "gender": ["gender", "性别", "性别要求"],
    "certificates": ["certificates", "证书", "证书要求", "资格证书"],
    "meals": ["meals", "包吃", "提供餐食", "管吃"],
    "lodging": ["lodging", "包住", "提供住宿", "管住"],
    "contract_months": ["contract_months", "合同期限", "合同月数", "合同期"],
    "public_welfare": ["public_welfare", "公益性岗位"],
    "workshop": ["workshop", "扶贫车间", "就业扶贫车间"],
    "valid_until": ["valid_until", "有效期至", "截止日期", "有效期"],
}
