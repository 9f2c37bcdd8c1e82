"""Issue 4's demo story in Chromium: 企业开办一件事 (LY-QYKB) from the guide to one delivery, on
the real platform with the Leiyang demo pack and a frozen clock.

An entrepreneur reads the guide, applies in three steps (情形引导 → 一张表单 → 提交材料并确认:
three questions answered yes, one form, at most six materials uploaded once; the first
submit forgets the confirmation and the chosen files are kept for the second), and gets one
bundle case with one member case per applicable item (six for 企业开办). The window clerk accepts the bundle at 一件事综合窗口; the
registration appears first in 市市场监督管理局's 审批待办, the six others once it is granted;
each department decides on the ordinary case page (two people per department: 承办 and 审核
are passed by different people). The applicant then sees one delivery on the one progress
view, and the supervisor sees 企业开办's plan limits met on /bundles/staff/kpis/.

The server runs with ZHENGWU_NOW frozen on a working-day morning, so every step happens "at"
Tuesday 2026-12-01 09:00 Beijing time and the whole bundle finishes inside its one working
day. Departments' demo reviewers missing from the pack's people.csv, and a second person per
department, are created with `zhengwu shell -c` before the story starts. Every page visited
must log no console error and no CSP violation. Screenshots go to ZHENGWU_SHOTS_DIR.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect
from pypdf import PdfWriter

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import (
    REPO,
    ZHENGWU,
    ConsoleLog,
    Server,
    _free_port,
    _run,
    _stop,
    _wait_healthy,
    login,
)
from tests.browser.item_forms import fill_rendered_form

pytestmark = pytest.mark.browser

NOW = "2026-12-01T09:00:00+08:00"  # a Tuesday, a working day
CODE = "LY-QYKB"
NAME = "企业开办一件事"
REGISTRATION = "市市场监督管理局"
# The demo reviewer of each 企业开办 department (packs/leiyang/people.csv) and a second person.
REVIEWERS = {"市市场监督管理局": ("reviewer", "chief"), "市公安局": ("gongan", "gongan2"),
             "市税务局": ("shuiwu", "shuiwu2"), "市人社局": ("renshe", "renshe2"),
             "公积金耒阳管理部": ("gongjijin", "gongjijin2"),
             "人民银行耒阳支行": ("yinhang", "yinhang2")}
SETUP = """
import json
from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.departments.models import Department
reviewers = json.loads({reviewers!r})
names = {{}}
for short_name, usernames in reviewers.items():
    department = Department.objects.get(short_name=short_name)
    for username in usernames:
        if not User.objects.filter(username=username).exists():
            user = user_create(username=username, password={password!r}, kind=UserKind.STAFF,
                               display_name=short_name + "审查员")
            role_assign(user=user, role=Role.REVIEWER, department=department)
    names[short_name] = department.name
print("SETUP" + json.dumps({{"applicant": "chuangye", "departments": names}}))
"""
# The bundle's own form: the applicant's fields and what only the bundle asks.
COMPANY = {"applicant_name": "孙创业", "id_number": "430481199003154613",
           "phone": "13800000018", "address": "耒阳市蔡子池街道五一路8号",
           "employee_count": "5"}
# The company's facts, asked once, in the members' one form (the bundle's fields standing for
# them, bundle_fields.csv `meaning`, are not asked again); 注册资本 in 元.
FACTS = {"a.name": "耒阳市创业科技有限公司", "a.legal_rep_name": "孙创业",
         "a.legal_rep_id": "430481199003154613", "a.registered_capital": "1000000",
         "a.business_scope": "软件开发；信息技术咨询服务"}


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


@pytest.fixture(scope="module")
def frozen() -> Iterator[Server]:
    """`zhengwu serve` on its own fresh data, with the clock frozen at NOW."""
    if not ZHENGWU.exists():
        pytest.fail(f"{ZHENGWU} is missing: run `make setup` first")
    data_dir = Path(tempfile.mkdtemp(prefix="zhengwu-bundle-story-"))
    log = data_dir / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items()
           if key != "DATABASE_URL" and not key.startswith(("DJANGO_", "ZHENGWU_"))}
    env.update({"ZHENGWU_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "ZHENGWU_PUBLIC_URL": url, "ZHENGWU_NOW": NOW, "PYTHONUNBUFFERED": "1",
                # DEBUG is off under dev settings too: the frozen clock must be asked for.
                "ZHENGWU_ALLOW_FROZEN_CLOCK": "1"})
    if os.environ.get("ZHENGWU_PACK"):  # another data pack than the default one, if asked
        env["ZHENGWU_PACK"] = os.environ["ZHENGWU_PACK"]
    proc: subprocess.Popen[bytes] | None = None
    try:
        _run(["migrate", "--noinput", "-v0"], env, log)
        _run(["collectstatic", "--noinput", "-v0"], env, log)
        _run(["demo"], env, log)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [str(ZHENGWU), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        _wait_healthy(url, proc, log, timeout=60)
        yield Server(url=url, data_dir=data_dir, log=log, env=dict(env))
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def person(browser: Browser, frozen: Server,
           console: ConsoleLog) -> Iterator[Callable[..., Page]]:
    """A page signed in as `username` (or anonymous), each in its own browser context."""
    made: list[BrowserContext] = []

    def make(username: str = "", *, javascript: bool = True) -> Page:
        ctx = browser.new_context(base_url=frozen.url, locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
        ctx.set_default_timeout(15_000)
        ctx.on("page", console.watch)
        made.append(ctx)
        page = ctx.new_page()
        if username:
            login(page, username)
        return page

    try:
        yield make
    finally:
        for ctx in made:
            ctx.close()
    assert not console.problems, "console errors / CSP violations:\n" + "\n".join(
        console.problems)


def decide_on_case_page(first: Page, second: Page, number: str) -> None:
    """承办 by one person, 审核 by another, then 准予 — with the case page's own buttons."""
    for page, button, then in ((first, "承办通过，送审核", "审核"),
                               (second, "审核通过，送批准", "批准")):
        page.goto(f"/cases/{number}/")
        page.locator("#case form.move-review_pass").get_by_role("button", name=button).click()
        expect(page.locator("#case .step.current")).to_have_text(then)  # htmx swapped #case
    first.goto(f"/cases/{number}/")
    grant = first.locator("#case form.move-grant")
    # Named after the item's result document (cases.results): 作出准予行政许可决定,
    # 作出予以备案决定, 作出准予办理决定.
    grant.get_by_role("button", name=re.compile(r"^作出(准予|予以).*决定$")).click()
    expect(first.locator("#case p.meta .badge", has_text="准予").first).to_be_visible()


def assert_radios_unstretched(page: Page) -> None:
    """是/否 and choice radios keep their own size (site.css widens text inputs only)."""
    radios = page.locator("#wizard input[type=radio]")
    assert radios.count() > 0
    for i in range(radios.count()):
        box = radios.nth(i).bounding_box()
        assert box is not None and box["width"] < 40, (i, box)


def member_cases(page: Page) -> dict[str, str]:
    """Department name → member case number, from the progress view's table."""
    rows = page.locator("#bundle-case table.members tbody tr")
    found = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        department = row.locator("td[data-label=承办部门]").inner_text().strip()
        found[department] = row.locator("td[data-label=办件状态及结果] a.mono").inner_text()
    return found


def test_qykb_from_the_guide_to_one_delivery_in_one_working_day(
        person: Callable[..., Page], frozen: Server, shots: Path) -> None:
    output = frozen.zhengwu("shell", "-c", SETUP.format(
        reviewers=json.dumps(REVIEWERS, ensure_ascii=False), password="demo-2026"))
    setup = json.loads(output.split("SETUP", 1)[1])
    departments: dict[str, str] = setup["departments"]  # short name → full name

    # --- the guide, as anyone sees it ----------------------------------------------------------
    visitor = person()
    visitor.goto("/")
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="一件事一次办", exact=True).click()
    visitor.get_by_label("一件事名称或主题").fill("企业开办")
    visitor.get_by_role("button", name="查找").click()  # htmx swaps the results
    result = visitor.locator("#bundle-results h2 a", has_text=NAME)
    expect(result).to_have_count(1)
    with visitor.expect_navigation():
        result.click()
    expect(visitor.locator("h1")).to_have_text(NAME)
    expect(visitor.locator("main")).to_contain_text("受理后 1 个工作日内全部办结")
    counts = visitor.locator("main p", has_text="各事项分别办理需提交")
    expect(counts).to_contain_text(re.compile(
        r"各事项分别办理需提交 \d+ 份，一件事一次采集 [1-6] 份；\d+ 份电子证照/共享数据免提交"))
    expect(visitor.locator(".cards .card")).to_have_count(8)
    items = visitor.locator("table.members tbody tr").count()  # all apply when all is yes
    qr = visitor.locator("img[alt=打开本一件事办事指南的二维码]")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    pdf = visitor.request.get(f"/bundles/{CODE}/notice.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    shot(visitor, shots, "30-bundle-guide")

    # --- without JavaScript the wizard still moves on, one POST per step ------------------------
    plain = person(setup["applicant"], javascript=False)
    plain.goto(f"/bundles/{CODE}/apply/")
    for question in ("是否需要刻制印章", "是否申领发票", "是否招用员工"):
        plain.get_by_role("group", name=re.compile(question)).get_by_label("是").check()
    with plain.expect_navigation():
        plain.get_by_role("button", name="下一步：填写一张表单").click()
    expect(plain.locator("#step-title")).to_have_text("第2步/共3步：填写一张表单")

    # --- the entrepreneur applies in three steps ---------------------------------------------
    applicant = person(setup["applicant"])
    applicant.goto(f"/bundles/{CODE}/")
    with applicant.expect_navigation():
        applicant.get_by_role("link", name="在线申请", exact=True).click()
    title = applicant.locator("#step-title")
    # Another browser of the same account resumes the draft at the step reached without
    # JavaScript (bundles.drafts); 放弃草稿 starts afresh.
    expect(title).to_have_text("第2步/共3步：填写一张表单")
    expect(applicant.locator("#draft-notice")).to_contain_text("已恢复您于")
    # 放弃草稿 asks for a confirmation first (the box is `required`, checked again server-side).
    applicant.get_by_role("checkbox", name=re.compile("确认放弃草稿")).check()
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="放弃草稿，重新填写").click()
    steps_seen = [title.inner_text()]
    expect(title).to_have_text("第1步/共3步：情形引导")
    summary = applicant.locator("#summary")
    for question in ("是否需要刻制印章", "是否申领发票", "是否招用员工"):
        group = applicant.get_by_role("group", name=re.compile(question))
        group.get_by_label("是").check()  # htmx swaps the question block and the summary
        expect(group.get_by_label("是")).to_be_checked()
    expect(summary).to_contain_text(f"共 {items} 项")
    expect(summary).to_contain_text("承诺 1 个工作日内全部办结")
    shot(applicant, shots, "31-wizard-step1")
    applicant.get_by_role("button", name="下一步：填写一张表单").click()
    expect(title).to_have_text("第2步/共3步：填写一张表单")
    steps_seen.append(title.inner_text())
    for key, value in COMPANY.items():
        applicant.locator(f"#id_f_{key}").fill(value)
    # The members' own forms as one (their union through maps_to): a shared field once, and
    # the bundle's own form does not ask the company's facts again.
    for key in ("company_name", "legal_representative", "legal_rep_id_number",
                "registered_capital", "business_scope"):
        expect(applicant.locator(f"#id_f_{key}")).to_have_count(0)
    for name, value in FACTS.items():
        applicant.locator(f"#wizard [name='{name}']").fill(value)
    expect(applicant.locator("#wizard")).to_contain_text("法定代表人")
    fill_rendered_form(applicant, "#wizard")
    assert_radios_unstretched(applicant)
    shot(applicant, shots, "32-wizard-step2")
    applicant.set_viewport_size({"width": 390, "height": 844})
    assert_radios_unstretched(applicant)
    shot(applicant, shots, "32-wizard-step2-390")
    applicant.set_viewport_size({"width": 1280, "height": 900})
    applicant.get_by_role("button", name="下一步：提交材料并确认").click()
    expect(title).to_have_text("第3步/共3步：提交材料并确认")
    steps_seen.append(title.inner_text())
    # The confirmation shows each fact once, in one unit.
    confirmation = applicant.locator("#wizard").inner_text()
    assert confirmation.count("注册资本") == 1 and "万元" not in confirmation, confirmation
    # Back one step and forward again: what was typed is kept.
    applicant.get_by_role("button", name="上一步").click()
    expect(title).to_have_text("第2步/共3步：填写一张表单")
    expect(applicant.locator("#wizard [name='a.name']")).to_have_value(FACTS["a.name"])
    applicant.get_by_role("button", name="下一步：提交材料并确认").click()
    expect(title).to_have_text("第3步/共3步：提交材料并确认")
    files = applicant.locator("#wizard input[type=file]")
    assert 1 <= files.count() <= 6, files.count()
    for i in range(files.count()):
        files.nth(i).set_input_files(pdf_file(f"material-{i + 1}.pdf"))
    expect(applicant.locator("#wizard")).to_contain_text("免提交，系统自动调取")
    expect(applicant.get_by_role("radio", name=re.compile("^电子送达"))).to_be_checked()
    # Submitted without the confirmation (htmx swaps the wizard): refused, the files are kept.
    chosen = files.count()
    applicant.get_by_role("button", name="提交申请").click()
    expect(applicant.locator("#wizard .error-summary")).to_contain_text(
        f"已保留您选择的 {chosen} 个文件")
    kept = applicant.locator("#wizard .kept")
    expect(kept).to_have_count(chosen)
    expect(kept.first).to_contain_text("已保留：material-1.pdf")
    assert_accessible_at_widths(applicant, "一件事第3步（有错误，文件已保留）")
    applicant.get_by_role("checkbox", name=re.compile("^我确认所填信息真实")).check()
    shot(applicant, shots, "33-wizard-step3")
    with applicant.expect_navigation(url=re.compile(r"/bundles/cases/YJ\d+/$")):
        applicant.get_by_role("button", name="提交申请").click()
    assert len(steps_seen) == 3 and all("共3步" in s for s in steps_seen), steps_seen
    heading = applicant.locator("#case-title")
    expect(heading).to_have_text(re.compile(r"^一件事 YJ\d{20}$"))
    number = heading.inner_text().split()[-1]
    expect(applicant.locator("#bundle-case p.meta .badge").first).to_have_text("待受理")
    members = member_cases(applicant)
    assert len(members) == items, members
    by_name = {departments[short]: short for short in REVIEWERS}
    assert set(members) <= set(by_name), f"no demo reviewers for {set(members) - set(by_name)}"
    shot(applicant, shots, "34-bundle-submitted")

    # --- the window clerk accepts the whole bundle once ------------------------------------------
    clerk = person("clerk")
    clerk.goto("/bundles/staff/window/")
    item = clerk.locator(f"article#b-{number}")
    expect(item).to_have_count(1)
    with clerk.expect_navigation():
        item.locator("form.move-accept button").click()
    applicant.reload()
    expect(applicant.locator("#bundle-case p.meta .badge").first).to_have_text("并联办理中")
    expect(applicant.locator("#bundle-case table.members")).to_contain_text("等待前置事项")
    expect(applicant.locator("#bundle-case dt:text-is('办结期限') + dd")).to_contain_text(
        "2026-12-02")
    shot(applicant, shots, "35-bundle-accepted")

    # --- each department decides its member case on the ordinary case page -------------------
    registration = members[departments[REGISTRATION]]
    first, second = (person(u) for u in REVIEWERS[REGISTRATION])
    first.goto("/cases/staff/todo/")
    expect(first.locator("main a.mono", has_text=registration)).to_have_count(1)
    decide_on_case_page(first, second, registration)
    for department, number_here in members.items():
        short_name = by_name[department]
        if short_name == REGISTRATION:
            continue
        first, second = (person(u) for u in REVIEWERS[short_name])
        first.goto("/cases/staff/todo/")  # started once the registration was granted
        expect(first.locator("main a.mono", has_text=number_here)).to_have_count(1)
        decide_on_case_page(first, second, number_here)

    # --- the applicant sees one delivery -----------------------------------------------------
    applicant.goto(f"/bundles/cases/{number}/")
    expect(applicant.locator("#bundle-case p.meta .badge").first).to_have_text("已送达")
    delivered = applicant.locator("#bundle-case p.notice", has_text="办理结果已一次送达")
    expect(delivered).to_contain_text("电子送达")
    expect(delivered).to_contain_text("全部准予")
    expect(applicant.locator("#bundle-case .badge", has_text="按时办结")).to_have_count(1)
    expect(applicant.locator("#bundle-case a", has_text="一件事办结通知书（PDF）")).to_have_count(1)
    expect(applicant.locator("#bundle-case .timeline li strong").filter(
        has_text=re.compile("^送达$"))).to_have_count(1)  # one delivery for every member
    shot(applicant, shots, "36-bundle-delivered")
    notice = applicant.locator("#bundle-case a", has_text="一件事办结通知书（PDF）")
    response = applicant.request.get(str(notice.get_attribute("href")))
    assert response.ok and response.body().startswith(b"%PDF-")
    assert_accessible_at_widths(applicant, "一件事办件页（已送达）")

    # --- 我的空间: the 一件事 is one row with its overall status, its members under it -----------
    applicant.goto("/my/")
    expect(applicant.locator("h1")).to_have_text("我的空间")
    row = applicant.locator("#my-cases tr.bundle-row", has_text=number)
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label=状态] .badge").first).to_have_text("已送达")
    expect(row.locator("details.members li")).to_have_count(items)
    for member_number in members.values():  # no row and no link of their own
        expect(applicant.locator(f"#my-cases a[href='/cases/{member_number}/']")).to_have_count(0)
    shot(applicant, shots, "38-my-space")
    assert_accessible_at_widths(applicant, "我的空间")
    applicant.goto("/my/accesses/")
    expect(applicant.locator("main table.grid tbody tr").first).to_be_visible()
    assert_accessible_at_widths(applicant, "谁查看过我的办件")

    # --- the supervisor sees 企业开办's plan limits met ------------------------------------------
    supervisor = person("supervisor")
    supervisor.goto("/bundles/staff/kpis/")
    limits = supervisor.locator(f"section[aria-labelledby=limits-{CODE}]")
    expect(limits.locator("h2 .badge")).to_have_text("全部达标")
    expect(limits.locator(".badge.bad")).to_have_count(0)
    shot(supervisor, shots, "37-bundle-kpis")
