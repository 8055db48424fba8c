"""The console's guards: CSRF, sessions that end, the lockout, scopes checked by the API, no open redirect."""

from __future__ import annotations

import re

from tests.service.console_world import PASSWORD
from tests.service.test_console_pages import labourer_form, worker_id_of


async def test_a_form_without_its_csrf_token_is_refused(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    for token in ("", "forged-token"):
        answer = await clerk.submit("/console/workers/new", labourer_form(), csrf=token)
        assert answer.status_code == 403 and "请刷新页面后重新提交" in answer.text
    assert (await clerk.submit("/console/sign-out", csrf="")).status_code == 403
    listed = await console.client.get("/workers/profiles", headers=console.auth("admin"))
    assert listed.json()["total"] == 0, "nothing was registered"


async def test_the_sign_in_form_has_its_own_token(console):
    browser = await console.browser()
    await browser.get("/console/sign-in")
    answer = await browser.client.post("/console/sign-in", data={"username": "station1", "password": PASSWORD,
                                                                 "csrf": "made-up"})
    assert answer.status_code == 403 and "jb_session" not in answer.headers.get("set-cookie", "")


async def test_the_session_cookie_is_httponly_and_same_site(console):
    browser = await console.browser()
    answer = await browser.sign_in("station1")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("jb_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


async def test_a_session_ends_with_sign_out_and_its_cookie_opens_nothing_after(console):
    clerk = await console.browser("station1")
    old = dict(clerk.client.cookies)
    await clerk.get("/console/")
    out = await clerk.submit("/console/sign-out")
    assert out.status_code == 303 and "reason=signed-out" in out.headers["location"]
    replay = await console.browser()
    replay.client.cookies.update(old)
    answer = await replay.get("/console/workers")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in")


async def test_a_deactivated_account_is_refused_at_its_next_request(console):
    admin = await console.browser("admin1")
    created = await admin.get("/console/admin/accounts/new")
    assert created.status_code == 200
    made = await admin.submit("/console/admin/accounts/new", {
        "username": "li.station", "display_name": "李站长", "role": "station_staff", "region": "152222105",
        "phone": "0482-4110000", "password": "a-long-enough-secret"})
    assert made.status_code == 303, made.text
    li = await console.browser()
    assert (await li.sign_in("li.station", "a-long-enough-secret")).status_code == 303
    assert (await li.get("/console/workers")).status_code == 200

    page = await admin.get("/console/admin/accounts")
    account_id = re.search(r'href="/console/admin/accounts/([0-9a-f-]{36})">li.station<', page.text).group(1)
    off = await admin.submit(f"/console/admin/accounts/{account_id}/active", {"active": "0"})
    assert off.status_code == 303
    refused = await li.get("/console/workers")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/console/sign-in")
    again = await li.sign_in("li.station", "a-long-enough-secret")
    assert again.status_code == 401 and "已停用" in again.text
    audit = await admin.get("/console/admin/audit")
    assert "新建账号" in audit.text and "停用账号" in audit.text and "li.station" in audit.text


async def test_account_fields_are_checked_in_chinese(console):
    admin = await console.browser("admin1")
    await admin.get("/console/admin/accounts/new")
    answer = await admin.submit("/console/admin/accounts/new", {
        "username": "X", "display_name": "", "role": "station_staff", "region": "110106", "password": "short"})
    assert answer.status_code == 422
    errors = dict(re.findall(r'id="(\w+)-error">([^<]+)<', answer.text))
    assert set(errors) == {"username", "display_name", "region", "password"}, errors
    assert "兴安盟" in errors["region"] and "10" in errors["password"]


async def test_a_station_cannot_open_another_regions_worker_by_url(console):
    clerk = await console.browser("station1")
    await clerk.get("/console/workers/new")
    worker_id = worker_id_of(await clerk.submit("/console/workers/new", labourer_form()))
    await console.settle()
    other = await console.browser("station2")
    for path in ("", "/edit", "/offers", "/sheet", "/messages", "/placement"):
        answer = await other.get(f"/console/workers/{worker_id}{path}")
        assert answer.status_code in (403, 404), (path, answer.status_code)
        assert "不在您负责的地区" in answer.text or "无权" in answer.text, path
        assert "张秀英" not in answer.text and "6001" not in answer.text
    await other.get("/console/")
    edit = await other.submit(f"/console/workers/{worker_id}/edit", labourer_form(name="改名"))
    assert edit.status_code == 404


async def test_roles_see_only_their_pages_with_a_chinese_explanation(console):
    office = await console.browser("office1")
    for path in ("/console/workers", "/console/runs/new", "/console/admin/accounts", "/console/reports"):
        answer = await office.get(path)
        assert answer.status_code == 403 and "无权" in answer.text, path
    clerk = await console.browser("station1")
    assert (await clerk.get("/console/admin/audit")).status_code == 403
    assert (await clerk.get("/console/lists")).status_code == 403


async def test_repeated_failures_lock_the_account_for_a_while(console):
    browser = await console.browser()
    for _ in range(3):  # the fixture's CONSOLE_MAX_FAILED_SIGNINS
        assert (await browser.sign_in("station1", "wrong-password")).status_code == 401
    locked = await browser.sign_in("station1", PASSWORD)
    assert locked.status_code == 401 and "锁定" in locked.text
    console.clock.advance(minutes=16)
    assert (await browser.sign_in("station1", PASSWORD)).status_code == 303


async def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(console):
    browser = await console.browser()
    unknown = await browser.sign_in("nobody", "whatever-it-is")
    wrong = await browser.sign_in("station1", "whatever-it-is")
    assert unknown.status_code == wrong.status_code == 401
    assert re.search(r'id="signin-error">([^<]+)<', unknown.text).group(1) == \
        re.search(r'id="signin-error">([^<]+)<', wrong.text).group(1)


async def test_after_sign_in_only_console_paths_are_followed(console):
    browser = await console.browser()
    await browser.get("/console/sign-in")
    for target in ("https://example.org/", "//example.org/console/", "/jobs/postings"):
        answer = await browser.client.post("/console/sign-in", data={
            "username": "station1", "password": PASSWORD, "csrf": browser.csrf, "next": target})
        assert answer.headers["location"] == "/console/", target
        await browser.get("/console/sign-in")


async def test_changing_ones_password_ends_the_other_sessions(console):
    laptop, phone = await console.browser("station1"), await console.browser("station1")
    await laptop.get("/console/password")
    weak = await laptop.submit("/console/password", {"current": PASSWORD, "new": "short", "repeat": "short"})
    assert weak.status_code == 422 and "至少10位" in weak.text
    done = await laptop.submit("/console/password", {"current": PASSWORD, "new": "a-brand-new-secret",
                                                     "repeat": "a-brand-new-secret"})
    assert done.status_code == 303
    assert (await laptop.get("/console/")).status_code == 200
    assert (await phone.get("/console/")).status_code == 303
    assert (await (await console.browser()).sign_in("station1", "a-brand-new-secret")).status_code == 303


async def test_admin_resets_a_forgotten_password_and_lifts_the_lockout(console):
    browser = await console.browser()
    for _ in range(3):
        await browser.sign_in("station2", "forgotten-it")
    assert "锁定" in (await browser.sign_in("station2")).text
    admin = await console.browser("admin1")
    page = await admin.get("/console/admin/accounts")
    account_id = re.search(r'href="/console/admin/accounts/([0-9a-f-]{36})">station2<', page.text).group(1)
    await admin.get(f"/console/admin/accounts/{account_id}")
    weak = await admin.submit(f"/console/admin/accounts/{account_id}/password", {"password": "short"})
    assert weak.status_code == 422 and 'id="reset-password-error"' in weak.text
    done = await admin.submit(f"/console/admin/accounts/{account_id}/password", {"password": "temporary-secret-1"})
    assert done.status_code == 303 and done.headers["location"].endswith("done=reset")
    assert (await browser.sign_in("station2", "temporary-secret-1")).status_code == 303
    assert "重设密码" in (await admin.get("/console/admin/audit")).text


async def test_a_changed_role_or_region_takes_effect_at_the_next_request(console):
    station = await console.browser("station2")
    assert "科尔沁右翼前旗" in (await station.get("/console/")).text
    admin = await console.browser("admin1")
    page = await admin.get("/console/admin/accounts")
    account_id = re.search(r'href="/console/admin/accounts/([0-9a-f-]{36})">station2<', page.text).group(1)
    await admin.get(f"/console/admin/accounts/{account_id}")
    changed = await admin.submit(f"/console/admin/accounts/{account_id}", {
        "display_name": "科右中旗站", "role": "station_staff", "region": "152222", "office_id": "", "phone": ""})
    assert changed.status_code == 303 and changed.headers["location"].endswith("done=changed")
    assert (await station.get("/console/")).status_code == 303, "signed out: the old scope is gone"
    await station.sign_in("station2")
    assert "科尔沁右翼中旗" in (await station.get("/console/")).text
    audit = await admin.get("/console/admin/audit")
    assert "修改账号" in audit.text and "152222" in audit.text
