"""The column headers a ledger spreadsheet may use for each profile field (English or the Chinese label)."""

from __future__ import annotations

# The three consent columns of a ledger row become the profile's `consent` object.
CONSENT_COLUMNS: dict[str, str] = {"consent_sms": "sms", "consent_wechat": "wechat",
                                   "consent_share": "share_with_partners"}

WORKER_COLUMNS: dict[str, list[str]] = {
    "name": ["name", "姓名"],
    "id_number": ["id_number", "身份证号", "身份证号码", "公民身份号码", "身份证"],
    "phone": ["phone", "手机号", "手机号码", "联系电话", "电话"],
    "home_region_code": ["home_region_code", "户籍地代码", "乡镇代码", "户籍所在地代码", "苏木乡镇代码"],
    "labor_capacity": ["labor_capacity", "劳动能力"],
    "education": ["education", "文化程度", "学历"],
    "skills": ["skills", "技能", "技能特长", "特长"],
    "certificates": ["certificates", "证书", "资格证书", "持有证书"],
    "desired_occupations": ["desired_occupations", "意向工种", "求职意向", "意向岗位"],
    "transfer_intention": ["transfer_intention", "转移就业意向", "就业意向"],
    "expected_wage": ["expected_wage", "期望月薪", "期望工资", "期望薪资"],
    "wants_training": ["wants_training", "是否需要培训", "培训意愿", "培训需求"],
    "wants_entrepreneurship": ["wants_entrepreneurship", "是否有创业意愿", "创业意愿"],
    "wechat_openid": ["wechat_openid", "微信openid", "openid"],
    "consent_sms": ["consent_sms", "同意短信", "同意短信通知"],
    "consent_wechat": ["consent_wechat", "同意微信", "同意微信通知"],
    "consent_share": ["consent_share", "consent_share_with_partners", "同意共享", "同意向输入地共享"],
}
