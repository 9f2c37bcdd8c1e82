"""Issue 3's demo story in Chromium, against the real platform with the Leiyang demo pack.

An applicant finds 食品经营许可证核发（新办） by plain words, applies online with a PDF for every
required material (a mistyped phone number is refused first: the chosen files are kept and
named, and the corrected form is submitted without choosing them again); the window clerk asks once for a supplement, the applicant supplies it, the
clerk accepts; the department does nothing. `zhengwu sweep --now <after the due date>` (run
against the server's own data) then decides the case 超时默认准予: the applicant downloads the
默认准予 notice and the supervisor sees the department's failure on 电子监察.
The server's clock is real time, so the due date is read from the case page.
Every page visited must log no console error and no CSP violation (the `context` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Locator, Page, expect
from pypdf import PdfReader, PdfWriter

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, login
from tests.browser.item_forms import fill_item_form
from tests.pdfcheck import pdf_fonts

pytestmark = pytest.mark.browser

FOOD = "食品经营许可证核发（新办）"
DEPARTMENT = "耒阳市市场监督管理局"
ID_NUMBER = "43048119900101123X"  # a valid test citizen ID (GB 11643 check digit X)
PHONE = "13800000001"
MISSING = "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"
REASON = "缺少经营场所平面布局图"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def small_pdf() -> bytes:
    """A real one-page PDF of a few hundred bytes."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_file(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": small_pdf()}


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)




def status_badges(page: Page) -> list[str]:
    badges = page.locator("#case p.meta .badge")
    return [badges.nth(i).inner_text().strip() for i in range(badges.count())]


def queue_item(page: Page, number: str) -> Locator:
    """The 综合窗口 queue entry of one case."""
    page.goto("/cases/staff/window/")
    expect(page.locator("h1")).to_have_text("综合窗口")
    item = page.locator("article.queue-item").filter(has_text=number)
    expect(item).to_have_count(1)
    return item


def due_on_page(page: Page) -> tuple[dt.datetime, int]:
    """The 办结期限 shown on the case page (Beijing time) and the working days left."""
    text = page.locator("#case dt:text-is('办结期限') + dd").inner_text()
    match = re.search(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}).*剩余 (\d+) 个工作日", text)
    assert match, text
    due = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    return due, int(match.group(2))


@pytest.fixture
def person(browser: Browser, server: Server, console: ConsoleLog,
           context: BrowserContext) -> Iterator[Callable[[str], Page]]:
    """A page signed in as `username`, in its own browser context (own cookies), watched for
    console errors like the `context` fixture's pages (which asserts on them at teardown)."""
    made: list[BrowserContext] = []

    def make(username: str) -> Page:
        ctx = browser.new_context(base_url=server.url, locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(15_000)
        ctx.on("page", console.watch)
        made.append(ctx)
        page = ctx.new_page()
        login(page, username)
        return page

    try:
        yield make
    finally:
        for ctx in made:
            ctx.close()


def test_supplement_once_accept_then_deemed_approval(person: Callable[[str], Page],
                                                     server: Server, shots: Path,
                                                     tmp_path: Path) -> None:
    # --- the applicant finds the service in plain words and applies online -----------------
    applicant = person("zhangsan")
    applicant.goto("/")
    box = applicant.locator("main form[role=search] input[name=q]")
    box.fill("开饭店")
    with applicant.expect_navigation():
        box.press("Enter")
    result = applicant.locator("ol.results > li").filter(
        has=applicant.locator("h2", has_text=FOOD)).first
    expect(result).to_be_visible()
    with applicant.expect_navigation():
        result.locator("h2 a").click()
    expect(applicant.locator("h1")).to_have_text(FOOD)
    expect(applicant.locator("dt:text-is('承诺办结时限') + dd strong")).to_have_text("10 个工作日")
    expect(applicant.locator(".badge.warn", has_text="超时默认").first).to_be_visible()
    expect(applicant.get_by_text(DEPARTMENT).first).to_be_visible()
    with applicant.expect_navigation():
        applicant.get_by_role("link", name="在线申请", exact=True).click()
    expect(applicant.locator("h1")).to_have_text(f"在线申请：{FOOD}")

    # Name and ID number come from the account (read-only); the item's own form is answered.
    expect(applicant.locator("#id_id_number")).to_have_value(ID_NUMBER)
    fill_item_form(applicant, applicant.url.rstrip("/").split("/")[-1])
    applicant.fill("#id_phone", PHONE[:-1])  # a mistake: one digit short
    applicant.fill("#id_address", "耒阳市蔡子池街道")
    required = applicant.locator("div.material").filter(
        has=applicant.locator(".badge", has_text=re.compile(r"^必要$")))
    assert required.count() == 3, required.count()
    for i in range(required.count()):
        required.nth(i).locator("input[type=file]").set_input_files(
            pdf_file(f"material-{i + 1}.pdf"))
    shot(applicant, shots, "20-apply")
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="提交申请").click()
    # Refused for the phone number, the chosen files are kept and named: nothing is chosen again.
    expect(applicant.locator(".error-summary")).to_contain_text("联系电话")
    expect(applicant.locator(".error-summary")).to_contain_text("已保留您选择的 3 个文件")
    for i in range(required.count()):
        kept = required.nth(i).locator(".kept")
        expect(kept).to_contain_text(f"已保留：material-{i + 1}.pdf")
        file_input = required.nth(i).locator("input[type=file]")
        expect(file_input).to_have_attribute("aria-describedby", re.compile(r"_kept$"))
    assert_accessible_at_widths(applicant, "在线申请（有错误，文件已保留）")
    # At phone width the kept files fit the screen (no sideways scrolling).
    applicant.set_viewport_size({"width": 375, "height": 800})
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 375
    shot(applicant, shots, "20-apply-kept-phone")
    applicant.set_viewport_size({"width": 1280, "height": 900})
    applicant.fill("#id_phone", PHONE)
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="提交申请").click()
    expect(applicant.locator(".error-summary")).to_have_count(0)
    heading = applicant.locator("#case-title")
    expect(heading).to_have_text(re.compile(r"^办件 \d{20}$"))
    number = heading.inner_text().split()[-1]
    assert status_badges(applicant)[0] == "待受理"
    expect(applicant.locator("#case dt:text-is('办结期限') + dd")).to_have_text("受理后开始计算")

    # --- the window clerk asks once for a supplement -----------------------------------------
    clerk = person("clerk")
    item = queue_item(clerk, number)
    form = item.locator("form.move-ask_supplement")
    form.locator("summary", has_text="一次性告知补正").click()
    form.get_by_label(MISSING, exact=True).check()
    form.get_by_label(f"补正原因：{MISSING}", exact=True).fill(REASON)
    shot(clerk, shots, "21-window-ask-supplement")
    with clerk.expect_navigation():
        form.get_by_role("button", name="出具一次性补正告知书").click()
    assert clerk.url.endswith("/cases/staff/window/"), clerk.url
    item = clerk.locator("article.queue-item").filter(has_text=number)
    expect(item.locator(".badge").first).to_have_text("待补正")
    expect(item).to_contain_text("已一次性告知补正")
    expect(item.locator("form.move-ask_supplement")).to_have_count(0)

    # --- the applicant opens 我的办件 and supplies the one material --------------------------
    applicant.goto("/cases/mine/")
    row = applicant.locator("table.grid tbody tr").filter(has_text=number)
    expect(row).to_contain_text("待补正")
    assert_accessible_at_widths(applicant, "我的办件")
    with applicant.expect_navigation():
        row.get_by_role("link", name="去补正").click()
    expect(applicant.locator("#case")).to_contain_text(REASON)
    assert_accessible_at_widths(applicant, "办件页（待补正）")
    supplement = applicant.locator("form.move-supplement")
    files = supplement.locator("input[type=file]")
    expect(files).to_have_count(1)
    supplement.get_by_label(MISSING).set_input_files(pdf_file("layout.pdf"))
    supplement.get_by_role("button", name="提交补正材料").click()  # htmx swaps #case
    expect(applicant.locator("#case p.meta .badge").first).to_have_text("已补正待受理")
    expect(applicant.locator("#case")).to_contain_text("（补正）")
    expect(applicant.locator("#case a", has_text="一次性补正材料告知书（PDF）")).to_have_count(1)

    # --- the clerk is not offered a second request, and a forged one is refused; accepts -----
    item = queue_item(clerk, number)
    expect(item.locator(".badge").first).to_have_text("已补正待受理")
    expect(item.locator("form.move-ask_supplement")).to_have_count(0)
    expect(item.locator("form.move-accept")).to_have_count(1)
    token = item.locator("form.move-accept input[name=csrfmiddlewaretoken]").get_attribute(
        "value")
    assert token
    response = clerk.request.post(f"/cases/{number}/move/ask_supplement/", form={
        "csrfmiddlewaretoken": token, "sup_known_0": "1", "sup_material_0": MISSING,
        "sup_on_0": "1", "sup_reason_0": "再次补正"})
    assert response.status < 500, response.status
    body = response.text()
    assert "操作未完成" in body and "不能一次性告知补正" in body, body[:2000]
    item = queue_item(clerk, number)
    expect(item.locator(".badge").first).to_have_text("已补正待受理")
    with clerk.expect_navigation():
        item.locator("form.move-accept").get_by_role("button", name="受理").click()
    expect(clerk.locator("article.queue-item").filter(has_text=number)).to_have_count(0)

    # --- the due date, as the applicant sees it; the department does nothing -----------------
    applicant.goto(f"/cases/{number}/")
    assert status_badges(applicant)[0] == "审查中"
    due, remaining = due_on_page(applicant)
    assert remaining == 10, remaining  # 10 working days, counted from the day after
    assert due.date() - dt.datetime.now(SHANGHAI).date() >= dt.timedelta(days=10), due
    expect(applicant.locator("#case a", has_text="受理通知书（PDF）")).to_have_count(1)
    shot(applicant, shots, "22-case-accepted")
    assert_accessible_at_widths(applicant, "办件页（审查中）")

    moment = dt.datetime.combine(due.date() + dt.timedelta(days=1), dt.time(9, 0),
                                 tzinfo=SHANGHAI)
    output = server.zhengwu("sweep", "--now", moment.isoformat())
    assert re.search(r"超时默认准予 [1-9]", output), output

    # --- the applicant sees 超时默认准予 and downloads the notice --------------------------
    applicant.reload()
    assert status_badges(applicant)[:2] == ["已决定", "超时默认准予"], status_badges(applicant)
    expect(applicant.locator("#case .timeline")).to_contain_text("超时默认准予")
    link = applicant.locator("#case a", has_text="超时默认准予通知书（PDF）")
    expect(link).to_have_count(1)
    document = link.locator("xpath=following-sibling::span[1]").inner_text().split("·")[0].strip()
    assert re.fullmatch(r".+默〔\d{4}〕\d+号", document), document
    shot(applicant, shots, "23-case-deemed")
    with applicant.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"超时默认准予通知书-{number}.pdf"
    pdf_path = tmp_path / "deemed.pdf"
    download.save_as(pdf_path)
    reader = PdfReader(pdf_path)
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
    assert "默认准予" in text or "超时默认" in text, text[:800]
    assert document in text, (document, text[:800])
    assert number in text, text[:800]
    fonts = pdf_fonts(reader)
    assert fonts, "no fonts in the PDF"
    for base_font, descriptor in fonts:
        assert descriptor is not None and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (
            f"font {base_font} is not embedded")

    # --- the supervisor sees the department marked on 电子监察 ------------------------------
    supervisor = person("supervisor")
    supervisor.goto("/cases/staff/monitoring/")
    expect(supervisor.locator("h1")).to_have_text("电子监察")
    failures = supervisor.locator("table.failures")
    expect(failures).to_be_visible()
    marked = failures.locator("tbody tr").filter(
        has=supervisor.locator("th", has_text=DEPARTMENT))
    expect(marked).to_have_count(1)
    expect(marked).to_have_class(re.compile(r"\brow-red\b"))
    expect(marked.locator(".badge.bad")).to_have_text("超时默认")
    deemed = marked.locator("td.deemed strong.error")
    expect(deemed).to_be_visible()
    assert int(deemed.inner_text()) >= 1
    shot(supervisor, shots, "24-monitoring")
