"""The portal journey in Chromium, against the real platform with the Leiyang demo pack.

Search in plain words, read the guide, print its 一次性告知单, elder mode, the staff edit →
second-administrator approval → new published version, and a refused over-long query.
Every page visited must log no console error and no CSP violation (the `context` fixture).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import login
from tests.pdfcheck import pdf_fonts

pytestmark = pytest.mark.browser

FOOD = "食品经营许可证核发（新办）"
COMPANY = "企业设立登记（公司设立登记）"
BIRTH = "出生医学证明首次签发"
NOTICE_LINK = "下载一次性告知单（PDF）"


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.locator("header form button").click()
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def search_from_home(page: Page, query: str) -> None:
    page.goto("/")
    box = page.locator("main form[role=search] input[name=q]")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/" in page.url


def result_for(page: Page, name: str, top: int = 3) -> Locator:
    """The result item (one of the first `top`) whose title is exactly `name`."""
    items = page.locator("ol.results > li")
    expect(items.first).to_be_visible()
    titles = [items.nth(i).locator("h2").inner_text().strip()
              for i in range(min(top, items.count()))]
    assert name in titles, f"{name} not in the top {top}: {titles}"
    return items.nth(titles.index(name))


def open_guide(page: Page, query: str, name: str) -> str:
    """Search from the home page, click through to the guide; return its 实施编码."""
    search_from_home(page, query)
    with page.expect_navigation():
        result_for(page, name).locator("h2 a").click()
    match = re.search(r"/guide/([^/]+)/$", page.url)
    assert match, page.url
    expect(page.locator("h1")).to_have_text(name)
    return match.group(1)


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)
            if result.format == zxingcpp.BarcodeFormat.QRCode]


def promised_limit(page: Page) -> str:
    return page.locator("dt:text-is('承诺办结时限') + dd strong").inner_text().strip()


def version_number(page: Page) -> int:
    text = page.get_by_role("link", name=re.compile(r"版本记录")).inner_text()
    match = re.search(r"第\s*(\d+)\s*版", text)
    assert match, text
    return int(match.group(1))


@pytest.mark.parametrize(("query", "expected"), [
    ("开饭店", FOOD),          # synonym
    ("yyzz", COMPANY),        # pinyin initials of 营业执照
    ("生孩子", BIRTH),         # plain words
])
def test_search_finds_the_service_in_plain_words(page: Page, shots: Path, query: str,
                                                 expected: str) -> None:
    search_from_home(page, query)
    item = result_for(page, expected)
    expect(item.locator("h2 mark").first).to_be_visible()
    expect(page.locator("main form[role=search] input[name=q]")).to_have_value(query)
    if query == "开饭店":
        shot(page, shots, "02-search-results")


def test_home_page(page: Page, shots: Path) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("您想办什么事？")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="个人办事")).to_be_visible()
    expect(page.get_by_role("heading", name="法人办事")).to_be_visible()
    assert page.locator("ul.chips li").count() > 0
    shot(page, shots, "01-home")


def test_search_on_the_search_page_with_htmx(page: Page) -> None:
    """A second search on /search/ swaps the results in place and keeps the URL shareable."""
    search_from_home(page, "开饭店")
    box = page.locator("main form[role=search] input[name=q]")
    box.fill("生孩子")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?.*q=%E7%94%9F%E5%AD%A9%E5%AD%90"))
    result_for(page, BIRTH)


def test_guide_notice_pdf_and_qr(page: Page, base_url: str, shots: Path,
                                 tmp_path: Path) -> None:
    code = open_guide(page, "开饭店", FOOD)
    guide_url = f"{base_url}/guide/{code}/"

    materials = page.locator("table.grid tbody tr")
    assert materials.count() >= 1
    expect(page.get_by_role("columnheader", name="材料名称")).to_be_visible()
    assert re.fullmatch(r"即办|\d+(\.\d)? 个工作日", promised_limit(page)), promised_limit(page)
    shot(page, shots, "03-guide")

    with page.expect_download() as info:
        page.get_by_role("link", name=NOTICE_LINK).click()
    download = info.value
    assert download.suggested_filename == f"notice-{code}.pdf"
    pdf_path = tmp_path / "notice.pdf"
    download.save_as(pdf_path)

    reader = PdfReader(pdf_path)
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert FOOD in re.sub(r"\s+", "", text), text[:500]
    fonts = pdf_fonts(reader)
    assert fonts, "no fonts in the PDF"
    for base_font, descriptor in fonts:
        assert descriptor is not None and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (
            f"font {base_font} is not embedded")
    assert any(re.fullmatch(r"[A-Z]{6}\+Noto[\w-]*CJK[\w-]*", name) for name, _ in fonts), (
        f"no Noto CJK subset among {[name for name, _ in fonts]}")

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = pdf[0].render(scale=3).to_pil()
    finally:
        pdf.close()
    assert decode_qr(image) == [guide_url]

    response = page.request.get(f"/guide/{code}/qr.png")
    assert response.ok
    assert response.headers["content-type"] == "image/png"
    assert decode_qr(Image.open(io.BytesIO(response.body()))) == [guide_url]
    # The page's own 二维码图片 link points at the same PNG.
    expect(page.get_by_role("link", name="二维码图片")).to_have_attribute(
        "href", f"/guide/{code}/qr.png")




def test_elder_mode(page: Page, shots: Path) -> None:
    open_guide(page, "生孩子", BIRTH)
    body = page.locator("body")
    normal = float(body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)"))
    with page.expect_navigation():
        page.get_by_role("link", name="长辈版（大字）").click()
    expect(body).to_have_class(re.compile(r"\belder\b"))
    expect(page.locator("h1")).to_have_text(BIRTH)  # back on the same page
    large = float(body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)"))
    assert large > normal, (normal, large)
    shot(page, shots, "04-guide-elder")
    # Remembered across pages.
    page.goto("/")
    expect(body).to_have_class(re.compile(r"\belder\b"))
    with page.expect_navigation():
        page.get_by_role("link", name="标准版").click()
    expect(body).not_to_have_class(re.compile(r"\belder\b"))
    assert float(body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")) == normal


def test_overlong_query_is_refused_in_chinese(page: Page) -> None:
    query = "我" * 51
    response = page.goto(f"/search/?q={query}")
    assert response is not None and response.status < 500
    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    assert re.search(r"[\u4e00-\u9fff]", error.inner_text()), error.inner_text()
    assert "50" in error.inner_text(), error.inner_text()
    # The search box itself stops at 50 characters.
    expect(page.locator("main form[role=search] input[name=q]")).to_have_attribute(
        "maxlength", "50")


def test_public_pages(page: Page, shots: Path) -> None:
    page.goto("/kpis/")
    expect(page.locator("h1")).to_be_visible()
    shot(page, shots, "05-kpis")
    page.goto("/lists/")
    expect(page.locator("h1")).to_be_visible()
    shot(page, shots, "06-lists")


def test_staff_edit_then_second_administrator_publishes(page: Page, shots: Path) -> None:
    login(page, "catalog")
    page.goto("/staff/")
    expect(page.locator("h1")).to_be_visible()
    shot(page, shots, "07-workbench")

    page.goto("/staff/catalog/quality/")
    findings = page.locator("table.grid tbody tr")
    expect(findings.first).to_be_visible()
    assert findings.first.locator("li").count() >= 1, "the quality page shows no findings"
    shot(page, shots, "08-quality")

    page.goto("/staff/catalog/import/")
    expect(page.locator("input[type=file]")).to_be_visible()
    shot(page, shots, "09-import")

    code = open_guide(page, "yyzz", COMPANY)
    guide_path = f"/guide/{code}/"
    version = version_number(page)
    old_limit = promised_limit(page)
    old = Decimal(0) if old_limit == "即办" else Decimal(old_limit.split()[0])
    new = old - 1 if old >= 2 else old + 1
    new_text = f"{new.normalize():f} 个工作日"

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("编辑本事项")).click()
    page.fill("#id_promised_limit_workdays", str(new))
    with page.expect_navigation():
        page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".errorlist, .error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/staff/catalog/drafts/$"))
    expect(page).to_have_title(re.compile("草稿"))
    logout(page)

    login(page, "catalog2")
    page.goto("/staff/catalog/drafts/")
    card = page.locator("section.card").filter(has_text=COMPANY).filter(
        has=page.get_by_role("button", name="审核通过并发布"))
    expect(card).to_have_count(1)
    shot(page, shots, "10-drafts")
    with page.expect_navigation():
        card.get_by_role("button", name="审核通过并发布").click()
    expect(page.get_by_role("alert")).to_have_count(0)

    page.goto(guide_path)
    assert version_number(page) == version + 1
    assert promised_limit(page) == new_text, (old_limit, promised_limit(page), new_text)


def test_saving_an_unchanged_guide_changes_nothing(page: Page) -> None:
    login(page, "catalog")
    open_guide(page, "开饭店", FOOD)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("编辑本事项")).click()
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    card = page.locator("section.card").filter(has_text=FOOD)
    expect(card).to_have_count(1)
    changes = card.locator("table.grid tbody tr")
    assert changes.count() == 0, [changes.nth(i).inner_text() for i in range(changes.count())]
