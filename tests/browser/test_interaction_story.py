"""互动交流 in Chromium (measure [24], docs/hotline.md "互动交流"): a caller's 建议 and its answer
published with the caller's consent, personal data kept off the public page, and taken down
when the caller changes his mind.

1. 张三 (demo `zhangsan`) files a 建议 through 我要反映 (/hotline/new/), ticks "同意在办结后公开
   我的诉求和答复（隐去个人信息）" and writes his mobile number into the text.
2. The order is brought to 办结 through the services (`zhengwu shell -c`: 派单 to
   市市场监督管理局, 签收 and 答复 by its reviewer, 回访 and 办结 by the operator); the pages of
   those moves are test_hotline_story's.
3. The 12345 operator (demo `hotline`), on a phone (390 px), opens the closed order: the
   公开答复 form is prefilled with the order's texts masked (his phone removed, his name
   张*). He first puts the phone number back into the public answer: refused next to that
   field, everything typed kept. Then he publishes.
4. An anonymous visitor reads the question and answer on /hotline/published/ — neither 张三's
   name nor his phone number on it — axe-core clean at desktop and phone widths, nothing wider
   than a 390 px phone.
5. 张三 withdraws his consent on his order's page; the question and answer are gone from
   /hotline/published/.

Screenshots go to ZHENGWU_SHOTS_DIR as interaction-*.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

NAME = "张三"
PHONE = "13800000001"  # 张三's mobile (packs/leiyang/people.csv)
MASKED_PHONE = "（已隐去电话号码）"
TITLE = "建议农贸市场设置公平秤（互动交流浏览器测试）"
CONTENT = (f"我叫{NAME}，经常在城区农贸市场买菜，担心缺斤短两。建议在市场入口设置公平秤，"
           f"方便群众复秤。如需联系请拨打{PHONE}。")
REPLY = "感谢您的建议。我局已在城区各农贸市场入口设置公平秤，并安排专人每周检定。"
PUBLIC_TITLE = "建议在农贸市场入口设置公平秤"
DEPARTMENT = "市市场监督管理局"

CLOSE = """
import json
from zhengwu.accounts.models import User
from zhengwu.departments.models import Department
from zhengwu.hotline import services
from zhengwu.hotline.schemas import OrderMoveIn
operator = User.objects.get(username="hotline")
staff = User.objects.get(username="reviewer")
department = Department.objects.get(short_name={department!r})
for user, move in (
        (operator, OrderMoveIn(action="dispatch", department_id=department.pk)),
        (staff, OrderMoveIn(action="sign")),
        (staff, OrderMoveIn(action="answer", reply={reply!r})),
        (operator, OrderMoveIn(action="callback", resolved=True, satisfaction="satisfied")),
        (operator, OrderMoveIn(action="close"))):
    row = services.order_move(number={number!r}, user=user, move=move)
print("CLOSED" + json.dumps({{"status": row.status, "consent": row.publish_consent}}))
"""


def _published(page: Page) -> None:
    page.goto("/hotline/published/")
    expect(page.locator("h1")).to_have_text("互动交流")


def test_a_consenting_callers_answer_is_published_and_withdrawn(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    # --- 1. 张三 files a 建议 and agrees to its publication -----------------------------------
    citizen = new_page(browser, server, console)
    login(citizen, "zhangsan")
    citizen.goto("/hotline/new/")
    form = citizen.locator("#new-order")
    form.locator("#id_kind").select_option(label="建议")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_content").fill(CONTENT)
    form.locator("#id_region").select_option(index=2)  # a township
    consent = citizen.get_by_label("同意在办结后公开我的诉求和答复（隐去个人信息）")
    expect(consent).not_to_be_checked()  # the caller's own act, never ticked for him
    consent.check()
    citizen.screenshot(path=str(shots / "interaction-01-new.png"), full_page=True)
    form.get_by_role("button", name="提交").click()
    expect(citizen.locator("h1")).to_have_text("诉求已提交")
    number = citizen.locator("#order-number").inner_text().strip()

    # --- 2. 派单 … 办结 through the services ------------------------------------------------
    output = server.zhengwu("shell", "-c", CLOSE.format(
        department=DEPARTMENT, reply=REPLY, number=number))
    closed = json.loads(output.split("CLOSED", 1)[1])
    assert closed == {"status": "closed", "consent": True}

    # Nothing is public before the operator decides.
    _published(page)
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # --- 3. the operator publishes, on a phone ---------------------------------------------
    operator = new_page(browser, server, console, width=390)
    login(operator, "hotline")
    operator.goto(f"/hotline/orders/{number}/")
    publish = operator.locator("#move-publish")
    expect(publish).to_be_visible()
    title = publish.locator("#id_publish_public_title")
    question = publish.locator("#id_publish_public_question")
    answer = publish.locator("#id_publish_public_answer")
    expect(title).to_have_value(TITLE)
    prefilled = question.input_value()
    assert MASKED_PHONE in prefilled, prefilled
    assert PHONE not in prefilled and NAME not in prefilled, prefilled
    expect(answer).to_have_value(REPLY)
    assert_fits(operator, shots, "interaction-02-publish-form-390")

    # A mistake: the caller's number typed back into the public answer.
    title.fill(PUBLIC_TITLE)
    leaky = f"{REPLY}如有疑问，我们将致电{PHONE}回访。"
    answer.fill(leaky)
    publish.get_by_role("button", name="公开答复").click()
    console.take_expected(operator, f"/hotline/orders/{number}/")
    publish = operator.locator("#move-publish")
    error = publish.locator("#id_publish_public_answer_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("电话号码")
    expect(publish.locator("#id_publish_public_answer")).to_have_attribute(
        "aria-invalid", "true")
    # Everything typed is kept.
    expect(publish.locator("#id_publish_public_title")).to_have_value(PUBLIC_TITLE)
    expect(publish.locator("#id_publish_public_question")).to_have_value(prefilled)
    expect(publish.locator("#id_publish_public_answer")).to_have_value(leaky)
    expect(operator.locator("#timeline")).not_to_contain_text("公开答复")
    assert_accessible(operator, "公开答复（有误，手机）")
    error.scroll_into_view_if_needed()
    operator.screenshot(path=str(shots / "interaction-03-refused-390-viewport.png"))
    assert_fits(operator, shots, "interaction-03-refused-390")

    publish.locator("#id_publish_public_answer").fill(REPLY)
    publish.get_by_role("button", name="公开答复").click()
    expect(operator.locator("main")).to_contain_text("已公开答复")
    expect(operator.locator("#timeline")).to_contain_text("公开答复")
    assert_fits(operator, shots, "interaction-04-published-390")

    # --- 4. an anonymous visitor reads it ---------------------------------------------------
    _published(page)
    item = page.locator("#published li", has_text=PUBLIC_TITLE)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("建议")
    expect(item).to_contain_text(f"答复部门：{DEPARTMENT}")
    expect(item).to_contain_text("公平秤")
    expect(item).to_contain_text(REPLY)
    expect(item).to_contain_text(MASKED_PHONE)
    main = page.locator("main")
    for personal in (NAME, PHONE, "zhangsan"):
        expect(main).not_to_contain_text(personal)
    page.screenshot(path=str(shots / "interaction-05-published-desktop.png"), full_page=True)
    assert_accessible_at_widths(page, "互动交流")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page, shots, "interaction-06-published-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- 5. 张三 withdraws his consent; the answer is taken down ------------------------------
    citizen.goto(f"/hotline/orders/{number}/")
    expect(citizen.locator("main")).to_contain_text("互动交流公开")
    citizen.get_by_role("button", name="撤回公开同意").click()
    expect(citizen.locator("main")).to_contain_text("已撤回公开同意")
    expect(citizen.locator("main")).to_contain_text("此诉求不公开")
    expect(citizen.locator("main")).to_contain_text("诉求人已撤回公开同意，已撤下")
    expect(citizen.get_by_role("button", name="撤回公开同意")).to_have_count(0)
    assert_accessible(citizen, "我的12345诉求（已撤回公开同意）")
    citizen.screenshot(path=str(shots / "interaction-07-withdrawn.png"), full_page=True)

    _published(page)
    expect(page.locator("main")).not_to_contain_text(PUBLIC_TITLE)
    expect(page.locator("main")).not_to_contain_text("公平秤")
    page.screenshot(path=str(shots / "interaction-08-taken-down.png"), full_page=True)
    citizen.context.close()
    operator.context.close()
