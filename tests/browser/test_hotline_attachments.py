"""12345 附件 and the e-mail caller walked in Chromium (docs/hotline.md, "附件", "Callers'
personal data"), as the people who use them would:

1. A person (张三) on a phone (390 px) at 我要反映 chooses a photo (PNG) for 附件1 and a
   "PDF" that is text for 附件2, and forgets the title. The refusal names the title and the
   bad file next to 附件2, says the photo is kept (已保留), and keeps all that was typed; with
   the title given (and nothing chosen again) the order is made, and its progress page lists
   the photo, which downloads as the very bytes chosen.
2. The operator (吴热线, 1280 px) takes a letter that came by e-mail: with neither phone nor
   e-mail the desk says which is needed and keeps what was typed; with the e-mail the call is
   taken. On the order's page the letter's scan (a PDF) is uploaded through the 附件 form and
   listed; a text file is refused ("附件未上传…"), and nothing is added. Each outcome is said
   in the 附件 section, in view where the page opens after the upload.
3. A confidential order (a 举报 letter with its scan, made and dispatched through the
   services): the department's reviewer (王审核, 市市场监督管理局) on a phone sees the caller
   as （保密）, is told one 诉求附件 is kept from them and sees none listed (the file's address
   answers 404), and uploads a photo of the handling — named as a phone names it, one long
   word that must not widen the page — listed as 答复附件, said in the 附件 section where the
   page opens after the upload, and downloaded as the bytes sent.

Each page: axe-core, no console errors but the deliberate refusals, nothing wider than the
phone. Screenshots go to ZHENGWU_SHOTS_DIR (the `shots` fixture) as attach-*.png.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
DEPARTMENT = "市市场监督管理局"
LETTER_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"




def _png(path: Path, colour: tuple[int, int, int]) -> Path:
    """A small real PNG photo (what a phone's camera would give, only smaller)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def _listed(page: Page) -> list[str]:
    """The names of the files the 附件 section lists."""
    return [item.inner_text().strip() for item in
            page.locator("#attachments ul.attachments li a").all()]


# --- 1. a person's photo, kept across a refusal --------------------------------------------

WEB_CONTENT = "蔡子池街道五一路某小区门口的下水道井盖破损塌陷，已经有电动车摔倒，请尽快修复。"
WEB_TITLE = "小区门口井盖破损塌陷"
WEB_ADDRESS = "蔡子池街道五一路某小区南门"


def test_a_person_s_photo_is_kept_across_a_refusal_and_downloads(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path,
        tmp_path: Path) -> None:
    photo = _png(tmp_path / "井盖照片.png", (90, 120, 160))
    fake = tmp_path / "情况说明.pdf"
    fake.write_bytes("这不是PDF，只是一段文字。\n".encode())

    person = new_page(browser, server, console, width=PHONE_WIDTH)
    login(person, "zhangsan")
    person.goto("/hotline/new/")
    expect(person.locator("h1")).to_have_text("12345我要反映")
    form = person.locator("#new-order")
    form.locator("#id_kind").select_option(label="投诉")
    form.locator("#id_content").fill(WEB_CONTENT)
    form.locator("#id_region").select_option(index=2)
    region = form.locator("#id_region").input_value()
    form.locator("#id_address").fill(WEB_ADDRESS)
    form.locator("#id_attachment_1").set_input_files(photo)
    form.locator("#id_attachment_2").set_input_files(fake)
    form.get_by_role("button", name="提交").click()
    console.take_expected(person, "/hotline/new/")

    # The title and the bad file, each next to its field; the photo kept; nothing lost.
    expect(person.locator("#id_title_error")).to_be_visible()
    expect(person.locator("#id_title_error")).to_contain_text("标题")
    bad = person.locator("#id_attachment_2_error")
    expect(bad).to_be_visible()
    expect(bad).to_contain_text("情况说明.pdf")
    expect(bad).to_contain_text(re.compile("不是 PDF、JPG 或 PNG"))
    kept = person.locator("#id_attachment_1_kept")
    expect(kept).to_contain_text("已保留")
    expect(kept).to_contain_text("井盖照片.png")
    expect(person.locator("#id_attachment_2_kept")).to_have_count(0)  # the bad one is not
    expect(person.locator("#id_attachment_1")).to_have_attribute(
        "aria-describedby", re.compile("id_attachment_1_kept"))
    summary = person.locator(".error-summary")
    expect(summary).to_be_visible()
    assert [a.get_attribute("href") for a in summary.locator("a").all()] == [
        "#id_title", "#id_attachment_2"]
    expect(person.locator("#id_kind")).to_have_value("complaint")
    expect(person.locator("#id_content")).to_have_value(WEB_CONTENT)
    expect(person.locator("#id_region")).to_have_value(region)
    expect(person.locator("#id_address")).to_have_value(WEB_ADDRESS)
    assert_fits(person, shots, "attach-01-web-refused-390")
    assert_accessible(person, "12345我要反映 with a bad file at 390px")

    # The title given, nothing chosen again or removed: the kept photo goes with the order.
    person.locator("#id_title").fill(WEB_TITLE)
    person.locator("#new-order").get_by_role("button", name="提交").click()
    expect(person.locator("h1")).to_have_text("诉求已提交")
    number = person.locator("#order-number").inner_text().strip()
    assert number.startswith("GD"), number
    person.get_by_role("link", name="查看办理进度").click()
    expect(person.locator("h1")).to_contain_text(number)
    expect(person.locator("main")).to_contain_text(WEB_TITLE)
    assert _listed(person) == ["井盖照片.png"]  # the refused text never got in
    expect(person.locator("#attachments li")).to_contain_text("诉求附件")
    assert_fits(person, shots, "attach-02-web-progress-390")
    assert_accessible(person, "12345 progress with an attachment at 390px")

    with person.expect_download() as download_info:
        person.locator("#attachments").get_by_role("link", name="井盖照片.png").click()
    download = download_info.value
    assert download.suggested_filename == "井盖照片.png"
    saved = download.path()
    assert saved is not None and Path(saved).read_bytes() == photo.read_bytes()
    person.context.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)


# --- 2. the operator: a letter by e-mail, its scan -------------------------------------------

MAIL_TITLE = "反映农贸市场电子秤缺斤短两"
MAIL_CONTENT = "来信反映：蔡子池街道农贸市场多个摊位电子秤不准，买一斤肉少二两，请市场监管部门检查。"
MAIL_CALLER = "陈来信"
MAIL_ADDRESS = "chen.laixin@example.com"


def test_the_operator_takes_an_e_mail_and_adds_the_letter_s_scan(
        page: Page, console: ConsoleLog, shots: Path, tmp_path: Path) -> None:
    login(page, "hotline")
    page.goto("/hotline/desk/")
    call = page.locator("#new-call")
    call.locator("#id_channel").select_option(label="电子邮件")
    call.locator("#id_caller_name").fill(MAIL_CALLER)
    call.locator("#id_kind").select_option(label="投诉")
    call.locator("#id_title").fill(MAIL_TITLE)
    call.locator("#id_content").fill(MAIL_CONTENT)
    call.locator("#id_category").select_option(value="0301")
    call.locator("#id_region").select_option(index=2)
    region = call.locator("#id_region").input_value()
    call.get_by_role("button", name="受理").click()
    console.take_expected(page, "/hotline/desk/")

    # Neither phone nor e-mail: the one message that says what will do, next to the phone.
    missing = page.locator("#id_caller_phone_error")
    expect(missing).to_be_visible()
    expect(missing).to_contain_text("没有电话的，请填写电子邮箱")
    expect(page.locator("#id_caller_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_contain_text("电子邮箱")
    expect(page.locator("#id_channel")).to_have_value("email")
    expect(page.locator("#id_caller_name")).to_have_value(MAIL_CALLER)
    expect(page.locator("#id_kind")).to_have_value("complaint")
    expect(page.locator("#id_title")).to_have_value(MAIL_TITLE)
    expect(page.locator("#id_content")).to_have_value(MAIL_CONTENT)
    expect(page.locator("#id_category")).to_have_value("0301")
    expect(page.locator("#id_region")).to_have_value(region)
    assert_accessible_at_widths(page, "12345 desk without phone or e-mail")
    page.screenshot(path=str(shots / "attach-03-desk-no-contact.png"), full_page=True)

    page.locator("#id_caller_email").fill(MAIL_ADDRESS)
    page.locator("#new-call").get_by_role("button", name="受理").click()
    expect(page.locator("h1")).to_contain_text("工单 GD")
    number = page.locator("h1").inner_text().split()[1]
    expect(page.locator("#caller")).to_contain_text(MAIL_CALLER)
    expect(page.locator("#caller")).to_contain_text(MAIL_ADDRESS)  # the operator sees it
    expect(page.locator("main")).to_contain_text("电子邮件")  # the channel, in 受理
    expect(page.locator("#attachments")).to_contain_text("暂无附件")

    # The letter's scan, through the order page's 附件 form.
    scan = tmp_path / "来信扫描件.pdf"
    scan.write_bytes(LETTER_PDF)
    upload = page.locator("#attach-form")
    upload.locator("input[type=file]").set_input_files(scan)
    upload.get_by_role("button", name="上传", exact=True).click()
    done = page.locator("#attachments").get_by_text("已上传 1 个附件。")
    expect(done).to_be_visible()
    expect(done).to_be_in_viewport()  # the page opens at 附件, and says it there
    expect(page).to_have_url(re.compile(rf"/hotline/orders/{number}/#attachments$"))
    page.screenshot(path=str(shots / "attach-04a-order-scan-viewport.png"))  # what one sees
    assert _listed(page) == ["来信扫描件.pdf"]
    expect(page.locator("#attachments li", has_text="来信扫描件.pdf")).to_contain_text("诉求附件")
    expect(page.locator("#timeline")).to_contain_text("附件")
    assert_accessible_at_widths(page, "12345 order with a letter's scan")
    page.screenshot(path=str(shots / "attach-04-order-scan.png"), full_page=True)

    # A text file under a PDF's name: refused, named, nothing added.
    bad = tmp_path / "补充材料.pdf"
    bad.write_bytes(b"just some text, not a scan\n")
    upload = page.locator("#attach-form")
    upload.locator("input[type=file]").set_input_files(bad)
    upload.get_by_role("button", name="上传", exact=True).click()
    refused = page.locator("#attachments").get_by_role("alert")
    expect(refused).to_have_text(re.compile("^附件未上传："))
    expect(page.get_by_text("附件未上传")).to_have_count(1)  # said once, not also at the top
    expect(refused).to_contain_text("补充材料.pdf")
    expect(refused).to_be_in_viewport()  # where the operator is looking, not off the top
    assert _listed(page) == ["来信扫描件.pdf"]
    page.screenshot(path=str(shots / "attach-05-order-refused.png"))  # what one sees
    assert_accessible(page, "12345 order with a refused upload")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert_fits(page, shots, "attach-06-order-refused-390")


# --- 3. a confidential order at the department -----------------------------------------------

REPORT_TITLE = "举报某超市销售假冒食用油"
REPORT_CONTENT = "来信举报：蔡子池街道某超市销售假冒品牌食用油，举报人附有购物小票和照片。"
REPORT_CALLER = "刘举报"
REPORT_PHONE = "13900007777"
SETUP = """
import json
from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import services
from zhengwu.hotline.schemas import OrderIn, OrderMoveIn
operator = User.objects.get(username="hotline")
row = services.order_open(user=operator, channel="letter", files=[("举报信扫描件.pdf", {pdf!r})],
    data=OrderIn(kind="report", title={title!r}, content={content!r}, caller_name={caller!r},
                 caller_phone={phone!r}, category_code="0301"))
department = Department.objects.get(short_name={department!r})
services.order_move(number=row.number, user=operator,
                    move=OrderMoveIn(action="dispatch", department_id=department.pk))
row.refresh_from_db()
print("SETUP" + json.dumps({{"number": row.number, "confidential": row.confidential,
                            "attachments": list(row.attachments.values_list("pk", flat=True))}}))
"""


def test_the_department_sees_no_request_file_of_a_confidential_order(
        browser: Browser, server: Server, console: ConsoleLog, shots: Path,
        tmp_path: Path) -> None:
    output = server.zhengwu("shell", "-c", SETUP.format(
        pdf=LETTER_PDF, title=REPORT_TITLE, content=REPORT_CONTENT, caller=REPORT_CALLER,
        phone=REPORT_PHONE, department=DEPARTMENT))
    made = json.loads(output.split("SETUP", 1)[1])
    number, (letter,) = made["number"], made["attachments"]
    assert made["confidential"] is True  # every 举报

    staff = new_page(browser, server, console, width=PHONE_WIDTH)
    login(staff, "reviewer")
    staff.goto(f"/hotline/orders/{number}/")
    expect(staff.locator("h1")).to_contain_text(number)
    caller = staff.locator("#caller")
    expect(caller).to_contain_text("（保密）")
    expect(caller).to_contain_text("举报人信息保密")
    assert caller.inner_text().count("（保密）") == 1  # once, not for name and phone each
    main = staff.locator("main")
    for kept_back in (REPORT_CALLER, REPORT_PHONE, "举报信扫描件"):
        expect(main).not_to_contain_text(kept_back)
    files = staff.locator("#attachments")
    expect(files).to_contain_text("暂无附件")
    expect(files).to_contain_text("另有 1 个诉求附件")
    assert _listed(staff) == []
    # Nor is the file itself theirs, by its address.
    response = staff.request.get(f"/hotline/orders/{number}/attachments/{letter}/")
    assert response.status == 404, response.status
    assert_fits(staff, shots, "attach-07-confidential-390")
    assert_accessible(staff, "12345 confidential order (department) at 390px")

    # The department's photo of its handling: a 答复附件, listed for them.
    # As a phone names its photos: one long word, which must not widen the page.
    photo_name = "IMG_20261207_103015_HDR_market_inspection_stall_12.png"
    photo = _png(tmp_path / photo_name, (40, 140, 70))
    upload = staff.locator("#attach-form")
    upload.locator("input[type=file]").set_input_files(photo)
    upload.get_by_role("button", name="上传", exact=True).click()
    done = staff.locator("#attachments").get_by_text("已上传 1 个附件。")
    expect(done).to_be_in_viewport()
    assert _listed(staff) == [photo_name]
    expect(staff.locator("#attachments li", has_text=photo_name)).to_contain_text("答复附件")
    expect(staff.locator("#attachments")).to_contain_text("另有 1 个诉求附件")
    assert_fits(staff, shots, "attach-08-confidential-reply-390")
    assert_accessible(staff, "12345 confidential order with a reply photo at 390px")
    with staff.expect_download() as download_info:
        staff.locator("#attachments").get_by_role("link", name=photo_name).click()
    saved = download_info.value.path()
    assert saved is not None and Path(saved).read_bytes() == photo.read_bytes()
    staff.context.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)
