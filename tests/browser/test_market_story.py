"""中介超市 walked in Chromium (issue 15 §1, the first "Done means"): an agency registers,
is verified and listed; an owner posts a project with 随机抽取; three qualified agencies
register; after the window closes the owner, the platform and 电子监察 commit and reveal; the
draw is recomputed outside the platform and its log entries verified; the winner shows on the
project page; contract, delivery, acceptance, payment and evaluation follow, and the agency's
public page shows its credit changed.

1. 耒阳某某餐饮有限公司's account (`canyin`, an enterprise of the demo pack) registers its
   agency on 我的中介机构: name, fees, a service type, a 资质 with level and validity. A 资质
   ending before it starts is refused beside the field, and nothing typed is lost.
2. 审改办 (`catalog`) opens 入驻审核 from the workbench; 退回 without a reason is refused beside
   the reason; 审核通过 lists the agency on /market/ and on its public page.
3. 市人社局's 李人社 (`renshe`) posts a project with 随机抽取 from 我的中介服务项目; a closing
   date in the past is refused beside the field, nothing typed lost.
4. Three agencies press 报名 on the project page: `canyin`, and two of the demo pack's listed
   agencies, whose enterprise accounts the shell makes (no page makes an enterprise account
   that signs in with a password: enterprises get theirs from 设立登记, without one).
5. Time passes (the shell moves the closing date to yesterday: the server's clock is real);
   李人社 presses 随机抽取; she and 电子监察 commit and reveal on /draws/<number>/, the platform
   committing at the opening and revealing once every commitment is in (draws.services).
6. `scripts/verify_draw.py` recomputes the draw over HTTP and checks its log entries under
   the checkpoint; the project page shows the winner.
7. 李人社 registers the contract (an amount above the budget refused first), the winner
   delivers, she accepts, registers the payment (no voucher number refused first) and
   evaluates (6 stars refused first); the agency's public page shows its 信用分 up by 4.
Each page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import REPO, ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CANYIN = "91430481MA4L00003J"
# Two listed agencies of the demo pack (packs/leiyang/market/market.json) offering
# 环境影响评价 with a 资质 valid today, and the enterprise accounts the shell makes for them.
DEMO_AGENCIES = {"91430481MA4L200120": "huanjing_zixun", "91430481MA4L20020T": "shengtai_keji"}
SERVICE_TYPE = "建设项目环境影响评价文件编制（示例中介服务）"

ACCOUNTS = f"""
from zhengwu.accounts.consent import consent_demo
from zhengwu.accounts.models import UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.market.models import Agency
for uscc, username in {DEMO_AGENCIES!r}.items():
    user = user_create(username=username, password="demo-2026", kind=UserKind.ENTERPRISE,
                       display_name=Agency.objects.get(uscc=uscc).name, uscc=uscc)
    role_assign(user=user, role=Role.APPLICANT_ENTERPRISE)
    consent_demo(user=user)
print("ok")
"""

# Time passing: the registration window closed yesterday (the server runs on the real clock).
CLOSE = """
import datetime as dt
from zhengwu.core import clock
from zhengwu.market.models import Project
print(Project.objects.filter(number={!r}).update(
    registration_closes=clock.today() - dt.timedelta(days=1)))
"""


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def check(page: Page, shots: Path, name: str, context: str) -> None:
    """axe-clean at desktop and phone width; nothing wider than a phone (screenshot)."""
    assert_accessible_at_widths(page, context)
    before = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page, shots, f"market-{name}-phone")
    if before:
        page.set_viewport_size(before)
    page.screenshot(path=str(shots / f"market-{name}.png"), full_page=True)


def move(page: Page, label: str) -> None:
    """Press a move's button on the project page (its section's heading says the same)."""
    with page.expect_navigation():
        page.locator("section.card", has=page.get_by_role("heading", name=label, exact=True)) \
            .get_by_role("button", name=label, exact=True).click()


def test_an_agency_is_listed_drawn_contracted_paid_and_evaluated(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    # --- 1. The agency registers, one mistake first ----------------------------------------
    login(page, "canyin")
    page.goto("/market/")
    page.get_by_role("link", name="我的中介机构（入驻、报名、交付）").click()
    expect(page.locator("h1")).to_have_text("我的中介机构")
    check(page, shots, "01-agency-form", "中介机构入驻申请")
    page.fill("#id_name", "耒阳某某环评咨询有限公司（浏览器测试）")
    page.fill("#id_staff_count", "12")
    page.fill("#id_fee_description", "按湖南省环评收费指导标准下浮5%")
    page.get_by_label(SERVICE_TYPE).check()
    page.fill("#id_q1_name", "环境影响评价单位登记")
    page.fill("#id_q1_level", "一般")
    page.fill("#id_q1_certificate_number", "HP-4304-0099")
    page.fill("#id_q1_valid_from", "2026-01-01")
    page.fill("#id_q1_valid_to", "2025-12-31")  # the mistake: it ends before it starts
    page.get_by_role("button", name="提交入驻申请").click()
    expect(page.locator("#id_q1_valid_to_error")).to_contain_text("有效期止不能早于有效期起")
    console.take_expected(page, "/market/my-agency/")
    for field, typed in (("#id_name", "耒阳某某环评咨询有限公司（浏览器测试）"),
                         ("#id_staff_count", "12"),
                         ("#id_fee_description", "按湖南省环评收费指导标准下浮5%"),
                         ("#id_q1_level", "一般"), ("#id_q1_certificate_number", "HP-4304-0099"),
                         ("#id_q1_valid_from", "2026-01-01"), ("#id_q1_valid_to", "2025-12-31")):
        expect(page.locator(field)).to_have_value(typed)
    expect(page.get_by_label(SERVICE_TYPE)).to_be_checked()
    check(page, shots, "02-agency-form-refused", "中介机构入驻申请（资质有效期有误）")
    page.fill("#id_q1_valid_to", "2029-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="提交入驻申请").click()
    expect(page.locator("main")).to_contain_text("待审核")
    check(page, shots, "03-agency-pending", "我的中介机构（待审核）")

    # --- 2. 审改办 verifies it ---------------------------------------------------------------
    admin = new_page(browser, server, console)
    login(admin, "catalog")
    admin.goto("/staff/")
    admin.get_by_role("link", name="中介机构入驻审核与处罚").click()
    card = admin.locator("section.card", has_text=CANYIN)
    card.get_by_role("button", name="退回").click()  # the mistake: no reason
    card = admin.locator("section.card", has_text=CANYIN)
    expect(card.locator(".error")).to_contain_text("理由")
    console.take_expected(admin, "/market/review/")
    check(admin, shots, "04-review-refused", "入驻审核（退回未写理由）")
    with admin.expect_navigation():
        card.get_by_role("button", name="审核通过（入驻）").click()
    expect(admin.locator("main")).to_contain_text("耒阳某某环评咨询有限公司（浏览器测试）：已入驻")
    check(admin, shots, "05-review-listed", "入驻审核（已入驻）")

    anyone = new_page(browser, server, console)
    anyone.goto("/market/")
    link = anyone.get_by_role("link", name="耒阳某某环评咨询有限公司（浏览器测试）")
    expect(link).to_be_visible()
    check(anyone, shots, "06-home", "中介超市")
    link.click()
    expect(anyone.locator("main")).to_contain_text(CANYIN)
    expect(anyone.locator("main")).to_contain_text("HP-4304-0099")
    expect(anyone.locator("main")).to_contain_text("信用分 100.0")
    check(anyone, shots, "07-agency-public", "中介机构公开页")

    # --- 3. The owner posts a project, one mistake first --------------------------------------
    owner = new_page(browser, server, console)
    login(owner, "renshe")
    owner.goto("/staff/")
    owner.get_by_role("link", name="我的中介服务项目（发布、选取、验收、评价）").click()
    check(owner, shots, "08-owner-projects", "我的中介服务项目")
    owner.get_by_role("link", name="发布项目").click()
    owner.select_option("#id_service_type", label=SERVICE_TYPE)
    owner.fill("#id_title", "耒阳市就业服务中心改扩建环境影响评价（浏览器测试）")
    owner.fill("#id_budget", "60000")
    owner.fill("#id_requirements", "编制环境影响报告表\n并通过技术评审")
    owner.fill("#id_service_workdays", "15")
    owner.fill("#id_registration_closes", (today() - dt.timedelta(days=1)).isoformat())
    owner.get_by_label("随机抽取", exact=True).check()
    owner.get_by_role("button", name="发布").click()
    expect(owner.locator("#id_registration_closes_error")).to_contain_text("不能早于今天")
    console.take_expected(owner, "/market/projects/new/")
    expect(owner.locator("#id_title")).to_have_value("耒阳市就业服务中心改扩建环境影响评价（浏览器测试）")
    expect(owner.locator("#id_budget")).to_have_value("60000")
    expect(owner.locator("#id_requirements")).to_have_value("编制环境影响报告表\n并通过技术评审")
    expect(owner.locator("#id_service_workdays")).to_have_value("15")
    expect(owner.get_by_label("随机抽取", exact=True)).to_be_checked()
    check(owner, shots, "09-project-form-refused", "发布项目（报名截止日期有误）")
    owner.fill("#id_registration_closes", today().isoformat())
    with owner.expect_navigation():
        owner.get_by_role("button", name="发布").click()
    expect(owner.locator("main")).to_contain_text("报名中")
    number = owner.locator("dl.facts dd").first.inner_text().strip()
    assert number.startswith("ZJ"), number
    check(owner, shots, "10-project-open", "项目（报名中）")

    # --- 4. Three agencies register ------------------------------------------------------------
    page.goto("/market/my-agency/")
    page.get_by_role("link", name=f"{number} 耒阳市就业服务中心改扩建环境影响评价（浏览器测试）").click()
    move(page, "报名")
    expect(page.locator("main")).to_contain_text("报名：项目报名中")
    expect(page.locator("#my-registration")).to_contain_text(
        "本机构（耒阳某某环评咨询有限公司（浏览器测试））已于")
    check(page, shots, "11-registered", "项目（本机构已报名）")

    assert server.zhengwu("shell", "-c", ACCOUNTS).strip().endswith("ok")
    accounts = {CANYIN: (page, "canyin")}
    for width, (uscc, username) in zip((1280, 390), DEMO_AGENCIES.items(), strict=True):
        agency = new_page(browser, server, console, width=width)
        login(agency, username)
        agency.goto(f"/market/projects/{number}/")
        move(agency, "报名")
        expect(agency.locator("main")).to_contain_text("报名：项目报名中")
        expect(agency.locator("#my-registration")).to_contain_text("已于")
        accounts[uscc] = (agency, username)
    assert_fits(agency, shots, "market-12-registered-phone")
    owner.reload()
    expect(owner.locator("dl.facts")).to_contain_text("报名机构数3")

    # --- 5. The window closes; the draw is opened, committed and revealed ----------------------
    assert server.zhengwu("shell", "-c", CLOSE.format(number)).strip().endswith("1")
    owner.reload()
    move(owner, "随机抽取")
    expect(owner.locator("main")).to_contain_text("抽取中")
    draw_link = owner.locator("dl.facts").get_by_role("link", name="CQ", exact=False).first
    draw_number = draw_link.inner_text().strip()
    assert draw_number.startswith("CQ"), draw_number
    check(owner, shots, "13-project-drawing", "项目（抽取中）")

    owner.get_by_role("link", name="到抽取页提交承诺值或揭示随机数").click()
    expect(owner.locator("h1")).to_contain_text(draw_number)
    # The platform committed when the draw opened.
    expect(owner.locator("main")).to_contain_text("中介超市平台")
    owner.get_by_role("button", name="由本页生成随机数并提交承诺值").click()
    shown = owner.locator("#secret-shown .mono")
    expect(shown).to_be_visible()
    owner_secret = shown.inner_text().strip()
    assert len(owner_secret) == 64

    supervisor = new_page(browser, server, console, width=390)
    login(supervisor, "supervisor")
    supervisor.goto("/staff/")
    supervisor.get_by_role("link", name="中介服务项目（电子监察）").click()
    supervisor.get_by_role("link", name=number).click()
    expect(supervisor.locator("main")).to_contain_text("抽取中")
    supervisor.get_by_role("link", name="到抽取页提交承诺值或揭示随机数").click()
    supervisor.get_by_role("button", name="由本页生成随机数并提交承诺值").click()
    shown = supervisor.locator("#secret-shown .mono")
    expect(shown).to_be_visible()
    supervisor_secret = shown.inner_text().strip()
    supervisor.goto(f"/draws/{draw_number}/")
    expect(supervisor.locator("main")).to_contain_text("待揭示")
    assert_fits(supervisor, shots, "market-14-draw-revealing-phone")
    assert_accessible(supervisor, "抽取待揭示（手机）")
    supervisor.fill("#id_value", supervisor_secret)
    supervisor.get_by_role("button", name="揭示随机数").click()
    expect(supervisor.locator("main")).to_contain_text("已提交")

    owner.goto(f"/draws/{draw_number}/")
    owner.fill("#id_value", owner_secret)
    owner.get_by_role("button", name="揭示随机数").click()
    expect(owner.locator("main")).to_contain_text("抽取结果")
    check(owner, shots, "15-draw-result", "抽取结果")

    # --- 6. Recomputed outside the platform; the winner on the project page --------------------
    server.zhengwu("ledger", "checkpoint")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_draw.py"),
                             server.url, draw_number], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过 抽中" in result.stdout and "draw.result 在日志中" in result.stdout
    assert "不通过" not in result.stdout and "待定" not in result.stdout, result.stdout

    anyone.goto(f"/market/projects/{number}/")
    expect(anyone.locator("dl.facts")).to_contain_text("已选定")
    winner_link = anyone.locator("dl.facts a[href^='/market/agencies/']")
    href = winner_link.get_attribute("href") or ""
    winner = href.rstrip("/").rsplit("/", 1)[-1]
    assert winner in accounts, href
    # The winner's score before this project (a demo agency may carry another story's upheld
    # complaint: the stories share one server).
    anyone.goto(f"/market/agencies/{winner}/")
    found = re.search(r"信用分 (\d+\.\d)", anyone.locator("main").inner_text())
    assert found, "no 信用分 on the agency's page"
    score_before = float(found.group(1))
    anyone.goto(f"/market/projects/{number}/")
    assert f"通过 抽中 {winner}" in result.stdout, result.stdout  # the recomputed winner
    # The draw is over: nobody is asked to commit or reveal; each party is named once.
    expect(anyone.get_by_role("link", name="到抽取页提交承诺值或揭示随机数")).to_have_count(0)
    expect(anyone.get_by_role("link", name="抽取页：结果与复算方法")).to_be_visible()
    expect(anyone.locator("main")).not_to_contain_text("（电子监察）（电子监察）")
    check(anyone, shots, "16-project-selected", "项目（已选定，公开）")

    # --- 7. Contract, delivery, acceptance, payment, evaluation ---------------------------------
    owner.goto(f"/market/projects/{number}/")
    owner.fill("#contract-on", today().isoformat())
    owner.fill("#contract-amount", "90000")  # the mistake: above the budget
    move(owner, "登记合同")
    expect(owner.locator("#contract-amount-error")).to_contain_text("不超过预算")
    console.take_expected(owner, f"/market/projects/{number}/")
    expect(owner.locator("#contract-on")).to_have_value(today().isoformat())
    expect(owner.locator("#contract-amount")).to_have_value("90000")
    check(owner, shots, "17-contract-refused", "项目（合同金额有误）")
    owner.fill("#contract-amount", "58000")
    move(owner, "登记合同")
    expect(owner.locator("main")).to_contain_text("已签约")
    expect(owner.locator("dl.facts")).to_contain_text("58000")

    agency_page, _ = accounts[winner]
    agency_page.goto("/market/my-agency/")
    agency_page.get_by_role("link", name=f"{number} 耒阳市就业服务中心改扩建环境影响评价（浏览器测试）").click()
    move(agency_page, "交付服务成果")
    expect(agency_page.locator("main")).to_contain_text("已交付")
    check(agency_page, shots, "18-delivered", "项目（已交付，中选机构）")

    owner.reload()
    move(owner, "验收通过")
    expect(owner.locator("main")).to_contain_text("已验收")
    owner.fill("#pay-on", today().isoformat())
    move(owner, "登记付款")  # the mistake: no voucher number
    expect(owner.locator("#pay-reference-error")).to_contain_text("付款凭证号")
    console.take_expected(owner, f"/market/projects/{number}/")
    expect(owner.locator("#pay-on")).to_have_value(today().isoformat())
    owner.fill("#pay-reference", "LYCZ-2026-00871")
    move(owner, "登记付款")
    expect(owner.locator("main")).to_contain_text("已付款")

    for name, stars in (("quality", "5"), ("timeliness", "5"), ("attitude", "6")):
        owner.fill(f"#evaluate-{name}", stars)
    owner.fill("#evaluate-text", "报告质量高，按期交付。")
    move(owner, "评价")
    expect(owner.locator("#evaluate-attitude-error")).to_contain_text("1到5星")
    console.take_expected(owner, f"/market/projects/{number}/")
    expect(owner.locator("#evaluate-text")).to_have_value("报告质量高，按期交付。")
    expect(owner.locator("#evaluate-quality")).to_have_value("5")
    check(owner, shots, "19-evaluate-refused", "项目（评价星级有误）")
    owner.fill("#evaluate-attitude", "5")
    move(owner, "评价")
    expect(owner.locator("main")).to_contain_text("已评价")
    check(owner, shots, "20-project-evaluated", "项目（已评价）")

    # The agency's public page: the evaluation adds 2 × (5 − 3) = 4 (100 → 104.0 for a fresh one).
    anyone.goto(f"/market/agencies/{winner}/")
    expect(anyone.locator("main")).to_contain_text(f"信用分 {score_before + 4:.1f}")
    expect(anyone.locator("main table").first).not_to_contain_text("-0")
    expect(anyone.locator("main")).to_contain_text(number)
    check(anyone, shots, "21-agency-credit", "中介机构公开页（评价后）")
