"""信用监管 walked in Chromium (issue 15, second "Done means": a false commitment found by
事后核查 becomes a 失信记录 the enterprise, the apply form and the public see, with its log entry):

1. 耒阳某某餐饮有限公司 (`canyin`) applies online for 道路货物运输经营许可, an item practising
   告知承诺: it uploads the application form (its own material: no commitment box) and
   replaces 安全生产管理制度 — the one material the guide marks 告知承诺替代 — by its written
   commitment (以书面承诺代替); a mistyped phone number is refused first, the ticked box and
   the file kept.
2. The window accepts; 市交通运输局's 韩交通 (`jiaotong`) grants it from the department's 待办.
3. From the workbench's 事后核查 worklist (due date, card) he opens the case and finds the
   commitment false (the conclusion forgotten first: refused, the finding kept): the decision
   is revoked and a 失信记录 made.
4. The enterprise reads it on 我的信用记录 (footer link); the apply form no longer offers the
   以书面承诺代替 box and says why; 安全生产管理制度 is then to be uploaded.
5. The public credit page /cases/credit/enterprises/<USCC>/ (linked from 我的信用记录) shows
   the record with its transparency-log entry (`credit.record`, the enterprise by USCC, no finding text).
Every page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page
from tests.browser.item_forms import _pdf, fill_item_form

pytestmark = pytest.mark.browser

ITEM = "道路货物运输经营许可"
USCC = "91430481MA4L00003J"
PHONE = "13800000002"
COMMITTED = "安全生产管理制度"  # 告知承诺替代 in the Leiyang pack
FINDING = "现场核查：未建立安全生产管理制度，承诺不实（示例）"


def check(page: Page, shots: Path, name: str, context: str) -> None:
    """axe at desktop and phone width, and nothing wider than a phone (screenshot kept)."""
    assert_accessible_at_widths(page, context)
    before = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        assert_fits(page, shots, f"{name}-phone")
    finally:
        if before is not None:
            page.set_viewport_size(before)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def open_apply_form(page: Page) -> None:
    """From the home page's search to the item's guide, then 在线申请."""
    page.goto("/")
    box = page.locator("main form[role=search] input[name=q]")
    box.fill("货物运输经营")
    with page.expect_navigation():
        box.press("Enter")
    result = page.locator("ol.results > li").filter(
        has=page.locator("h2", has_text=ITEM)).first
    with page.expect_navigation():
        result.locator("h2 a").click()
    expect(page.locator("h1")).to_have_text(ITEM)
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"在线申请：{ITEM}")


@pytest.mark.usefixtures("credit_restored")
def test_a_false_commitment_becomes_a_public_credit_record(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    # 1. The enterprise applies with its commitment; a mistyped phone number first.
    applicant = page
    login(applicant, "canyin")
    open_apply_form(applicant)
    expect(applicant.locator("main")).to_contain_text("本事项实行告知承诺制")
    fill_item_form(applicant, applicant.url.rstrip("/").split("/")[-1])
    applicant.fill("#id_phone", PHONE[:-1])
    if applicant.locator("#id_address").count():
        applicant.fill("#id_address", "耒阳市蔡子池街道")
    # The box sits only on the material the guide marks 告知承诺替代; the applicant's own
    # required materials are uploaded.
    materials = applicant.locator("div.material")
    boxes = applicant.get_by_label("以书面承诺代替（告知承诺制）")
    expect(boxes).to_have_count(1)
    committed = materials.filter(has_text=COMMITTED)
    expect(committed.get_by_label("以书面承诺代替（告知承诺制）")).to_have_count(1)
    boxes.check()
    own = materials.filter(has=applicant.locator(".badge", has_text=re.compile(r"^必要$"))) \
        .filter(has_not_text=COMMITTED)
    assert own.count() >= 1
    for i in range(own.count()):
        expect(own.nth(i).get_by_label("以书面承诺代替（告知承诺制）")).to_have_count(0)
        own.nth(i).locator("input[type=file]").set_input_files(
            {"name": f"material-{i + 1}.pdf", "mimeType": "application/pdf",
             "buffer": _pdf()})
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="提交申请").click()
    expect(applicant.locator(".error-summary")).to_contain_text("联系电话")
    expect(applicant.locator("#id_phone")).to_have_value(PHONE[:-1])
    expect(boxes).to_be_checked()
    for i in range(own.count()):
        expect(own.nth(i).locator(".kept")).to_contain_text("material-")  # cases.staging
    check(applicant, shots, "credit-apply-refused", "在线申请（告知承诺，有误）")
    applicant.fill("#id_phone", PHONE)
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="提交申请").click()
    heading = applicant.locator("#case-title")
    expect(heading).to_have_text(re.compile(r"^办件 \d{20}$"))
    number = heading.inner_text().split()[-1]

    # 2. The window accepts; the department grants.
    clerk = new_page(browser, server, console)
    login(clerk, "clerk")
    clerk.goto("/cases/staff/window/")
    item = clerk.locator("article.queue-item").filter(has_text=number)
    with clerk.expect_navigation():
        item.locator("form.move-accept").get_by_role("button", name="受理").click()
    officer = new_page(browser, server, console)
    login(officer, "jiaotong")
    officer.goto("/staff/")
    officer.get_by_role("link", name="审批待办", exact=True).click()
    row = officer.locator("tr", has_text=number)
    expect(row.locator(".badge", has_text="告知承诺")).to_be_visible()
    row.get_by_role("link", name=number).click()
    officer.locator("form.move-grant").get_by_role("button").click()
    expect(officer.locator("#case p.meta .badge").first).to_have_text("已决定")

    # 3. The 事后核查 worklist; the commitment found false (conclusion forgotten first).
    officer.goto("/staff/")
    officer.get_by_role("link", name="事后核查", exact=True).first.click()
    expect(officer.locator("h1")).to_have_text("事后核查")
    work = officer.locator("main table tbody tr", has_text=number)
    expect(work).to_contain_text("待核查")
    check(officer, shots, "credit-verifications", "事后核查")
    work.get_by_role("link", name=number).click()
    officer.fill("#id_finding", FINDING)
    officer.get_by_role("button", name="登记核查结果").click()
    expect(officer.locator("#id_outcome_error")).to_be_visible()
    expect(officer.locator("#id_finding")).to_have_value(FINDING)
    check(officer, shots, "credit-verification-refused", "事后核查（有误）")
    officer.get_by_label("承诺不实（撤销决定并记入失信记录）").check()
    officer.get_by_role("button", name="登记核查结果").click()
    expect(officer.locator("main")).to_contain_text("已认定承诺不实")
    check(officer, shots, "credit-verification-false", "事后核查（承诺不实）")
    officer.get_by_role("link", name="查看失信记录").first.click()
    expect(officer.locator("main")).to_contain_text(number)
    check(officer, shots, "credit-records-staff", "失信记录（工作人员）")

    # 4. The enterprise: 我的信用记录, and the apply form without 告知承诺.
    applicant.goto("/")
    applicant.get_by_role("link", name="我的信用记录").click()
    expect(applicant.locator("h1")).to_have_text("我的信用记录")
    expect(applicant.locator("main")).to_contain_text("告知承诺不实")
    expect(applicant.locator("main")).to_contain_text(number)
    check(applicant, shots, "credit-mine", "我的信用记录")
    public = applicant.get_by_role("link", name="查看本单位公开的信用信息").get_attribute("href")
    assert public == f"/cases/credit/enterprises/{USCC}/", public
    open_apply_form(applicant)
    refused = applicant.locator("#commitment-refused")
    expect(refused).to_contain_text("失信记录")
    expect(refused.get_by_role("link", name="我的信用记录")).to_be_visible()
    expect(applicant.get_by_label("以书面承诺代替（告知承诺制）")).to_have_count(0)
    expect(applicant.locator("main")).not_to_contain_text("可以勾选“以书面承诺代替”")
    expect(applicant.locator("div.material").filter(has_text=COMMITTED)
           .locator("input[type=file]")).to_have_count(1)
    check(applicant, shots, "credit-apply-no-commitment", "在线申请（不适用告知承诺）")

    # 5. The public credit page and the log entry.
    anyone = new_page(browser, server, console)
    anyone.goto(public)  # the address the enterprise's page links (anyone may open it)
    record = anyone.locator("main table tbody tr", has_text=number)
    expect(record).to_contain_text("告知承诺不实")
    expect(record).to_contain_text("耒阳市交通运输局")
    check(anyone, shots, "credit-public", "企业信用信息（公开）")
    assert FINDING not in anyone.locator("main").inner_text()
    href = record.get_by_role("link").get_attribute("href")
    assert href and re.fullmatch(r"/api/v1/ledger/entries/\d+", href), href
    response = anyone.request.get(href)
    assert response.ok, response.text()
    shown = response.json()
    logged = json.loads(base64.b64decode(shown["entry"]))
    assert logged["kind"] == "credit.record", logged
    assert logged["data"]["subject"] == USCC and logged["data"]["case"] == number
    assert "安全生产管理制度" not in json.dumps(logged, ensure_ascii=False)
