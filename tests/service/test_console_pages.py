"""The console's pages against the real services in one process: what station staff, offices and admin do."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from services.workers.profiles.idcard import make_id_number
from tests.service.conftest import worker
from tests.service.console_world import STAFF_REGION

GOOD_ID = "152222198311036001"


def labourer_form(**changes) -> dict:
    """The registration form as a clerk fills it: the place picked by name (county, then township)."""
    body = worker()
    form = {"name": body["name"], "id_number": body["id_number"], "phone": body["phone"], "county": STAFF_REGION,
            "township": body["home_region_code"], "transfer_intention": "anywhere", "labor_capacity": "full",
            "education": "junior", "skills": "保洁、做饭", "certificates": "健康证",
            "desired_occupations": "家政服务员", "expected_wage": "4000", "consent_sms": "1",
            "consent_share_with_partners": "1"}
    form.update(changes)
    return form


def worker_id_of(answer) -> str:
    assert answer.status_code == 303, answer.text
    found = re.match(r"/console/workers/([0-9a-f-]{36})", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


async def test_the_root_leads_to_the_console_and_the_console_to_sign_in(console):
    browser = await console.browser()
    assert (await browser.get("/")).headers["location"] == "/console/"
    answer = await browser.get("/console/workers?q=张")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=/console/workers")
    page = await browser.get("/console/sign-in")
    assert "登录" in page.text and 'lang="zh-CN"' in page.text


async def test_a_clerk_registers_a_labourer_after_correcting_the_id_number(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    wrong = await clerk.submit("/console/workers/new", labourer_form(id_number=GOOD_ID[:-1] + "2"))
    assert wrong.status_code == 422
    # The message stands next to the field it is about, in Chinese, naming the right check digit.
    field = re.search(r'id="id_number-error">([^<]+)<', wrong.text)
    assert field and "校验位" in field.group(1) and "1" in field.group(1), wrong.text
    assert 'value="张秀英"' in wrong.text, "what was typed is kept"
    assert "aria-invalid" in wrong.text
    created = worker_id_of(await clerk.submit("/console/workers/new", labourer_form()))
    detail = await clerk.get(f"/console/workers/{created}?registered=1")
    assert "已登记" in detail.text and GOOD_ID in detail.text and "13394641177" in detail.text  # own staff: clear
    assert "审计" in detail.text
    listed = await clerk.get("/console/workers?q=6001")
    assert "张*英" in listed.text and "152222********6001" in listed.text and GOOD_ID not in listed.text


async def test_field_errors_for_a_missing_name_and_a_bad_phone_are_in_chinese(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    answer = await clerk.submit("/console/workers/new", labourer_form(name="", phone="12345", township=""))
    assert answer.status_code == 422
    errors = dict(re.findall(r'id="(\w+)-error">([^<]+)<', answer.text))
    assert set(errors) >= {"name", "phone"}, errors
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in errors.values()), errors
    assert "手机号" in errors["phone"]


async def test_a_clerk_changes_a_labourers_details(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    worker_id = worker_id_of(await clerk.submit("/console/workers/new", labourer_form()))
    form = await clerk.get(f"/console/workers/{worker_id}/edit")
    assert 'value="4000"' in form.text and 'value="152222105" selected' in form.text
    refused = await clerk.submit(f"/console/workers/{worker_id}/edit", labourer_form(expected_wage="0"))
    assert refused.status_code == 422 and "期望月薪请填1到100000之间的整数" in refused.text
    saved = await clerk.submit(f"/console/workers/{worker_id}/edit", labourer_form(expected_wage="5200",
                                                                                   township="152222100"))
    assert saved.status_code == 303
    detail = await clerk.get(f"/console/workers/{worker_id}")
    assert "5200元" in detail.text and "巴彦呼舒镇" in detail.text


async def test_offers_sheet_placement_and_messages_of_a_labourer(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    worker_id = worker_id_of(await clerk.submit("/console/workers/new", labourer_form()))
    await console.settle()
    offers = await clerk.get(f"/console/workers/{worker_id}/offers")
    assert offers.status_code == 200
    assert offers.text.count("<li>") >= 3 and "包吃" in offers.text and "5000–6500元" in offers.text
    sent = await clerk.submit(f"/console/workers/{worker_id}/offers")
    assert sent.status_code == 303 and sent.headers["location"].endswith("?sent=1")
    await console.settle()
    assert "还没有人回复想了解的岗位" in (await clerk.get("/console/replies")).text
    token = console.unit_of("notify").settings.callback_token
    replied = await console.client.post(f"/notify/replies/aliyun?token={token}", json=[
        {"phone_number": worker()["phone"], "content": "1", "send_time": "2026-11-28 10:05:00", "sign_name": "就业服务",
         "dest_code": "", "sequence_id": 1}])
    assert replied.status_code == 200, replied.text
    to_call = await clerk.get("/console/replies")
    assert "张*英" in to_call.text and "1. 家政服务员（住家）" in to_call.text, "whom to call back, about which job"

    sheet = await clerk.get(f"/console/workers/{worker_id}/sheet")
    assert sheet.status_code == 200
    assert "0482-4112345" in sheet.text, "the station's phone is printed"
    assert '/console/static/print.css" media="print"' in sheet.text
    assert sheet.text.count("<h2>") >= 3 and "月薪" in sheet.text and "包住" in sheet.text
    print_css = await clerk.get("/console/static/print.css")
    assert "size: A4" in print_css.text and "font-size: 18pt" in print_css.text

    page = await clerk.get(f"/console/workers/{worker_id}/placement")
    posting_id, region = re.search(r'<option value="([0-9a-f-]{36})" data-region="(\d+)"', page.text).groups()
    refused = await clerk.submit(f"/console/workers/{worker_id}/placement",
                                 {"posting_id": posting_id, "start_date": "2026-12-01", "monthly_wage": "abc",
                                  "work_region_code": region})
    assert refused.status_code == 422 and "月薪请填1到100000之间的整数" in refused.text
    too_low = await clerk.submit(f"/console/workers/{worker_id}/placement",
                                 {"posting_id": posting_id, "start_date": "2026-12-01", "monthly_wage": "1000",
                                  "contract_months": "1", "work_region_code": region})
    assert too_low.status_code == 422 and "最低工资标准" in too_low.text
    placed = await clerk.submit(f"/console/workers/{worker_id}/placement",
                                {"posting_id": posting_id, "start_date": "2026-12-01", "monthly_wage": "5500",
                                 "contract_months": "12", "work_region_code": region, "organised_export": "1"})
    assert placed.status_code == 303, placed.text
    detail = await clerk.get(placed.headers["location"])
    assert "已登记就业" in detail.text and "5500元" in detail.text and "已就业" in detail.text

    nothing_due = await clerk.get("/console/follow-ups")
    assert nothing_due.status_code == 200 and "近期没有要回访的人" in nothing_due.text
    console.clock.advance(days=30)  # 2026-12-28: the first visit (2027-01-01) is due within a week
    clerk = await console.browser("station1")  # a new day, a new sign-in
    due = await clerk.get("/console/follow-ups")
    assert "第1个月" in due.text and "2027-01-01" in due.text and "/console/follow-ups/record" in due.text
    months = re.search(r'name="months_after" value="(\d+)"', due.text).group(1)
    placement_id = re.search(r'name="placement_id" value="([0-9a-f-]{36})"', due.text).group(1)
    owed = await clerk.submit("/console/follow-ups/record", {
        "worker_id": worker_id, "placement_id": placement_id, "months_after": months, "outcome": "wage_unpaid",
        "note": "12月工资未发"})
    assert owed.status_code == 303, owed.text
    flagged = await clerk.get("/console/follow-ups?state=flagged")
    assert "工资拖欠：12月工资未发" in flagged.text and "已处理" in flagged.text
    other_county = await console.browser("station2")
    assert "12月工资未发" not in (await other_county.get("/console/follow-ups?state=flagged")).text

    messages = await clerk.get(f"/console/workers/{worker_id}/messages")
    assert messages.status_code == 200 and "收到的消息" in messages.text
    assert "<td>" in messages.text


async def test_a_batch_run_reaches_100_percent_and_shows_its_coverage(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    for n in range(3):
        await clerk.submit("/console/workers/new", labourer_form(
            name=f"王{n}", id_number=make_id_number("152222", date(1980, 5, n + 1), 10 + n, "female"),
            phone=f"1339464117{n}"))
    await console.settle()
    page = await clerk.get("/console/runs/new")
    assert "（全旗县）" in page.text
    started = await clerk.submit("/console/runs/new", {"region_code": STAFF_REGION})
    assert started.status_code == 303, started.text
    run_url = started.headers["location"]
    percent = None
    for _ in range(100):
        progress = (await clerk.get(run_url + "/progress")).json()
        percent = progress["percent"]
        if progress["finished"]:
            break
        await asyncio.sleep(0.1)
    assert percent == 100
    done = await clerk.get(run_url)
    assert 'value="100"' in done.text and "已完成" in done.text
    assert re.search(r'id="run-workers">3<', done.text) and "推荐满3个" in done.text
    home = await clerk.get("/console/")
    assert "最近的批量推荐" in home.text and run_url in home.text


async def test_reports_per_county_and_township_with_charts_and_a_workbook(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    await clerk.submit("/console/workers/new", labourer_form())
    admin = await console.browser("admin1")
    page = await admin.get("/console/reports")
    # The counties' bars, and the League's trend: the five shares and the placements.
    assert page.status_code == 200 and page.text.count("<svg") == 3 and "合计" in page.text
    assert 'href="/console/reports?county=152222"' in page.text
    towns = await admin.get("/console/reports?county=152222")
    assert towns.text.count("<svg") == 4 and "科尔沁右翼中旗各苏木乡镇" in towns.text
    assert re.search(r"<tr><td>好腰苏木镇</td><td>1</td>", towns.text), "the labourer counts in her township"
    book = load_workbook(BytesIO((await admin.get("/console/reports/progress.xlsx?county=152222")).content))
    assert book.sheetnames == ["各旗县市", "各苏木乡镇"]
    assert book["各旗县市"]["A1"].value == "地区" and book["各旗县市"]["B1"].value == "登记人数"
    assert any(row[0] == "好腰苏木镇" and row[1] == 1 for row in book["各苏木乡镇"].iter_rows(values_only=True))
    # Station staff see their own county's townships without asking, and no other county's.
    own = await clerk.get("/console/reports")
    assert "科尔沁右翼中旗各苏木乡镇" in own.text
    other = await clerk.get("/console/reports?county=152221")
    assert other.status_code == 403 and "无权" in other.text


async def test_an_office_uploads_a_list_with_bad_rows_and_downloads_candidates(console):
    made = await console.client.post("/jobs/supply-lists", headers=console.auth("admin"),
                                     json={"title": "丰台区2027年春季岗位", "source_region_code": "110106",
                                           "period_start": "2027-01-01", "period_end": "2027-06-30",
                                           "office_id": "bj-fengtai-hrss"})
    list_id = made.json()["id"]
    office = await console.browser("office1")
    lists = await office.get("/console/lists")
    assert "丰台区2027年春季岗位" in lists.text
    await office.get(f"/console/lists/{list_id}")
    csv = ("用人单位,岗位名称,工种,工作地点代码,最低月薪,最高月薪,招聘人数,包吃,包住,有效期至\n"
           "北京丰台家政,家政服务员,家政服务员,110106,5000,6500,2,是,是,2027-06-30\n"
           "北京丰台家政,保洁员,保洁员,999999,5000,6500,2,是,是,2027-06-30\n"
           "北京丰台物业,保安员,保安员,110106,6500,5000,1,否,是,2027-06-30\n").encode()
    report = await office.submit(f"/console/lists/{list_id}/upload", files={"file": ("list.csv", csv, "text/csv")})
    assert report.status_code == 200, report.text
    assert "导入1个岗位" in report.text and "2行有问题" in report.text
    rows = re.findall(r"<tr><td>(\d+)</td>", report.text)
    assert rows == ["3", "4"], rows
    await console.settle()  # the imported posting reaches matching through the bus, as it does in service
    download = await office.get(f"/console/lists/{list_id}/candidates.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    load_workbook(BytesIO(download.content))
    page = await office.get(f"/console/lists/{list_id}")
    one = re.search(r'href="(/console/lists/[^"]+/postings/[^"]+/candidates.xlsx)"', page.text).group(1)
    load_workbook(BytesIO((await office.get(one)).content))
    # Another office's list is not this office's to see.
    await console.account("office2", "partner_office", office_id="bj-chaoyang-hrss")
    other = await console.browser("office2")
    refused = await other.get(f"/console/lists/{list_id}")
    assert refused.status_code in (403, 404) and "丰台区2027年春季岗位" not in refused.text


async def test_admin_issues_an_api_token_that_the_api_accepts(console):
    admin = await console.browser("admin1")
    page = await admin.get("/console/admin/tokens")
    employer_id = re.search(r'<option value="([0-9a-f-]{36})">北京安居家政', page.text).group(1)
    issued = await admin.submit("/console/admin/tokens", {"employer_id": employer_id})
    token = re.search(r'id="issued-token"[^>]*>([^<]+)<', issued.text).group(1).strip()
    mine = await console.client.get("/jobs/postings", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200 and mine.json()["total"] == 4
    audit = await admin.get("/console/admin/audit")
    assert "签发令牌" in audit.text and "北京安居家政" in audit.text


async def test_the_docs_load_nothing_from_another_host(console):
    for path in ("/docs", "/redoc"):
        page = (await console.client.get(path)).text
        assert not re.search(r'(src|href)="https?://', page), page
        for asset in re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', page):
            assert (await console.client.get(asset)).status_code == 200
    assert '"validatorUrl": null' in (await console.client.get("/docs")).text


async def test_a_ledger_upload_shows_each_bad_row_in_chinese_and_offers_them_for_download(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/import")
    ledger = ("姓名,身份证号,手机号,户籍地代码,转移就业意向\n"
              "张秀英,152222198311036001,13394641177,152222105,不限\n"
              "李四,152222198311036002,13394641178,152222105,不限\n"
              "王五,152222198311036001,1339464,152222105,不限\n").encode()
    report = await clerk.submit("/console/workers/import", files={"file": ("台账.csv", ledger, "text/csv")})
    assert report.status_code == 200, report.text
    assert "导入1人" in report.text and "2行有问题" in report.text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", report.text)
    assert [row[:2] for row in rows] == [("3", "身份证号"), ("4", "手机号")], rows
    assert "校验位" in rows[0][2] and "11位" in rows[1][2]
    assert 'download="台账问题行.csv"' in report.text and "data:text/csv" in report.text


async def test_admin_sees_dead_letters_and_failed_messages(console):
    admin = await console.browser("admin1")
    page = await admin.get("/console/admin/health")
    assert page.status_code == 200
    assert re.search(r"<td>匹配推荐</td><td>批量推荐任务</td>\s*<td>0</td>", page.text), page.text
    assert "发送失败的消息（0）" in page.text
    clerk = await console.browser("station1")
    assert (await clerk.get("/console/admin/health")).status_code == 403
    refused = await console.client.get("/matching/dead-letters", headers=console.auth("station_staff", region="1522"))
    assert refused.status_code == 403


async def test_pages_forbid_loading_anything_from_elsewhere(console):
    clerk = await console.browser("station1")
    page = await clerk.get("/console/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href|action)="(https?:)?//', page.text)


async def test_the_monthly_report_page_has_a_month_chooser_a_print_button_and_the_bureau_workbook(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    await clerk.submit("/console/workers/new", labourer_form())
    admin = await console.browser("admin1")
    page = await admin.get("/console/reports/monthly")
    assert page.status_code == 200, page.text
    assert 'type="month" name="month" value="2026-11"' in page.text and "data-print" in page.text
    assert "本月还没结束" in page.text and "下个月" not in page.text and "上个月" in page.text
    assert 'href="/console/reports/monthly?month=2026-11&amp;county=152222"' in page.text
    assert re.search(r"<td>合计</td>\s*<td>0/1</td><td>0.0%</td>", page.text), "one able and willing, none in work"
    towns = await admin.get("/console/reports/monthly?month=2026-11&county=152222")
    assert "科尔沁右翼中旗各苏木乡镇" in towns.text and "好腰苏木镇" in towns.text
    earlier = await admin.get("/console/reports/monthly?month=2026-10")
    assert "已封存" in earlier.text and "下个月" in earlier.text
    book = load_workbook(BytesIO((await admin.get("/console/reports/monthly.xlsx?month=2026-11")).content))
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 7
    wrong = await admin.get("/console/reports/monthly?month=2031-01")
    assert wrong.status_code == 422 and "还没到" in wrong.text
    own = await clerk.get("/console/reports/monthly")
    assert "科尔沁右翼中旗各苏木乡镇" in own.text and "乌兰浩特市" not in own.text
    assert (await clerk.get("/console/reports/monthly?county=152221")).status_code == 403


async def test_the_trend_is_drawn_as_line_charts_a_point_a_month_with_a_printable_page(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    await clerk.submit("/console/workers/new", labourer_form())
    admin = await console.browser("admin1")
    page = await admin.get("/console/reports")
    assert page.status_code == 200, page.text
    section = page.text[page.text.index('id="trend"'):page.text.index('id="fairs"')]
    assert "兴安盟逐月走势" in section and "2025年12月至2026年11月" in section
    assert section.count("<svg") == 2 and "<script" not in section and "http://www.w3.org/2000/svg" in section
    for label in ("就业", "创业扶持", "补贴培训", "养老保险", "服务平台", "在岗人数", "本年实现就业"):
        assert f'class="legend">{label}</text>' in section, label
    assert '>2025年12月</text>' in section and '>2026年1月</text>' in section and '>11月</text>' in section
    # A point a month for every series with a value that month: the 52 poor townships make a share every month,
    # and the labourer registered in November one share of employment (none of them in work).
    assert section.count("<title>服务平台 ") == 12 and section.count("<title>在岗人数 ") == 12
    assert section.count("<title>就业 ") == 1 and "<title>就业 2026年11月：0.0%</title>" in section
    assert "<title>本年实现就业 2026年11月：0</title>" in section
    api = (await console.client.get("/workers/reports/trend", headers=console.auth("admin"))).json()
    shares = sum(g["share"] is not None for m in api["months"] for g in m["goals"])
    assert section.count('class="point"') == shares + 2 * 12  # no target is set: two lines of counts

    printable = await admin.get("/console/reports/trend?from=2026-09&to=2026-11&county=152222")
    assert printable.status_code == 200, printable.text
    text = printable.text
    assert "科尔沁右翼中旗社保就业扶贫“五个100%”逐月走势" in text and "data-print" in text and 'class="ledger"' in text
    assert text.count("<svg") == 2 and text.count("<title>服务平台 ") == 3
    assert len(re.findall(r'<tr><td><a href="/console/reports/monthly\?month=2026-\d\d&amp;county=152222">', text)) == 3
    assert "2026年11月</a> <small>（未封存）</small>" in text and "2026年10月</a></td>" in text
    wrong = await admin.get("/console/reports/trend?from=2031-01")
    assert wrong.status_code == 422 and "还没到" in wrong.text
    backwards = await admin.get("/console/reports/trend?from=2026-11&to=2026-09")
    assert backwards.status_code == 422 and "起始月份不能晚于截止月份" in backwards.text
    own = await clerk.get("/console/reports/trend")
    assert own.status_code == 200 and "科尔沁右翼中旗" in own.text
    assert (await clerk.get("/console/reports/trend?county=152221")).status_code == 403
