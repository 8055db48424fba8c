"""The console's main journeys in a real Chromium, against `jobbridge serve` with the demonstration data."""

from __future__ import annotations

import random
import re
from datetime import date

import httpx
from playwright.sync_api import expect

from services.workers.profiles.idcard import make_id_number
from shared.auth import mint_token
from tests.browser.conftest import JWT_SECRET, SHOTS, shot, sign_in, weight

PAGE_LIMIT = 300 * 1024
weights: dict[str, int] = {}


def light(page, name: str) -> None:
    """The page (with its styles and script) stays under 300 KB."""
    weights[name] = weight(page)
    print(f"page weight {name}: {weights[name] / 1024:.1f} KB")
    assert weights[name] < PAGE_LIMIT, f"{name} weighs {weights[name]} bytes"


def test_station_registers_a_labourer_prints_offers_and_runs_a_batch(open_page):
    watched = open_page("station")
    page = watched.page
    assert page.url.endswith("/console/")
    assert page.locator("h1").inner_text().startswith("工作台")
    assert int(page.locator("#short-of-three").inner_text()) >= 0
    shot(page, "workbench")
    light(page, "工作台")

    # Register, with one mistake corrected: the error stands next to the field.
    page.click("text=登记劳动力")
    page.wait_for_selector("#name")
    rng = random.Random()
    id_number = make_id_number("152222", date(1981, rng.randint(1, 12), rng.randint(1, 28)), rng.randint(0, 99),
                               "female")
    page.fill("#name", "乌云其其格")
    page.fill("#id_number", id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
    page.fill("#phone", f"139{rng.randint(10_000_000, 99_999_999)}")
    page.select_option("#county", "152222")
    page.select_option("#township", label="好腰苏木镇")
    page.select_option("#transfer_intention", "anywhere")
    page.fill("#desired_occupations", "家政服务员、保洁员")
    page.fill("#expected_wage", "4000")
    page.check("input[name=consent_sms]")
    page.click("button:text('保存')")
    error = page.locator("#id_number-error")
    assert "校验位" in error.inner_text()
    assert page.locator("#id_number").get_attribute("aria-invalid") == "true"
    shot(page, "register-error")
    page.fill("#id_number", id_number)
    page.click("button:text('保存')")
    page.wait_for_url(re.compile(r"/console/workers/[0-9a-f-]{36}\?registered=1"))
    assert id_number in page.content(), "own station staff see the number in clear"
    worker_url = page.url.split("?")[0]
    light(page, "劳动力详情")

    # Offers with reasons, then the printable sheet.
    page.goto(worker_url + "/offers")  # refreshes itself until matching has heard of the new worker
    page.wait_for_selector("table.offers tbody tr", timeout=30_000)
    rows = page.locator("table.offers tbody tr")
    assert rows.count() >= 3
    assert rows.first.locator("ul.reasons li").count() >= 1
    shot(page, "offers")
    light(page, "推荐岗位")
    page.goto(worker_url + "/sheet")
    assert page.locator(".sheet-offers li").count() >= 3
    assert "0482-4112345" in page.locator(".call").inner_text()
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden(), "print shows only the sheet"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.sheet-offers h2')).fontSize)")
    assert size >= 28, f"offer titles print large, not {size}px"
    text = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.sheet-offers p')).fontSize)")
    assert text >= 24, f"wage, place, board and lodging print in 18 pt, not {text}px"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the sheet is one A4 page"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "offer-sheet.pdf").write_bytes(pdf)
    shot(page, "offer-sheet-print")
    page.emulate_media(media="screen")

    # A batch run for one township: the bar moves to 100 %, then the coverage and the reasons.
    page.goto("/console/runs/new")
    page.select_option("#region_code", "152222105")
    page.click("button:text('开始')")
    page.wait_for_url(re.compile(r"/console/runs/[0-9a-f-]{36}$"))
    # The page's Content-Security-Policy forbids evaluating strings, so the wait runs in Playwright's own world.
    expect(page.locator("#percent")).to_have_text("100%", timeout=60_000)
    page.wait_for_selector("#run-workers", timeout=30_000)
    assert page.locator("#bar").evaluate("bar => bar.value") == 100
    assert int(page.locator("#run-workers").inner_text()) >= 1
    shot(page, "batch-run")
    light(page, "批量推荐")

    page.goto("/console/")  # the run's shortfalls are now on the to-do list
    shot(page, "workbench-after-run")
    page.goto(worker_url + "/messages")
    assert page.locator("h1").inner_text().endswith("收到的消息")
    assert not watched.off_machine(), watched.off_machine()


def test_admin_creates_and_deactivates_an_account_whose_next_request_is_refused(open_page):
    admin = open_page("admin").page
    admin.goto("/console/admin/accounts/new")
    admin.fill("#username", "zhao.station")
    admin.fill("#display_name", "赵站长")
    admin.select_option("#role", "station_staff")
    admin.select_option("#region", "152222105")
    admin.fill("#phone", "0482-4119999")
    admin.fill("#password", "zhao-secret-2026")
    admin.click("button:text('保存')")
    admin.wait_for_url("**/console/admin/accounts?done=created")
    shot(admin, "accounts")

    zhao = open_page().page
    sign_in(zhao, "zhao.station", "zhao-secret-2026")
    assert zhao.locator("h1").inner_text().startswith("工作台")

    admin.click("button[aria-label='停用 zhao.station']")
    admin.wait_for_url("**/console/admin/accounts?done=deactivated")
    zhao.goto("/console/workers")
    assert "/console/sign-in" in zhao.url
    sign_in(zhao, "zhao.station", "zhao-secret-2026")
    assert "已停用" in zhao.locator("#signin-error").inner_text()
    admin.goto("/console/admin/audit")
    assert "停用账号" in admin.content()
    shot(admin, "audit-log")


def test_an_office_uploads_a_list_with_bad_rows_and_downloads_candidates(open_page, tmp_path):
    watched = open_page("office")
    page = watched.page
    assert page.url.endswith("/console/lists")
    page.click("table a >> nth=0")
    rows = ("用人单位,岗位名称,工种,工作地点代码,最低月薪,最高月薪,招聘人数,包吃,包住,有效期至\n"
            "北京丰台福寿养老院,养老护理员,养老护理员,110106,5200,6800,3,是,是,2027-06-30\n"
            "北京丰台福寿养老院,厨师,中式烹调师,999999,5000,6500,1,是,是,2027-06-30\n"
            "北京丰台物业,保安员,保安员,110106,6500,5000,1,否,是,2027-06-30\n")
    upload = tmp_path / "岗位.csv"
    upload.write_text(rows, encoding="utf-8")
    page.set_input_files("#file", str(upload))
    page.click("button:text('上传')")
    page.wait_for_selector("#report")
    assert "2行有问题" in page.locator("#report").inner_text()
    assert page.locator("#report tbody tr").count() == 2
    shot(page, "office-upload")
    with page.expect_download() as download:
        page.click("text=下载求职需求清单（Excel）")
    saved = tmp_path / "candidates.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    assert not watched.off_machine(), watched.off_machine()


def test_reports_draw_their_chart_on_the_server(open_page):
    page = open_page("admin").page
    page.goto("/console/reports")
    assert page.locator("svg.chart rect").count() >= 6
    shot(page, "reports")
    light(page, "进度报表")


def test_phone_width_large_type_and_keyboard(open_page):
    page = open_page("station", width=390, height=844, is_mobile=True, has_touch=True).page
    page.goto("/console/workers")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scrolling"
    shot(page, "phone-workers")
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("text=大字号")
    after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.25
    page.click("text=标准字号")

    desk = open_page("station").page
    desk.goto("/console/workers")
    desk.keyboard.press("Tab")
    assert desk.evaluate("document.activeElement.className") == "skip"
    desk.keyboard.press("Enter")
    desk.keyboard.press("Tab")
    focused = desk.evaluate("document.activeElement.id")
    assert focused == "q", f"after the skip link, the search box has the focus, not {focused!r}"
    desk.keyboard.type("张")
    with desk.expect_navigation():
        desk.keyboard.press("Enter")
    assert "q=%E5%BC%A0" in desk.url
    assert desk.locator("table.list tbody tr").count() >= 1


def test_the_api_docs_load_offline(open_page):
    watched = open_page()
    page = watched.page
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    shot(page, "api-docs")
    page.goto("/redoc")
    page.wait_for_selector("redoc [role=navigation], .menu-content", timeout=30_000)
    assert not watched.off_machine(), watched.off_machine()


def test_another_regions_worker_is_a_chinese_403_or_404(open_page, server):
    admin = {"Authorization": f"Bearer {mint_token(key=JWT_SECRET, role='admin')}"}
    found = httpx.get(f"{server.url}/workers/profiles?region=152221&page_size=1", headers=admin).json()
    assert found["items"], "the demonstration data has labourers in 科右前旗"
    page = open_page("station").page
    answer = page.goto(f"/console/workers/{found['items'][0]['id']}")
    assert answer.status in (403, 404)
    assert "不在您负责的地区" in page.content()
    shot(page, "not-your-region")
