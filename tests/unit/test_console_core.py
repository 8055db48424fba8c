"""The console's pure parts: Chinese messages for API errors, the labourer form as an API body, account rules,
passwords, the progress bar, the server-side chart and the place picker."""

from __future__ import annotations

import pytest

from services.console import labels
from services.console.accounts import passwords, rules
from services.console.messages import field_errors, row_errors, translate
from services.console.pages import charts, courses, ledger, worker_form
from services.console.pages.runs import progress_of


@pytest.mark.parametrize(("message", "type_", "field", "expected"), [
    ("id_number: check digit should be X", "value_error", "id_number", "身份证号校验位不对（最后一位应为X），请核对。"),
    ("the worker is 15; the minimum working age is 16", "value_error", "id_number", "未满16周岁，不能登记。"),
    ("Value error, must be a mainland mobile number: 11 digits starting with 13–19", "value_error", "phone",
     "手机号应为11位数字，以13–19开头。"),
    ("Field required", "missing", "name", "请填写姓名（40字以内）。"),
    ("Field required", "missing", "skills", "缺少技能。"),
    ("Field required", "missing", "nickname", "必填。"),
    ("Input should be a valid integer, unable to parse string as an integer", "int_parsing", "monthly_wage",
     "月薪请填1到100000之间的整数。"),
    ("身份证号校验位不对", None, "id_number", "身份证号校验位不对"),  # already Chinese: kept
    ("wage_min 1500 is below the minimum wage of 北京市 on 2026-12-03: 2540 CNY a month", None, "wage_min",
     "月薪低于当地最低工资标准（每月2540元）。"),
    ("Field required (and 2 more)", None, "name", "请填写姓名（40字以内）。（另有2处问题）"),
    ("something nobody foresaw", None, "", "填写的内容有误，请按提示修改。"),
])
def test_api_messages_become_plain_chinese(message, type_, field, expected):
    assert translate(message, type_=type_, status=422, field=field) == expected


def test_an_error_body_gives_one_message_per_field_and_one_for_the_form():
    pydantic = {"detail": [{"type": "missing", "loc": ["body", "phone"], "msg": "Field required"},
                           {"type": "value_error", "loc": ["body", "consent", "sms"], "msg": "bad"},
                           {"type": "missing", "loc": ["body", "phone"], "msg": "second one is not shown"}]}
    whole, fields = field_errors(pydantic, status=422)
    assert whole == "填写的内容有误，请按提示修改。"
    assert fields == {"phone": "手机号应为11位数字，以13–19开头。", "consent": "填写的内容有误，请按提示修改。"}
    # The body the services answer with once they speak Chinese: its message and field messages are shown as given.
    newer = {"code": "validation_failed", "message": "请检查标红的项目",
             "detail": [{"loc": ["body", "name"], "msg": "请填写姓名", "type": "missing"}]}
    assert field_errors(newer, status=422) == ("请检查标红的项目", {"name": "请填写姓名"})
    not_found = field_errors({"detail": "worker profile not found"}, status=404)[0]
    assert not_found == "没有找到这条记录，或它不在您负责的地区。"
    assert field_errors(None, status=502)[0] == "操作没有成功，请稍后再试。"


def test_row_reports_name_columns_in_chinese():
    rows = row_errors([{"row": 3, "field": "home_region_code", "message": "home_region_code 110106 is not a county "
                                                                         "or township of Xing'an League"}])
    assert rows == [{"row": 3, "field": "户籍地", "message": "户籍地须为兴安盟的旗县市或苏木乡镇。"}]
    link = ledger.errors_csv({"errors": rows})
    assert link.startswith("data:text/csv;charset=utf-8,%EF%BB%BF")


def test_the_form_becomes_the_contracts_body():
    form = {"name": " 张秀英 ", "id_number": "152222198311036001", "phone": "13394641177", "county": "152222",
            "township": "152222105", "transfer_intention": "anywhere", "labor_capacity": "full", "education": "",
            "skills": "保洁、做饭", "expected_wage": "4000", "wants_training": "1", "consent_sms": "1"}
    body = worker_form.body_of(form)
    assert body["name"] == "张秀英" and body["home_region_code"] == "152222105" and body["education"] is None
    assert body["expected_wage"] == 4000 and body["wants_training"] is True and body["wants_entrepreneurship"] is False
    assert body["consent"] == {"sms": True, "wechat": False, "share_with_partners": False}
    assert worker_form.body_of({**form, "township": ""})["home_region_code"] == "152222", "the county alone"
    assert worker_form.body_of({**form, "expected_wage": "四千"})["expected_wage"] == "四千", "the API says why"
    current = {**body, "skills": ["保洁", "做饭"], "expected_wage": 4000}
    assert worker_form.changes_of(body, current) == {}
    assert worker_form.changes_of({**body, "phone": "13900001111"}, current) == {"phone": "13900001111"}
    again = worker_form.form_of({**current, "consent": body["consent"]})
    assert again["county"] == "152222" and again["township"] == "152222105" and again["skills"] == "保洁、做饭"
    assert worker_form.place_error({"home_region_code": "x"}) == {"township": "x"}


def test_account_rules():
    assert rules.check(username="wang.zhan", display_name="王站长", role="station_staff", region="152222105",
                       office_id=None, phone="0482-4112345") == {}
    errors = rules.check(username="Wang", display_name="", role="station_staff", region="110106", office_id=None,
                         phone="call me")
    assert set(errors) == {"username", "display_name", "region", "phone"}
    assert "office_id" in rules.check(username="bj", display_name="丰台", role="partner_office", region=None,
                                      office_id="", phone=None)
    assert rules.scope_of(role="admin", region="152222", office_id="x") == {"region": None, "office_id": None}


def test_passwords_are_argon2id_and_weak_ones_refused():
    hashed = passwords.hash_password("correct-horse-battery")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "correct-horse-battery") and not passwords.verify(hashed, "wrong")
    assert not passwords.verify(None, "anything") and not passwords.verify("not-a-hash", "x")
    assert passwords.weakness("short") and passwords.weakness("aaaaaaaaaaaa")
    assert passwords.weakness("wang.zhan-2026", username="wang.zhan")
    assert passwords.weakness("a-long-enough-secret") is None


@pytest.mark.parametrize(("run", "percent"), [
    ({"status": "queued", "items_total": 0, "items_done": 0}, 0),
    ({"status": "running", "items_total": 8, "items_done": 2}, 25),
    ({"status": "running", "items_total": 8, "items_done": 8}, 99),  # all ranked, not yet issued
    ({"status": "done", "items_total": 8, "items_done": 8}, 100),
    ({"status": "done", "items_total": 0, "items_done": 0}, 100),  # an area with nobody in it
])
def test_the_progress_bar_reaches_100_only_when_the_run_is_done(run, percent):
    assert progress_of(run)["percent"] == percent
    assert progress_of(run)["finished"] == (run["status"] == "done")


def test_the_chart_is_svg_with_a_bar_per_figure_and_escaped_names():
    svg = charts.bars([("科右中旗", 567, 48), ("<乌兰浩特>", 300, 0)], first="登记人数", second="已就业")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="bar-a"') == 3 and svg.count('class="bar-b"') == 3  # two rows and the legend
    assert "&lt;乌兰浩特&gt;" in svg and "<乌兰浩特>" not in svg
    assert charts.bars([], first="a", second="b") == ""


def test_the_trend_is_a_line_a_series_with_a_point_a_month_it_has_a_value():
    months = ["2026-11", "2026-12", "2027-01", "2027-02"]
    svg = charts.lines(months, [("就业", [0.5, None, 0.25, 1.0]), ("<培训>", [0.0, 0.1, 0.2, 0.3])], title="比例",
                       percent=True)
    assert svg.startswith("<svg") and svg.endswith("</svg>") and 'aria-label="比例"' in svg
    assert svg.count('class="point"') == 7  # the month without a value has no point
    # The gap breaks the first line: November's point stands alone, January and February are joined.
    assert svg.count("<polyline") == 2 and '<polyline points="338.0,' not in svg
    assert "<title>就业 2027年1月：25.0%</title>" in svg and ">100%</text>" in svg and ">0%</text>" in svg
    assert "&lt;培训&gt;" in svg and "<培训>" not in svg
    assert [charts.month_label(m, first=i == 0) for i, m in enumerate(months)] == ["2026年11月", "12月", "2027年1月",
                                                                                  "2月"]
    counts = charts.lines(months, [("在岗人数", [3, 17, 120, 0])], title="人数")
    assert ">200</text>" in counts and "<title>在岗人数 2026年12月：17</title>" in counts  # the axis: 0 to 200
    assert charts.lines([], [("a", [])], title="t") == "" and charts.lines(months, [], title="t") == ""
    assert charts.lines(["2026-11"], [("a", [2])], title="t").count('class="point"') == 1


def test_places_are_named_and_picked_from_the_region():
    assert labels.place("152222105") == "科右中旗 好腰苏木镇"
    assert labels.place("152222") == "科尔沁右翼中旗" and labels.place("999999") == "999999"
    everything = labels.townships_by_county(None)
    assert len(everything) == 6 and sum(len(towns) for _, _, towns in everything) >= 80
    (only,) = labels.townships_by_county("152222105")
    assert only[0] == "152222" and [code for code, _ in only[2]] == ["152222105"]
    assert labels.money(4000) == "4000元" and labels.day("2026-11-28T02:00:00+00:00") == "2026-11-28"


def test_the_certificates_a_shortfall_reason_names_are_read_from_its_end():
    missing_certificates = courses.missing_certificates
    assert missing_certificates("符合条件的岗位仅有2个；另有3个对口岗位要求焊工证") == ["焊工证"]
    assert missing_certificates("盟内符合条件的岗位暂无；另有4个对口岗位要求育婴员证、健康证") == ["育婴员证", "健康证"]
    assert missing_certificates("符合条件的岗位仅有1个；另有2个对口岗位要求证书") == []  # names none
    assert missing_certificates("30公里内符合条件的岗位暂无；另有5个对口岗位年龄不符") == []
    assert missing_certificates(None) == [] and missing_certificates("") == []
