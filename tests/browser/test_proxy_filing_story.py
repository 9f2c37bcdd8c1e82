"""帮代办 in Chromium (issue 12 §4): the hall manager opens a 代办项目 for 耒阳某某餐饮有限公司
with 食品经营许可证核发（新办） and the 代办员 刘帮办 (the assistance pages); the 代办员 tries
to file before the enterprise has confirmed and is told why, with what was typed kept; the
enterprise confirms on its 授权管理 page; the 代办员 files on the project's 代为申报 page and
is back on the project with the case number; the enterprise sees the case, filed 经授权代为申请
by 刘帮办."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import Server, login
from tests.browser.item_forms import fill_item_form
from tests.browser.test_case_story import pdf_file

pytestmark = pytest.mark.browser

FOOD = "食品经营许可证核发（新办）"
CANYIN, CANYIN_USCC = "耒阳某某餐饮有限公司", "91430481MA4L00003J"
PROJECT = "餐饮扩建审批代办"


def food_implementation(page: Page) -> tuple[str, str]:
    """The county's 食品经营许可证核发（新办）: its implementation code and basic code (the
    public catalogue API, as a hall manager looks them up)."""
    response = page.request.get("/api/v1/catalog/implementations",
                                params={"q": "食品经营许可证", "level": 4})
    assert response.ok, response.text()
    found = [i for i in response.json()["items"] if i["name"] == FOOD]
    assert found, response.text()
    return found[0]["code"], found[0]["basic_code"]


def ends_on() -> str:
    """Ninety days from today in Beijing (the authorization's last day)."""
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    return (today + dt.timedelta(days=90)).isoformat()


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name=re.compile("^退出")).click()


def attach_required_materials(page: Page) -> None:
    required = page.locator("div.material").filter(
        has=page.locator(".badge", has_text=re.compile(r"^必要$")))
    for i in range(required.count()):
        required.nth(i).locator("input[type=file]").set_input_files(pdf_file(f"m{i + 1}.pdf"))


def test_the_proxy_agent_files_for_the_enterprise_on_the_project_page(
        page: Page, server: Server, shots: Path) -> None:
    # The hall manager opens the project (assistance home page).
    login(page, "hallmgr")
    code, basic_code = food_implementation(page)
    page.goto("/assistance/")
    form = page.locator("#form-project")
    form.get_by_label("企业统一社会信用代码").fill(CANYIN_USCC)
    form.get_by_label("项目名称").fill(PROJECT)
    agent = form.locator("option", has_text="刘帮办").get_attribute("value")
    assert agent
    form.get_by_label("代办员").select_option(agent)
    form.get_by_label(re.compile("代办事项")).fill(basic_code)
    form.get_by_label("授权截止日期").fill(ends_on())
    with page.expect_navigation():
        form.get_by_role("button", name="创建项目").click()
    expect(page.locator("main")).to_contain_text("已请企业在“授权管理”中确认授权")
    project_url = page.url
    sign_out(page)

    # The 代办员 opens 代为申报 before the enterprise confirmed: told so, nothing lost.
    login(page, "proxy")
    page.goto(project_url)
    expect(page.locator("main")).to_contain_text("企业确认授权")
    assert_accessible_at_widths(page, "代办项目（代为申报）")
    with page.expect_navigation():
        page.get_by_role("link", name=f"代为申报：{FOOD}").click()
    expect(page.locator("h1")).to_have_text(f"帮代办申请：{FOOD}")
    expect(page.locator("#proxy-for")).to_contain_text(CANYIN)
    expect(page.locator("#id_applicant_name")).to_have_value(CANYIN)
    expect(page.locator("#id_id_number")).to_have_value(CANYIN_USCC)
    expect(page.locator("main")).to_contain_text("尚未确认您的授权申请")
    # Nothing of the enterprise's account but its name and code until it confirms.
    expect(page.locator("#id_phone")).to_have_value("")
    assert_accessible_at_widths(page, "帮代办申请")
    page.fill("#id_phone", "13800000002")
    page.fill("#id_address", "耒阳市蔡子池街道")
    page.fill("#id_description", "扩建后堂，代办食品经营许可")
    fill_item_form(page, code)
    attach_required_materials(page)
    with page.expect_navigation():
        page.get_by_role("button", name="代为提交申请").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("尚未确认您的授权申请")
    expect(summary).to_contain_text("已保留您选择的")
    expect(page.locator("#id_description")).to_have_value("扩建后堂，代办食品经营许可")
    assert_accessible_at_widths(page, "帮代办申请（未获授权）")
    refused_url = page.url
    sign_out(page)

    # The enterprise confirms on its 授权管理 page.
    login(page, "canyin")
    page.goto("/accounts/authorizations/")
    row = page.locator("tr").filter(has_text="刘帮办")
    with page.expect_navigation():
        row.get_by_role("button", name="确认授权").click()
    expect(page.locator("tr").filter(has_text="刘帮办").first).to_contain_text("有效")
    sign_out(page)

    # The 代办员 files on the page opened anew (the refused attempt's form is gone with the
    # sign-out, so the answers and files are given again).
    login(page, "proxy")
    page.goto(refused_url)
    expect(page.locator("main")).not_to_contain_text("尚未确认您的授权申请")
    expect(page.locator("#id_phone")).not_to_have_value("")  # the enterprise's, prefilled
    page.fill("#id_address", "耒阳市蔡子池街道")
    page.fill("#id_description", "扩建后堂，代办食品经营许可")
    fill_item_form(page, code)
    attach_required_materials(page)
    with page.expect_navigation():
        page.get_by_role("button", name="代为提交申请").click()
    assert page.url == project_url, page.url
    main = page.locator("main")
    expect(main).to_contain_text("申请已提交，办件编号")
    number = re.search(r"办件编号 (\S+?)。", main.inner_text())
    assert number is not None
    table = page.locator("table")
    expect(table).to_contain_text(number[1])
    expect(table).to_contain_text("部门受理")
    page.screenshot(path=str(shots / "proxy-filing-project.png"), full_page=True)
    sign_out(page)

    # The enterprise sees the case, filed for it by 刘帮办 through the authorization.
    login(page, "canyin")
    page.goto("/cases/mine/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(number[1])).first.click()
    main = page.locator("main")
    expect(main).to_contain_text("经授权代为申请")
    expect(main).to_contain_text("刘帮办")
