"""12345 pages walked in Chromium where the hotline story (test_hotline_story.py) does not go.

1. The department's reviewer (王审核, 市市场监督管理局) on a phone (390 px): the inbox, the
   order, 签收, a first 答复 without its text (refused next to the field, at 390 px), then the
   答复. No page is wider than the phone, axe-core passes, the console stays clean.
2. The operator opens 我要反映 (/hotline/new/, which is the desk for an operator) and makes
   mistakes: a phone number that is not one, no 诉求内容. Each is named in Chinese next to its
   field, everything typed (title, caller, address, category, township …) is still there;
   corrected, the call is taken.
3. The hotline admin (系统管理员) publishes routing rules: a table naming an unknown
   department and a bad region code is refused with each bad row named, nothing is published
   (the version in force unchanged) and the text typed is kept; a good edit of the table in
   force publishes the next version.
4. The weekly 营商环境 report (an enterprise's order of this week, read by the operator and
   电子监察; a department's reviewer is refused) and the 可能重复的工单 box on an order page
   (two calls about one matter at one address): rendered with content, axe, phone width,
   merging from the box.

Screenshots go to ZHENGWU_SHOTS_DIR (the `shots` fixture) as walks-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
DEPARTMENT = "市市场监督管理局"




def _take_call(page: Page, *, title: str, content: str, phone: str, address: str = "",
               category: str = "0301", uscc: str = "") -> str:
    """The operator takes a call at the desk; the new order's number."""
    page.goto("/hotline/desk/")
    call = page.locator("#new-call")
    call.locator("#id_kind").select_option(label="投诉")
    call.locator("#id_title").fill(title)
    call.locator("#id_content").fill(content)
    call.locator("#id_category").select_option(value=category)
    call.locator("#id_region").select_option(index=2)  # a township (蔡子池街道)
    call.locator("#id_address").fill(address)
    call.locator("#id_caller_name").fill("张来电")
    call.locator("#id_caller_phone").fill(phone)
    call.locator("#id_enterprise_uscc").fill(uscc)
    call.get_by_role("button", name="受理").click()
    expect(page.locator("h1")).to_contain_text("工单 GD")
    return page.locator("h1").inner_text().split()[1]


def _dispatch(page: Page, department: str = DEPARTMENT) -> None:
    """派单 by hand (not the suggestion: the routing rules may be changed by another walk)."""
    dispatch = page.locator("#move-dispatch")
    dispatch.locator("select[name=department]").select_option(label=department)
    dispatch.get_by_role("button", name="派单").click()
    expect(page.locator("main")).to_contain_text("待签收")


# --- 1. the department on a phone --------------------------------------------------------

PHONE_TITLE = "农贸市场活禽摊位卫生差"
PHONE_CONTENT = "蔡子池街道农贸市场活禽摊位污水横流，宰杀后的羽毛内脏堆在过道，请市场监管部门查处。"
PHONE_REPLY = "已到农贸市场现场检查，责令活禽摊位清理污物、设置隔离，并将每日复查。"


def test_the_department_signs_and_answers_on_a_phone(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    login(page, "hotline")
    number = _take_call(page, title=PHONE_TITLE, content=PHONE_CONTENT, phone="13900001111")
    _dispatch(page)

    staff = new_page(browser, server, console, width=PHONE_WIDTH)
    login(staff, "reviewer")
    staff.goto("/hotline/orders/")
    expect(staff.locator("h1")).to_contain_text("本部门待办")
    row = staff.locator("#orders tr", has_text=number)
    expect(row).to_contain_text("待签收")
    expect(row).to_contain_text(PHONE_TITLE)
    expect(row.locator("td[data-label=预警]")).to_have_text("—")  # not an empty line
    assert_fits(staff, shots, "walks-01-inbox-390")
    assert_accessible(staff, "12345 department inbox at 390px")

    row.get_by_role("link", name=number).click()
    expect(staff.locator("h1")).to_contain_text(number)
    expect(staff.locator("main")).not_to_contain_text("13900001111")  # masked for them
    assert_fits(staff, shots, "walks-02-order-390")
    assert_accessible(staff, "12345 order (待签收) at 390px")

    staff.locator("#move-sign").get_by_role("button", name="签收").click()
    expect(staff.locator("main")).to_contain_text("已签收")
    expect(staff.locator("#move-answer")).to_be_visible()
    assert_fits(staff, shots, "walks-03-signed-390")
    assert_accessible(staff, "12345 order (办理中) at 390px")

    # 答复 without its text: refused next to the field, at phone width.
    staff.locator("#move-answer").get_by_role("button", name="答复").click()
    console.take_expected(staff, f"/hotline/orders/{number}/")
    answer = staff.locator("#move-answer")
    expect(answer.locator("#id_answer_reply_error")).to_be_visible()
    expect(answer.locator("#id_answer_reply_error")).to_contain_text(re.compile("答复"))
    assert_fits(staff, shots, "walks-04-answer-refused-390")
    assert_accessible(staff, "12345 answer refused at 390px")

    answer.locator("textarea[name=reply]").fill(PHONE_REPLY)
    answer.get_by_role("button", name="答复").click()
    expect(staff.locator("main")).to_contain_text("待回访")
    expect(staff.locator("main")).to_contain_text(PHONE_REPLY)
    timeline = staff.locator("#timeline")
    for label in ("受理", "派单", "签收", "答复"):
        expect(timeline).to_contain_text(label)
    assert_fits(staff, shots, "walks-05-answered-390")
    assert_accessible(staff, "12345 answered order at 390px")

    # Back in the inbox the order is no longer waiting for 签收.
    staff.goto("/hotline/orders/")
    expect(staff.locator("#orders tr", has_text=number)).to_contain_text("待回访")
    assert_fits(staff, shots, "walks-06-inbox-after-390")
    staff.context.close()


# --- 2. the operator's form with mistakes ------------------------------------------------

FORM_TITLE = "小区门口井盖缺失"
FORM_ADDRESS = "蔡子池街道五一路某小区东门"
FORM_CALLER = "欧阳来电"
FORM_CONTENT = "五一路某小区东门人行道上的井盖缺失两天了，晚上看不见，老人小孩容易掉进去。"
FORM_CATEGORY = "010103"


def test_the_operator_form_keeps_what_was_typed_after_mistakes(page: Page, shots: Path,
                                                                console: ConsoleLog) -> None:
    login(page, "hotline")
    page.goto("/hotline/new/")  # 我要反映 is the desk for an operator
    expect(page).to_have_url(re.compile(r"/hotline/desk/$"))
    call = page.locator("#new-call")
    call.locator("#id_channel").select_option(label="来信")
    call.locator("#id_caller_phone").fill("1390000")  # not a phone number
    call.locator("#id_caller_name").fill(FORM_CALLER)
    call.locator("#id_kind").select_option(label="求助")
    call.locator("#id_title").fill(FORM_TITLE)
    # 诉求内容 left empty
    call.locator("#id_category").select_option(value=FORM_CATEGORY)
    call.locator("#id_urgency").select_option(value="urgent")
    call.locator("#id_region").select_option(index=2)
    region = call.locator("#id_region").input_value()
    call.locator("#id_address").fill(FORM_ADDRESS)
    call.get_by_role("button", name="受理").click()
    console.take_expected(page, "/hotline/desk/")

    phone_error = page.locator("#id_caller_phone_error")
    content_error = page.locator("#id_content_error")
    expect(phone_error).to_be_visible()
    expect(content_error).to_be_visible()
    for error in (phone_error, content_error):  # a specific message, in Chinese
        assert re.search(r"[\u4e00-\u9fff]{4}", error.inner_text()), error.inner_text()
        assert "请填写或更正此项" not in error.inner_text()
    expect(phone_error).to_contain_text(re.compile("电话|号码|手机"))
    expect(content_error).to_contain_text(re.compile("内容"))
    expect(page.locator("#id_caller_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_content")).to_have_attribute("aria-invalid", "true")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    # In the order of the page (the caller's phone comes first at the desk).
    assert [a.get_attribute("href") for a in summary.locator("a").all()] == [
        "#id_caller_phone", "#id_content"]
    # Nothing typed is lost.
    expect(page.locator("#id_channel")).to_have_value("letter")
    expect(page.locator("#id_caller_phone")).to_have_value("1390000")
    expect(page.locator("#id_caller_name")).to_have_value(FORM_CALLER)
    expect(page.locator("#id_kind")).to_have_value("help")
    expect(page.locator("#id_title")).to_have_value(FORM_TITLE)
    expect(page.locator("#id_category")).to_have_value(FORM_CATEGORY)
    expect(page.locator("#id_urgency")).to_have_value("urgent")
    expect(page.locator("#id_region")).to_have_value(region)
    expect(page.locator("#id_address")).to_have_value(FORM_ADDRESS)
    assert_accessible_at_widths(page, "12345 desk with a bad phone and no content")
    page.screenshot(path=str(shots / "walks-07-desk-mistakes.png"), full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "walks-08-desk-mistakes-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The summary's link takes the operator to the field.
    summary.locator("a[href='#id_content']").click()
    expect(page.locator("#id_content")).to_be_focused()
    page.locator("#id_content").fill(FORM_CONTENT)
    page.locator("#id_caller_phone").fill("0734-4321234")  # a landline is a phone too
    page.locator("#new-call").get_by_role("button", name="受理").click()
    expect(page.locator("h1")).to_contain_text("工单 GD")
    facts = page.locator("main")
    for shown in (FORM_TITLE, FORM_CONTENT, FORM_ADDRESS, FORM_CALLER, "求助", "紧急", "来信"):
        expect(facts).to_contain_text(shown)
    expect(page.locator("#caller")).to_contain_text(re.compile(r"0734-?4321234"))
    page.screenshot(path=str(shots / "walks-09-desk-taken.png"), full_page=True)


# --- 3. the routing rules ----------------------------------------------------------------

def _version(page: Page) -> int:
    heading = page.locator("h2", has_text="现行").inner_text()
    found = re.search(r"第(\d+)版", heading)
    assert found, heading
    return int(found.group(1))


def test_the_admin_rules_page_refuses_a_bad_table_and_publishes_a_good_one(
        page: Page, shots: Path, console: ConsoleLog) -> None:
    login(page, "admin")
    page.goto("/hotline/rules/")
    expect(page.locator("h1")).to_have_text("派单规则")
    before = _version(page)
    rules_in_force = page.locator("#rules tbody tr").count()
    assert rules_in_force > 10
    box = page.locator("#id_rows")
    table = box.input_value()
    # The box holds the table in force: an edit starts from it.
    assert table.startswith("region_code,category_code,department,priority"), table[:200]
    assert len([line for line in table.splitlines() if line.strip()]) == rules_in_force + 1

    bad = (table.rstrip("\n") + "\n"
           "430481001,0301,耒阳市不存在局,5\n"
           "43048X,0302,耒阳市市场监督管理局,5\n")
    lines = bad.splitlines()
    unknown_line = lines.index("430481001,0301,耒阳市不存在局,5") + 1
    region_line = lines.index("43048X,0302,耒阳市市场监督管理局,5") + 1
    box.fill(bad)
    page.locator("#id_note").fill("新增蔡子池食品安全规则")
    page.locator("#new-rules").get_by_role("button", name="发布新版本").click()
    console.take_expected(page, "/hotline/rules/")
    # The refusal is where the admin looks, not below the table of ~180 rules in force.
    expect(page.locator(".error-summary")).to_be_in_viewport()
    error = page.locator("#id_rows_error")
    expect(error.first).to_be_visible()
    errors = page.locator("#new-rules").locator(".error")
    expect(errors.filter(has_text="耒阳市不存在局")).to_contain_text(f"第{unknown_line}行")
    expect(errors.filter(has_text="43048X")).to_contain_text(f"第{region_line}行")
    expect(page.locator(".error-summary")).to_contain_text("耒阳市不存在局")
    expect(page.locator(".error-summary")).to_contain_text("请修改以下 2 处")
    # Nothing published, the typed text kept.
    assert _version(page) == before
    assert page.locator("#id_rows").input_value().replace("\r\n", "\n").rstrip("\n") \
        == bad.rstrip("\n")
    expect(page.locator("#id_note")).to_have_value("新增蔡子池食品安全规则")
    assert_accessible_at_widths(page, "12345 rules refused")
    page.screenshot(path=str(shots / "walks-10-rules-refused.png"))  # what the admin sees
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "walks-11-rules-refused-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The good edit: the same table with the one good new rule (a township's own rule for
    # 食品安全, to the department the county's rule names already: no other walk changes).
    good = table.rstrip("\n") + "\n430481001,0301,耒阳市市场监督管理局,5\n"
    page.locator("#id_rows").fill(good)
    page.locator("#new-rules").get_by_role("button", name="发布新版本").click()
    published = page.get_by_text(f"已发布派单规则第{before + 1}版")
    expect(published).to_be_visible()
    expect(published).to_be_in_viewport()
    assert _version(page) == before + 1
    expect(page.locator("main")).to_contain_text("新增蔡子池食品安全规则")
    expect(page.locator("#rules tbody tr")).to_have_count(rules_in_force + 1)
    expect(page.locator("#rules tbody tr", has_text="430481001").filter(
        has_text="食品安全")).to_have_count(1)
    page.screenshot(path=str(shots / "walks-12-rules-published.png"))
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "walks-13-rules-published-390")
    assert_accessible(page, "12345 rules published at 390px")


# --- 4. the 营商环境 weekly report and the duplicates box -----------------------------------

ENTERPRISE_USCC = "91430481MA4L00003J"  # 耒阳某某餐饮有限公司 (packs/leiyang/people.csv)
DUP_ADDRESS = "蔡子池街道神农路88号门口"
DUP_FIRST = ("神农路路灯不亮", "神农路88号门口的路灯已经一个星期不亮了，晚上走路很危险，请尽快修复。")
DUP_SECOND = ("神农路88号路灯不亮", "神农路88号门口路灯不亮已经一个星期，晚上很黑，请派人修复路灯。")


def _accepted_week(page: Page) -> str:
    """The ISO week (Beijing) the order on the page was taken in, from its 受理 line."""
    accepted = page.locator("dl.facts dt", has_text=re.compile("^受理$")).locator(
        "xpath=following-sibling::dd[1]").inner_text()
    day = dt.date.fromisoformat(accepted[:10])
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_the_business_report_and_the_duplicates_box(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    login(page, "hotline")
    business = _take_call(page, title="企业反映办电时间过长",
                          content="我公司新店申请低压接电已超过十个工作日仍未装表，影响开业，请协调供电部门。",
                          phone="13900002222", category="0301", uscc=ENTERPRISE_USCC)
    expect(page.locator("main")).to_contain_text("营商环境")
    week = _accepted_week(page)
    _dispatch(page)

    # Two calls about one street light at one address: the second's page shows the first.
    first = _take_call(page, title=DUP_FIRST[0], content=DUP_FIRST[1], phone="13900003333",
                       address=DUP_ADDRESS, category="010101")
    second = _take_call(page, title=DUP_SECOND[0], content=DUP_SECOND[1],
                        phone="13900004444", address=DUP_ADDRESS, category="010101")
    assert business not in (first, second)
    box = page.locator("#duplicates")
    expect(box).to_be_visible()
    candidate = box.locator("li", has_text=first)
    expect(candidate).to_contain_text(DUP_FIRST[0])
    expect(candidate.locator(".badge")).to_contain_text(re.compile(r"相似度 0\.\d\d"))
    assert_accessible_at_widths(page, "12345 order with a duplicate")
    page.screenshot(path=str(shots / "walks-14-duplicates.png"), full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "walks-15-duplicates-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The operator's weekly 营商环境 report: this week's enterprise order is in it.
    page.goto(f"/hotline/results/business/?week={week}")
    expect(page.locator("h1")).to_have_text("营商环境诉求周报")
    expect(page.locator("#week")).to_have_value(week)
    assert int(page.locator("#kpi-received").inner_text()) >= 1
    expect(page.locator("#summary")).to_contain_text(week)
    expect(page.locator("#by-department tbody")).to_contain_text(DEPARTMENT)
    expect(page.locator("#by-category tbody")).to_contain_text("食品安全")
    assert_accessible_at_widths(page, "营商环境 weekly report (operator)")
    page.screenshot(path=str(shots / "walks-16-business.png"), full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "walks-17-business-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    # A week that is not one is said so, not a 500.
    page.locator("#week").evaluate("(el) => { el.type = 'text'; el.value = '2026-W99'; }")
    page.get_by_role("button", name="查看").click()
    console.take_expected(page, "/hotline/results/business/", status=400)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "营商环境 weekly report with a bad week")

    # 电子监察 reads the report and the duplicates (the API; the box is the operator's).
    supervisor = new_page(browser, server, console)
    login(supervisor, "supervisor")
    supervisor.goto(f"/hotline/results/business/?week={week}")
    expect(supervisor.locator("#by-department tbody")).to_contain_text(DEPARTMENT)
    assert int(supervisor.locator("#kpi-received").inner_text()) >= 1
    assert_accessible(supervisor, "营商环境 weekly report (电子监察)")
    found = supervisor.request.get(f"/api/v1/hotline/orders/{second}/duplicates")
    assert found.status == 200, found.text()
    assert first in [item["number"] for item in found.json()["items"]]
    supervisor.goto(f"/hotline/orders/{second}/")
    expect(supervisor.locator("h1")).to_contain_text(second)
    expect(supervisor.locator("#duplicates")).to_have_count(0)
    supervisor.context.close()

    # A department's reviewer may read neither.
    reviewer = new_page(browser, server, console)
    login(reviewer, "reviewer")
    response = reviewer.goto(f"/hotline/results/business/?week={week}")
    assert response is not None and response.status == 403
    console.take_expected(reviewer, "/hotline/results/business/", status=403)
    refused = reviewer.request.get(f"/api/v1/hotline/orders/{second}/duplicates")
    assert refused.status in (403, 404), refused.text()
    assert set(refused.json()) >= {"code", "detail"}
    reviewer.context.close()

    # 合并到此工单: the first is merged into the second.
    page.goto(f"/hotline/orders/{second}/")
    page.locator("#duplicates li", has_text=first).get_by_role(
        "button", name="合并到此工单").click()
    expect(page.locator("main")).to_contain_text(f"已合并至 {second}")
    page.goto(f"/hotline/orders/{second}/")
    expect(page.locator("main")).to_contain_text(f"合并至本工单的重复工单：{first}")
    expect(page.locator("#duplicates li", has_text=first)).to_have_count(0)
    page.screenshot(path=str(shots / "walks-18-merged.png"), full_page=True)


# --- 5. a person's 我要反映 on a phone ------------------------------------------------------

WEB_TITLE = "小区路灯不亮"
WEB_CONTENT = "蔡子池街道五一路某小区内三盏路灯已经坏了一周，晚上出入不便，请尽快维修。"


def test_a_person_reports_on_a_phone_and_follows_it(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path) -> None:
    person = new_page(browser, server, console, width=PHONE_WIDTH)
    login(person, "zhangsan")
    person.goto("/hotline/mine/")
    person.get_by_role("link", name="我要反映", exact=True).click()
    expect(person.locator("h1")).to_have_text("12345我要反映")
    form = person.locator("#new-order")
    form.locator("#id_kind").select_option(label="求助")
    form.locator("#id_content").fill(WEB_CONTENT)
    form.locator("#id_region").select_option(index=2)
    form.locator("#id_caller_phone").fill("12345")  # not a phone number; no title
    form.get_by_role("button", name="提交").click()
    console.take_expected(person, "/hotline/new/")
    expect(person.locator("#id_title_error")).to_be_visible()
    expect(person.locator("#id_caller_phone_error")).to_contain_text(re.compile("手机|电话"))
    expect(person.locator("#id_content")).to_have_value(WEB_CONTENT)
    expect(person.locator("#id_caller_phone")).to_have_value("12345")
    summary = person.locator(".error-summary")
    assert [a.get_attribute("href") for a in summary.locator("a").all()] == [
        "#id_title", "#id_caller_phone"]
    assert_fits(person, shots, "walks-19-web-refused-390")
    assert_accessible(person, "12345我要反映 with errors at 390px")

    person.locator("#id_title").fill(WEB_TITLE)
    person.locator("#id_caller_phone").fill("13800000001")
    person.locator("#new-order").get_by_role("button", name="提交").click()
    number = person.locator("#order-number").inner_text().strip()
    assert number.startswith("GD"), number
    assert_fits(person, shots, "walks-20-web-opened-390")
    assert_accessible(person, "12345 诉求已提交 at 390px")

    person.locator("main").get_by_role("link", name="我的12345诉求").click()
    row = person.locator("#mine tr", has_text=number)
    expect(row).to_contain_text(WEB_TITLE)
    expect(row).to_contain_text("待派单")
    assert_fits(person, shots, "walks-21-web-mine-390")
    assert_accessible(person, "我的12345诉求 at 390px")
    row.get_by_role("link", name=number).click()
    expect(person.locator("h1")).to_contain_text(number)
    expect(person.locator("main")).to_contain_text(WEB_CONTENT)
    expect(person.locator("main")).not_to_contain_text("吴热线")  # no staff names
    assert_fits(person, shots, "walks-22-web-progress-390")
    assert_accessible(person, "12345 progress at 390px")
    person.context.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)
