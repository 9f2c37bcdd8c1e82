"""中介超市 综合评分 and 投诉 walked in Chromium (issue 15 §1):

1. A 综合评分 project of 市人社局 whose registration has closed, the three demo agencies
   registered with their prices (set up through the shell: registering needs the agencies'
   own accounts, and the close needs time to pass).
2. 李人社 presses 抽取评审专家 on the project page: five experts are drawn from the demo
   评审专家库 (PS-0006 declared a conflict and is left out before the draw). The draw's
   commits and reveals, walked by the draw story, are made through the shell here.
3. Each drawn expert scores on the scoring form — the first on a phone, through 我的评审,
   with one mark out of range first (refused beside the field, everything typed kept).
4. Anyone reads the scores per agency (expert codes, no names) on the project page; 李人社
   awards the highest total.
5. 张三 complains about an agency from its page (an empty text first); the 审改办 decides
   成立 (without a reason first); the agency's page shows the decision and its credit −10.
Each page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

AGENCIES = ("91430481MA4L200120", "91430481MA4L20020T", "91430481MA4L20039P")

SETUP = """
import datetime as dt
from decimal import Decimal
from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.market import projects
from zhengwu.market.models import Agency, Method, Project, Registration
demo = Project.objects.filter(illustrative=True).first()
row = projects.project_post(user=User.objects.get(username="renshe"), data=projects.ProjectIn(
    service_type_id=demo.service_type_id, title="耒阳市就业服务中心改建环境影响评价（浏览器测试）",
    budget=Decimal("100000"), requirements="编制环境影响报告表", service_workdays=15,
    registration_closes=clock.today() + dt.timedelta(days=1), method=Method.SCORED))
for uscc, bid in (("91430481MA4L200120", "80000"), ("91430481MA4L20020T", "96000"),
                  ("91430481MA4L20039P", "100000")):
    Registration.objects.create(project=row, agency=Agency.objects.get(uscc=uscc),
                                registered_at=clock.now(), bid=Decimal(bid))
Project.objects.filter(pk=row.pk).update(registration_closes=clock.today() - dt.timedelta(days=1))
print(row.number)
"""

DRAW = """
import secrets
from zhengwu.accounts.models import User
from zhengwu.draws import protocol, services
from zhengwu.market.models import Project, PanelMember
row = Project.objects.get(number="{number}")
held = {{u: secrets.token_hex(32) for u in ("renshe", "supervisor")}}
for u in held:
    services.draw_move(number=row.panel_draw_number, user=User.objects.get(username=u),
                       move=services.DrawMoveIn("commit", protocol.commitment(held[u])))
for u in held:
    services.draw_move(number=row.panel_draw_number, user=User.objects.get(username=u),
                       move=services.DrawMoveIn("reveal", held[u]))
print(" ".join(m.expert.user.username for m in PanelMember.objects.filter(project=row)))
"""

# (技术方案, 服务质量保障) per agency, the same from each expert: totals 80.00 / 89.00 / 92.00.
MARKS = {AGENCIES[0]: (30, 20), AGENCIES[1]: (36, 28), AGENCIES[2]: (38, 30)}


def _score(page: Page) -> None:
    for uscc, (technical, quality) in MARKS.items():
        page.fill(f"#mark-{uscc}_technical", str(technical))
        page.fill(f"#mark-{uscc}_quality", str(quality))
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("main")).to_contain_text("评分已提交")


def test_a_panel_is_drawn_scores_and_a_complaint_is_upheld(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    number = server.zhengwu("shell", "-c", SETUP).strip().splitlines()[-1]
    assert number.startswith("ZJ")

    # 2. The owner draws the panel.
    login(page, "renshe")
    page.goto(f"/market/projects/{number}/")
    page.get_by_role("button", name="抽取评审专家").click()
    expect(page.locator("main")).to_contain_text("评审专家抽取中")
    expect(page.locator("main")).to_contain_text("评审专家抽取编号")
    assert_accessible_at_widths(page, "综合评分项目（评审专家抽取中）")
    drawn = server.zhengwu("shell", "-c", DRAW.format(number=number))
    panel = drawn.strip().splitlines()[-1].split()
    assert sorted(panel) == ["gongan", "gongjijin", "reviewer", "shuiwu", "yibao"]
    page.goto(f"/market/projects/{number}/")
    expect(page.locator("main")).to_contain_text("专家评分中")
    expect(page.locator("main")).not_to_contain_text("PS-0006")

    # 3. The first expert, on a phone: 我的评审 → 评分, one mark out of range first.
    first = new_page(browser, server, console, width=390)
    login(first, panel[0])
    first.goto("/market/")
    first.get_by_role("link", name="我的评审（评审专家）").click()
    first.get_by_role("link", name="评分").click()
    expect(first.locator("h1")).to_contain_text("综合评分")
    for uscc, (technical, quality) in MARKS.items():
        first.fill(f"#mark-{uscc}_technical", str(technical))
        first.fill(f"#mark-{uscc}_quality", str(quality))
    first.fill(f"#mark-{AGENCIES[1]}_quality", "31")
    first.get_by_role("button", name="提交评分").click()
    expect(first.locator(f"#mark-{AGENCIES[1]}_quality-error")).to_contain_text("0到30")
    expect(first.locator(f"#mark-{AGENCIES[1]}_quality")).to_have_value("31")
    expect(first.locator(f"#mark-{AGENCIES[0]}_technical")).to_have_value("30")
    console.take_expected(first, f"/market/projects/{number}/score/")
    assert_fits(first, shots, "market-score-refused-phone")
    assert_accessible(first, "专家评分（有误，手机）")
    first.fill(f"#mark-{AGENCIES[1]}_quality", "28")
    first.get_by_role("button", name="提交评分").click()
    expect(first.locator("main")).to_contain_text("评分已提交")
    expect(first.locator("main")).to_contain_text("已评分 1 / 5")
    expect(first.locator("main")).not_to_contain_text("总分")  # sealed until all have scored
    for username in panel[1:]:
        other = new_page(browser, server, console)
        login(other, username)
        other.goto(f"/market/projects/{number}/score/")
        _score(other)
        other.context.close()

    # 4. The scores are public, by code; the owner awards the highest total.
    anyone = new_page(browser, server, console)
    anyone.goto(f"/market/projects/{number}/")
    main = anyone.locator("main")
    expect(main).to_contain_text("评分结果")
    expect(main).to_contain_text("92.00")
    expect(main).to_contain_text("PS-0001")
    expect(main).not_to_contain_text("王审核")
    assert_accessible_at_widths(anyone, "综合评分结果（公开）")
    anyone.set_viewport_size({"width": 390, "height": 844})
    assert_fits(anyone, shots, "market-scores-phone")
    page.goto(f"/market/projects/{number}/")
    page.get_by_role("button", name="确定中选").click()
    expect(page.locator("main")).to_contain_text("已选定")
    expect(page.locator("main")).to_contain_text("耒阳示例工程咨询有限公司")

    # 5. A complaint from the agency's page, decided by the 审改办.
    person = new_page(browser, server, console)
    login(person, "zhangsan")
    person.goto(f"/market/agencies/{AGENCIES[0]}/")
    person.get_by_role("link", name="投诉该机构").click()
    expect(person.locator("#id_agency")).to_have_value(AGENCIES[0])
    person.get_by_role("button", name="提交投诉").click()
    expect(person.locator("#id_text_error")).to_contain_text("投诉事项与理由")
    expect(person.locator("#id_agency")).to_have_value(AGENCIES[0])
    console.take_expected(person, "/market/complaints/new/")
    assert_accessible_at_widths(person, "投诉（有误）")
    person.fill("#id_text", "报价后要求另付专家评审费，与公示的收费标准不符。")
    person.get_by_role("button", name="提交投诉").click()
    expect(person.locator("h1")).to_contain_text("待处理")
    admin = new_page(browser, server, console)
    login(admin, "catalog")
    admin.goto("/staff/")
    admin.get_by_role("link", name="中介超市投诉处理").click()
    admin.locator("main table a").first.click()
    admin.get_by_role("button", name="投诉成立").click()
    expect(admin.locator("#decide-reason-error")).to_contain_text("处理理由")
    console.take_expected(admin, "/market/complaints/")
    assert_accessible_at_widths(admin, "投诉处理（未填理由）")
    admin.fill("#decide-reason", "经核查，另收专家评审费不在其公示收费标准内，投诉成立。")
    admin.get_by_role("button", name="投诉成立").click()
    expect(admin.locator("h1")).to_contain_text("成立")
    person.goto(f"/market/agencies/{AGENCIES[0]}/")
    expect(person.locator("main")).to_contain_text("另收专家评审费不在其公示收费标准内")
    expect(person.locator("main")).to_contain_text("信用分 90.0")
    expect(person.locator("main")).not_to_contain_text("报价后要求另付")
    person.set_viewport_size({"width": 390, "height": 844})
    assert_fits(person, shots, "market-agency-complaint-phone")
