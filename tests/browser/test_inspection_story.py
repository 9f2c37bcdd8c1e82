"""双随机一公开 walked in Chromium (issue 15, second "Done means": an inspection plan drawn
verifiably, its result published and in the log):

1. The platform has granted 食品经营许可证核发（新办） to three enterprises (history before the
   story, made by the shell: the case story walks a grant through the pages).
2. 王审核, an officer of 市市场监督管理局, registers three inspectors from the department's demo
   staff (one mistake: another department's account and a malformed 执法证号 — both refused
   beside their fields, nothing typed lost), and records 孙检查's conflict with 耒阳某某餐饮有限公司
   (a mistyped credit code refused first) and with the other two enterprises of the pool.
3. She drafts a 双随机 plan for the demo item LY-JG-001 (a share of 0% refused first),
   publishes it (the pool is fixed) and starts the targets' draw.
4. She and 电子监察 (on a phone) commit and reveal on /draws/<number>/: the target is drawn;
   then the same for the target's inspectors' draw (two of the register, 孙检查 excluded before
   the draw: the public count says 1, never who).
5. A drawn inspector records 责令整改 (no period given first: refused, kept), then the 复查.
6. The officer publishes the result: it is on 抽查结果公示 with its transparency-log entry,
   and `scripts/verify_draw.py` recomputes the targets' draw over HTTP.
Every page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import REPO, ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

CANYIN = "91430481MA4L00003J"
POOL = {CANYIN: "耒阳某某餐饮有限公司", "91430481MA4L01014X": "耒阳示例建材有限公司",
        "91430481MA4L010063": "耒阳示例机械制造有限公司"}
INSPECTORS = {"ZF0001": "jiancha1", "ZF0002": "jiancha2", "ZF0003": "jiancha3"}

# Grants made before the story: the target pool is the enterprises the platform granted one
# of the supervised items (docs/inspections.md). The case story walks a grant on the pages.
GRANTED = """
import json
from decimal import Decimal
from zhengwu.accounts.models import User
from zhengwu.cases.models import Case
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
impl = ItemImplementation.objects.get(item__name="食品经营许可证核发（新办）", level=4)
canyin, now = User.objects.get(username="canyin"), clock.now()
for n, (uscc, name) in enumerate(json.loads('''%s''').items(), start=1):
    Case.objects.create(
        number=f"BT-JG-{n:04d}", implementation=impl, item_version=1,
        department=impl.department, region=impl.region, accepting_region=impl.region,
        applicant=canyin, submitted_by=canyin, applicant_kind="enterprise",
        applicant_name=name, applicant_id_number=uscc, applicant_phone="13800000002",
        channel="online", status="decided", promised_workdays=Decimal(10), submitted_at=now,
        decision="granted", decided_at=now)
print("ok")
"""


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


def commit_and_reveal(officer: Page, supervisor: Page, number: str, shots: Path,
                      name: str) -> None:
    """Both parties let the draw page make their secret, commit, then reveal it."""
    secrets: list[tuple[Page, str]] = []
    for party in (officer, supervisor):
        party.goto(f"/draws/{number}/")
        expect(party.locator("h1")).to_contain_text(number)
        party.get_by_role("button", name="由本页生成随机数并提交承诺值").click()
        shown = party.locator("#secret-shown .mono")
        expect(shown).to_be_visible()
        secrets.append((party, shown.inner_text().strip()))
    for party, secret in secrets:
        party.goto(f"/draws/{number}/")
        party.fill("#id_value", secret)
        party.get_by_role("button", name="揭示随机数").click()
        expect(party.locator("main")).to_contain_text("已提交")
    officer.goto(f"/draws/{number}/")
    expect(officer.locator("main")).to_contain_text("抽取结果")
    officer.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_a_plan_is_drawn_inspected_and_published(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    out = server.zhengwu("shell", "-c", GRANTED % json.dumps(POOL, ensure_ascii=False))
    assert out.strip().endswith("ok")

    # 2. The officer registers inspectors from the workbench; one mistake first.
    officer = page
    login(officer, "reviewer")
    officer.goto("/staff/")
    officer.get_by_role("link", name="执法检查人员名录库（回避申报）").click()
    expect(officer.locator("h1")).to_have_text("执法检查人员名录库")
    officer.get_by_role("link", name="登记执法检查人员").click()
    officer.fill("#id_username", "renshe")
    officer.fill("#id_certificate", "ZF-0001")
    officer.get_by_role("button", name="登记入库").click()
    expect(officer.locator("#id_username_error")).to_contain_text("没有该工作人员账号")
    expect(officer.locator("#id_certificate_error")).to_contain_text("字母或数字")
    expect(officer.locator("#id_username")).to_have_value("renshe")
    expect(officer.locator("#id_certificate")).to_have_value("ZF-0001")
    console.take_expected(officer, "/inspections/staff/inspectors/new/")
    check(officer, shots, "inspection-inspector-refused", "登记执法检查人员（有误）")
    for certificate, username in INSPECTORS.items():
        if officer.url.rstrip("/").endswith("/inspectors"):
            officer.get_by_role("link", name="登记执法检查人员").click()
        officer.fill("#id_username", username)
        officer.fill("#id_certificate", certificate)
        officer.get_by_role("button", name="登记入库").click()
        expect(officer.locator("main")).to_contain_text(f"已将执法证号 {certificate} 登记入库")
    for name in ("孙检查", "马检查", "胡检查"):
        expect(officer.locator("main table")).to_contain_text(name)

    # The conflict: 孙检查 once worked for the restaurant; a mistyped credit code first.
    officer.get_by_role("link", name="申报回避").click()
    officer.select_option("#id_certificate", "ZF0001")
    officer.fill("#id_uscc", CANYIN[:-1] + "K")
    officer.select_option("#id_reason", label="曾在该企业任职")
    officer.fill("#id_note", "2024年前在该企业任食品安全管理员（示例）")
    officer.get_by_role("button").filter(has_text="申报").last.click()
    expect(officer.locator("#id_uscc_error")).to_contain_text("统一社会信用代码有误")
    expect(officer.locator("#id_uscc")).to_have_value(CANYIN[:-1] + "K")
    expect(officer.locator("#id_note")).to_have_value("2024年前在该企业任食品安全管理员（示例）")
    expect(officer.locator("#id_certificate")).to_have_value("ZF0001")
    console.take_expected(officer, "/inspections/staff/conflicts/new/")
    check(officer, shots, "inspection-conflict-refused", "申报回避（有误）")
    officer.fill("#id_uscc", CANYIN)
    officer.get_by_role("button").filter(has_text="申报").last.click()
    expect(officer.locator("main")).to_contain_text("已登记回避申报")
    expect(officer.locator("main table")).to_contain_text(f"{CANYIN}（曾在该企业任职）")
    # His relatives hold shares in the other two: whichever is drawn, he is excluded first.
    for uscc in list(POOL)[1:]:
        officer.get_by_role("link", name="申报回避").click()
        officer.select_option("#id_certificate", "ZF0001")
        officer.fill("#id_uscc", uscc)
        officer.select_option("#id_reason", label="近亲属在该企业任职或持股")
        officer.get_by_role("button").filter(has_text="申报").last.click()
        expect(officer.locator("main")).to_contain_text("已登记回避申报")
    check(officer, shots, "inspection-inspectors", "执法检查人员名录库")

    # 3. The plan: drafted (a share of 0% refused first), published, drawn.
    officer.goto("/staff/")
    officer.get_by_role("link", name="双随机抽查计划与结果公示").click()
    officer.get_by_role("link", name="拟定抽查计划").click()
    officer.fill("#id_name", "2026年第四季度食品经营许可后双随机抽查（示例）")
    officer.select_option("#id_item", "LY-JG-001")
    officer.fill("#id_region_prefix", "430481")
    officer.fill("#id_percent", "0")
    officer.fill("#id_due_workdays", "10")
    officer.locator("main form button[type=submit]").click()
    expect(officer.locator("#id_percent_error")).to_be_visible()
    expect(officer.locator("#id_name")).to_have_value("2026年第四季度食品经营许可后双随机抽查（示例）")
    expect(officer.locator("#id_region_prefix")).to_have_value("430481")
    expect(officer.locator("#id_due_workdays")).to_have_value("10")
    expect(officer.locator("#id_item")).to_have_value("LY-JG-001")
    console.take_expected(officer, "/inspections/staff/plans/new/")
    check(officer, shots, "inspection-plan-refused", "拟定抽查计划（有误）")
    officer.fill("#id_percent", "30")
    officer.locator("main form button[type=submit]").click()
    expect(officer.locator("main")).to_contain_text("公布后方可抽取")
    plan = re.search(r"(\S+) 2026年第四季度", officer.locator("h1").inner_text())
    assert plan is not None
    plan_number = plan.group(1)
    officer.get_by_role("button", name="公布计划（固定名录）").click()
    expect(officer.locator("main")).to_contain_text("名录 3 户，抽取 1 户")
    officer.get_by_role("button", name="发起抽取检查对象").click()
    expect(officer.locator("main")).to_contain_text("已发起抽取")
    check(officer, shots, "inspection-plan-drawing", "抽查计划（抽取中）")
    target_draw = officer.locator("main p", has_text="抽取对象").get_by_role("link").inner_text()

    # 4. The targets' draw, then the target's inspectors' draw, committed and revealed.
    supervisor = new_page(browser, server, console, width=390)
    login(supervisor, "supervisor")
    commit_and_reveal(officer, supervisor, target_draw, shots, "inspection-target-drawn")
    target = next(uscc for uscc in POOL if uscc in officer.locator("main").inner_text()
                  .split("抽取结果", 1)[1].split("候选名单", 1)[0])
    supervisor.goto(f"/draws/{target_draw}/")
    assert_fits(supervisor, shots, "inspection-target-draw-phone")
    officer.goto(f"/inspections/staff/plans/{plan_number}/")
    row = officer.locator("main table tbody tr", has_text=target)
    expect(row).to_contain_text("待抽取检查人员")
    expect(row.locator("td[data-label=回避人数]")).to_have_text("1")
    inspector_draw = row.get_by_role("link").inner_text()
    commit_and_reveal(officer, supervisor, inspector_draw, shots, "inspection-inspectors-drawn")
    officer.goto(f"/inspections/staff/plans/{plan_number}/")
    row = officer.locator("main table tbody tr", has_text=target)
    expect(row).to_contain_text("待检查")
    drawn = re.findall(r"ZF\d{4}", row.locator("td[data-label=检查人员]").inner_text())
    assert sorted(drawn) == ["ZF0002", "ZF0003"], drawn  # two of the three, ZF0001 excluded
    check(officer, shots, "inspection-plan-drawn", "抽查计划（已抽取）")

    # 5. A drawn inspector records 责令整改 (the period forgotten first), then the 复查.
    inspector = new_page(browser, server, console)
    login(inspector, INSPECTORS[drawn[0]])
    inspector.goto("/staff/")
    inspector.get_by_role("link", name="我的检查任务").click()
    check(inspector, shots, "inspection-mine", "我的检查任务")
    inspector.get_by_role("link", name="记录检查结果").click()
    inspector.select_option("#id_result", label="责令整改")
    inspector.fill("#id_findings", "冷藏柜温度记录缺失两日；从业人员健康证一人过期（示例）")
    inspector.locator("main form button[type=submit]").click()
    expect(inspector.locator("#id_rectify_workdays_error")).to_contain_text("整改期限")
    expect(inspector.locator("#id_findings")).to_have_value(
        "冷藏柜温度记录缺失两日；从业人员健康证一人过期（示例）")
    expect(inspector.locator("#id_result")).to_have_value("rectify")
    console.take_expected(inspector, "/result/")
    check(inspector, shots, "inspection-result-refused", "记录检查结果（有误）")
    inspector.fill("#id_rectify_workdays", "5")
    inspector.locator("main form button[type=submit]").click()
    expect(inspector.locator("main")).to_contain_text("已记录")
    inspector.get_by_role("link", name="记录复查").click()
    inspector.fill("#id_findings", "温度记录已补齐，健康证已更新（示例）")
    inspector.get_by_label("整改到位").check()  # 逾期未改正 would make a 失信记录
    check(inspector, shots, "inspection-recheck", "记录复查")
    inspector.locator("main form button[type=submit]").click()
    expect(inspector.locator("main")).to_contain_text("已记录")
    expect(inspector.locator("main table")).to_contain_text("已复查")

    # 6. The officer publishes the result: public, with its log entry; the draw recomputed.
    officer.goto(f"/inspections/staff/plans/{plan_number}/")
    officer.get_by_role("button", name="公示结果").click()
    expect(officer.locator("main")).to_contain_text("检查结果已公示并写入透明日志")
    anyone = new_page(browser, server, console)
    anyone.goto("/inspections/results/")
    expect(anyone.locator("h1")).to_have_text("双随机抽查结果公示")
    result = anyone.locator("main table tbody tr", has_text=target)
    expect(result).to_contain_text(POOL[target])
    expect(result).to_contain_text("责令整改")
    entry = result.locator("td[data-label=透明日志序号]").get_by_role("link")
    check(anyone, shots, "inspection-results", "抽查结果公示")
    href = entry.get_attribute("href")
    assert href and re.fullmatch(r"/api/v1/ledger/entries/\d+", href), href
    response = anyone.request.get(href)
    assert response.ok, response.text()
    shown = response.json()
    logged = json.loads(base64.b64decode(shown["entry"]))
    assert logged["kind"] == "inspection.result", logged
    assert logged["data"]["uscc"] == target and logged["data"]["plan"] == plan_number
    assert "孙检查" not in json.dumps(logged, ensure_ascii=False)

    anyone.goto("/inspections/plans/")
    expect(anyone.locator("main")).to_contain_text(plan_number)
    check(anyone, shots, "inspection-plans-public", "抽查计划公示")

    server.zhengwu("ledger", "checkpoint")
    verified = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_draw.py"),
                               server.url, target_draw], capture_output=True, text=True,
                              timeout=60, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "通过 抽中" in verified.stdout and target in verified.stdout
    assert_accessible(anyone, "抽查计划公示")
