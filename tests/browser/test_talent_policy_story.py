"""人才住房补贴 (persons as subjects of a benefit) walked in Chromium (issue 14 §1):

1. 市人社局's reviewer (李人社) opens the illustrative 人才住房补贴（示例） from the workbench:
   the persons eligible today (张三, 钱七; not 李四, too old, nor 王五, who owns a home, nor
   赵六, whose facts are missing) with their ID numbers masked, never whole.
2. She asks for the whole numbers (to pay): shown, and said to be recorded. She prepares the
   免申即享 list; a colleague must confirm it, and she is offered no 复核确认.
3. Her 首席代表 (李首席), on a phone (390 px), confirms it (four-eyes).
4. 张三 reads in 我能享受的政策 the grant he never applied for, why, condition by condition,
   and who looked at his ID number — 李人社 whole (完整号码 是) — at desktop and phone
   width, axe-core clean, nothing wider than the screen; no enterprise's benefit there.
5. 电子监察 reads the list masked and is offered no whole number; 张三 sees that read too.

Screenshots go to ZHENGWU_SHOTS_DIR (the `shots` fixture) as talent-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

CODE = "RC-ZF-2026"
NAME = "人才住房补贴（示例）"
STAFF_URL = f"/policies/staff/{CODE}/"
ZHANGSAN = "43048119900101123X"
ZHANGSAN_MASKED = "430***********123X"
QIANQI = "430481198811304056"
UNMASK = "显示完整身份证号码（兑现拨付用，将记录）"
UNMASK_PURPOSE = "查看完整身份证号码（兑现拨付）"
DEPARTMENT = "耒阳市人力资源和社会保障局"  # 市人社局


def _reads(page: Page) -> Locator:
    """The table under 谁查看了我的信息 on 我能享受的政策."""
    return page.locator("h2:has-text('谁查看了我的信息') ~ table").first


def _read_rows(page: Page, who: str) -> Locator:
    return _reads(page).locator("tbody tr").filter(has_text=who)


def test_a_talent_subsidy_is_granted_with_ids_masked_and_every_look_shown_to_the_person(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    # 1. 李人社 opens the benefit from the workbench: masked numbers only.
    login(page, "renshe")
    page.goto("/staff/")
    page.get_by_role("link", name="惠企政策兑现（免申即享名单、复核、拨付）").click()
    page.get_by_role("link", name=NAME).click()
    expect(page.locator("h1")).to_have_text(NAME)
    main = page.locator("main")
    expect(main).to_contain_text("适用于个人")
    expect(main).to_contain_text("今日符合条件的个人（2）")
    expect(main).to_contain_text("张三")
    expect(main).to_contain_text("钱七")
    expect(main).to_contain_text(ZHANGSAN_MASKED)
    expect(main).not_to_contain_text(ZHANGSAN)
    expect(main).not_to_contain_text(QIANQI)
    for other in ("李四", "王五", "赵六"):  # too old, owns a home, facts missing
        expect(main).not_to_contain_text(other)
    expect(main).to_contain_text("符合：年龄未满40周岁")
    assert_accessible(page, "人才住房补贴（部门，隐去号码）")
    page.screenshot(path=str(shots / "talent-staff-masked.png"), full_page=True)

    # 2. She asks for the whole numbers, then prepares the list; confirming is not hers.
    page.get_by_role("button", name=UNMASK).click()
    expect(main).to_contain_text(ZHANGSAN)
    expect(main).to_contain_text(QIANQI)
    expect(main).to_contain_text("当前显示完整号码（已记录）")
    expect(page.get_by_role("button", name=UNMASK)).to_have_count(0)
    assert_accessible(page, "人才住房补贴（部门，完整号码）")
    page.screenshot(path=str(shots / "talent-staff-unmasked.png"), full_page=True)
    page.get_by_role("button", name="拟定免申即享名单").click()
    expect(main).to_contain_text("待复核")
    expect(main).to_contain_text("须由本部门其他工作人员复核确认")
    expect(page.get_by_role("button", name="复核确认")).to_have_count(0)
    # Back on the page after the redirect: masked again, the unmask button offered again.
    expect(main).to_contain_text(ZHANGSAN_MASKED)
    expect(main).not_to_contain_text(ZHANGSAN)
    expect(page.get_by_role("button", name=UNMASK)).to_have_count(1)
    page.screenshot(path=str(shots / "talent-prepared.png"), full_page=True)

    # 3. Her 首席代表 confirms on a phone.
    chief = new_page(browser, server, console, width=390)
    login(chief, "chief_renshe")
    chief.goto(STAFF_URL)
    chief.get_by_role("button", name="复核确认").click()
    expect(chief.locator("main")).to_contain_text("已确认")
    expect(chief.locator("main")).to_contain_text(ZHANGSAN_MASKED)
    expect(chief.locator("main")).not_to_contain_text(ZHANGSAN)
    assert_fits(chief, shots, "talent-confirmed-phone")
    assert_accessible(chief, "名单已确认（手机）")

    # 4. 张三 reads the grant, why, and who looked at his number.
    person = new_page(browser, server, console)
    login(person, "zhangsan")
    person.goto("/")
    # A person finds it in 我的空间 (政策兑现), as in every page's footer.
    expect(person.get_by_role("contentinfo").get_by_role("link", name="我能享受的政策")) \
        .to_be_visible()
    person.get_by_role("link", name="我的空间").click()
    expect(person.locator("main")).to_contain_text(f"{NAME}（免申即享）")
    person.screenshot(path=str(shots / "talent-my-space.png"), full_page=True)
    person.locator("#my-policies").get_by_role("link", name="我能享受的政策").click()
    expect(person.locator("h1")).to_have_text("我能享受的政策")
    pmain = person.locator("main")
    granted = pmain.locator("h2:has-text('已兑现') + table")
    expect(granted).to_contain_text(NAME)
    expect(granted).to_contain_text(DEPARTMENT)
    expect(granted).to_contain_text("20000")
    expect(granted).to_contain_text("待拨付")
    expect(pmain).to_contain_text("符合：经认定的A至E类人才")
    expect(pmain).to_contain_text("符合：本人在本市无自有住房")
    expect(pmain).not_to_contain_text("失业保险稳岗返还")  # an enterprise's benefit
    whole = _read_rows(person, "李人社").filter(has_text=UNMASK_PURPOSE)
    expect(whole).to_have_count(1)
    expect(whole.locator("td[data-label='部门']")).to_have_text(DEPARTMENT)
    expect(whole.locator("td[data-label='完整号码']")).to_have_text("是")
    expect(whole.locator("td[data-label='次数']")).to_have_text("1")
    masked = _read_rows(person, "李人社").filter(has_text="核定免申即享名单")
    expect(masked.locator("td[data-label='完整号码']").first).to_have_text("否")
    expect(_read_rows(person, "李首席").first.locator("td[data-label='完整号码']")) \
        .to_have_text("否")
    assert_accessible_at_widths(person, "我能享受的政策（个人）")
    person.screenshot(path=str(shots / "talent-mine-desktop.png"), full_page=True)
    person.set_viewport_size({"width": 390, "height": 844})
    assert_fits(person, shots, "talent-mine-phone")

    # 5. 电子监察 (周监察) reads the list masked, with no way to see a number whole.
    supervisor = new_page(browser, server, console)
    login(supervisor, "supervisor")
    supervisor.goto(STAFF_URL)
    smain = supervisor.locator("main")
    expect(supervisor.locator("h1")).to_have_text(NAME)
    expect(smain).to_contain_text(ZHANGSAN_MASKED)
    expect(smain).not_to_contain_text(ZHANGSAN)
    expect(supervisor.get_by_role("button", name=UNMASK)).to_have_count(0)
    expect(supervisor.get_by_role("button", name="拟定免申即享名单")).to_have_count(0)
    assert_accessible(supervisor, "人才住房补贴（电子监察）")
    supervisor.screenshot(path=str(shots / "talent-supervisor.png"), full_page=True)
    # That read is 张三's to see as well.
    person.reload()
    expect(_read_rows(person, "周监察").first.locator("td[data-label='完整号码']")) \
        .to_have_text("否")
