"""The policy library kept by a department, walked in Chromium (issue 14 §1: 政策文件 with
attachments, 解读 with Q&A and graphics):

市人社局's reviewer (李人社) enters a 政策文件 — first with its 施行日期 before its 成文日期
(refused next to the field, everything typed kept) — publishes a 解读 with a question and its
answer, and uploads a 图解 without saying what it shows: refused, the image kept (she does not
choose it again), she describes it and it is published. A visitor on a phone (390 px) reads the
document, the 解读 and the 图解 with its text alternative; axe-core clean, nothing wider than
the screen.

Screenshots go to ZHENGWU_SHOTS_DIR as library-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

TITLE = "耒阳市人才住房补贴实施细则（浏览器测试）"
NUMBER = "耒人社发〔2027〕9号"
FULL_TEXT = "第一条 为吸引人才来耒就业创业，制定本细则。"
ALT = "申领流程：网上申请、部门审核、财政拨付三步"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 120), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_department_keeps_its_policy_library(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    login(page, "renshe")
    page.goto("/policies/staff/documents/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_doc_number", NUMBER)
    page.fill("#id_issuer", "耒阳市人力资源和社会保障局")
    page.fill("#id_issued_on", "2026-12-01")
    page.fill("#id_effective_on", "2026-11-01")
    page.fill("#id_full_text", FULL_TEXT)
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".error-summary")).to_contain_text("施行日期不能早于成文日期")
    console.take_expected(page, "/policies/staff/documents/new/")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_full_text")).to_have_value(FULL_TEXT)
    assert_accessible(page, "登记政策文件（有误）")
    page.fill("#id_effective_on", "2026-12-10")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("h1")).to_have_text(TITLE)

    page.get_by_role("link", name="发布解读").click()
    page.fill("#id_title", "一图读懂人才住房补贴")
    page.fill("#id_body", "本细则明确了补贴对象、标准和申领方式。")
    page.fill("#id_questions", "问：博士每月补贴多少？\n答：每月2000元，发放36个月。")
    page.fill("#id_published_on", "2026-12-10")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("main")).to_contain_text("博士每月补贴多少？")

    page.get_by_role("link", name="上传附件或图解").click()
    page.select_option("#id_target", label="图解：一图读懂人才住房补贴")
    page.set_input_files("#id_file", {"name": "图解.png", "mimeType": "image/png",
                                      "buffer": _png()})
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".error-summary")).to_contain_text("请用文字说明图解的内容")
    console.take_expected(page, "/files/new/")
    expect(page.locator("main")).to_contain_text("已保留")
    assert_accessible(page, "上传图解（有误）")
    page.screenshot(path=str(shots / "library-1-kept.png"), full_page=True)
    page.fill("#id_description", ALT)
    page.get_by_role("button", name="上传").click()  # the kept image, not chosen again
    expect(page.locator(f'img[alt="{ALT}"]')).to_be_visible()
    document_url = page.url

    phone = new_page(browser, server, console, width=390)
    phone.goto(document_url)
    expect(phone.locator("h1")).to_have_text(TITLE)
    expect(phone.locator("figcaption")).to_contain_text(ALT)
    assert_accessible_at_widths(phone, "政策文件（图解）")
    phone.set_viewport_size({"width": 390, "height": 844})
    assert_fits(phone, shots, "library-2-document-390")
