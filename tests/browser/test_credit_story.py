"""信用监管 walked in Chromium (issue 15 §3): a failed inspection becomes a 失信记录 and the
enterprise's credit grade says what it takes away.

1. The drawn inspector (王审核) records the result 立案查处 on the result page — first without
   the findings: refused beside the field, the chosen result kept.
2. The enterprise (canyin) opens 我的信用记录 from the footer: grade D 严重失信, what it takes
   away (告知承诺, the 中介超市), the record (type, plan number); it asks for 信用修复 without
   the pledge — refused (too early, and the pledge), what it wrote kept.
3. Anyone, on a phone, reads the enterprise's public credit page from the link: the grade and
   the record with its log entry — not the findings, not the inspector.
Each page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser
USCC = "91430481MA4L00003J"

ASSIGNED = """
import datetime as dt
from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.departments.models import Department
from zhengwu.inspections import services
from zhengwu.inspections.models import Inspection, Plan, SupervisionItem
officer = User.objects.get(username="reviewer")
a = services.inspector_register(user=officer, username="reviewer", certificate="ZF01")
b = services.inspector_register(user=officer, username="chief", certificate="ZF02")
plan = Plan.objects.create(
    number="CC202699001", name="浏览器测试计划（示例）", created_by=officer, created_at=clock.now(),
    department=Department.objects.get(short_name="市市场监督管理局"),
    item=SupervisionItem.objects.get(code="LY-JG-001"), percent=10, due_workdays=10,
    status="drawn", pool={"USCC": "耒阳某某餐饮有限公司"}, target_count=1)
row = Inspection.objects.create(plan=plan, uscc="USCC", enterprise="耒阳某某餐饮有限公司",
                                status="assigned", assigned_on=clock.today(),
                                due_on=clock.today() + dt.timedelta(days=14))
row.inspectors.set([a, b])
print(row.pk)
""".replace("USCC", USCC)


# The stories share one server: the two inspectors registered above leave the roster when the
# story ends, so that the 双随机 story after it draws from the demo's three as it expects.
RETIRED = """
from zhengwu.inspections.models import Inspector
Inspector.objects.filter(certificate__in=["ZF01", "ZF02"]).update(active=False)
"""


@pytest.fixture
def own_inspectors_retired(server: Server) -> Iterator[None]:
    yield
    server.zhengwu("shell", "-c", RETIRED)


@pytest.mark.usefixtures("credit_restored", "own_inspectors_retired")
def test_a_failed_inspection_lowers_the_grade_and_takes_options_away(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    server.zhengwu("shell", "-c", ASSIGNED)

    # 1. The inspector records 立案查处, a mistake first.
    login(page, "reviewer")
    page.goto("/inspections/staff/mine/")
    page.get_by_role("link", name="记录检查结果").click()
    page.select_option("#id_result", "case_opened")
    page.get_by_role("button", name="记录").click()
    expect(page.locator("#id_findings_error")).to_contain_text("检查情况")
    expect(page.locator("#id_result")).to_have_value("case_opened")
    console.take_expected(page, "/result/")
    assert_accessible(page, "记录检查结果（未填检查情况）")
    page.fill("#id_findings", "超范围经营冷食类食品（浏览器测试）")
    page.get_by_role("button", name="记录").click()
    expect(page.locator("main")).to_contain_text("已记录")

    # 2. The enterprise reads its grade and what it takes away; asks for repair too early.
    company = new_page(browser, server, console)
    login(company, "canyin")
    company.get_by_role("link", name="我的信用记录").click()
    main = company.locator("main")
    expect(main).to_contain_text("D 严重失信")
    expect(main).to_contain_text("不适用告知承诺制")
    expect(main).to_contain_text("不得入驻中介超市")
    expect(main).to_contain_text("抽查检查立案查处")
    expect(main).to_contain_text("CC202699001")
    assert_accessible_at_widths(company, "我的信用记录（D）")
    company.locator("summary", has_text="申请信用修复").click()
    company.fill("#id_correction", "已停止经营冷食类食品，已申请增项许可")
    company.get_by_role("button", name="提交修复申请").click()
    expect(main).to_contain_text("最早可于")
    expect(company.locator("#id_pledged_error")).to_contain_text("信用承诺")
    expect(company.locator("#id_correction")).to_have_value("已停止经营冷食类食品，已申请增项许可")
    console.take_expected(company, "/cases/credit/")
    assert_accessible(company, "信用修复（被拒）")
    assert_fits(company, shots, "credit-mine-desktop")

    # 3. Anyone, on a phone, from the enterprise's link.
    public_url = company.get_by_role("link", name="查看本单位公开的信用信息").get_attribute("href")
    assert public_url == f"/cases/credit/enterprises/{USCC}/"
    anyone = new_page(browser, server, console, width=390)
    anyone.goto(public_url)
    main = anyone.locator("main")
    expect(main).to_contain_text("D 严重失信")
    expect(main).to_contain_text("抽查检查立案查处")
    expect(main).to_contain_text("国办发〔2019〕35号")
    expect(anyone.get_by_role("link", name="条目 #").first).to_be_visible()
    text = main.inner_text()
    assert "超范围经营" not in text and "王审核" not in text and "ZF01" not in text
    assert_fits(anyone, shots, "credit-public-phone")
    assert_accessible_at_widths(anyone, "企业信用信息（公开）")
