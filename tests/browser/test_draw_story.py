"""可验证抽取 and 透明日志 walked in Chromium (issue 15, "Done means": three parties commit and
reveal; the draw's result is recomputed by an outside script from the published data; the
draw's entries are in the log and their inclusion proofs verify):

1. A draw among four agencies is opened for a project (the marketplace will open it; here the
   platform's CLI does), the owner being 市人社局's 李人社, the platform and 电子监察.
2. 李人社 lets the page make her secret (shown once; she keeps it) and commits; a mistyped
   value is refused beside the field and kept.
3. 电子监察, on a phone, commits the SM3 of a secret made outside the platform, then reveals it.
4. 李人社 reveals hers: the draw is made; anyone reads the result and how to recompute it.
5. `scripts/verify_draw.py` — standard library only, over HTTP — recomputes the draw and
   checks each of its log entries under the signed checkpoint; /ledger/ lists them.
Each page axe-clean at desktop and phone width, nothing wider than a phone.
"""

from __future__ import annotations

import hashlib
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_accessible_at_widths
from tests.browser.conftest import REPO, ConsoleLog, Server, assert_fits, login, new_page

pytestmark = pytest.mark.browser

OPEN = """
import datetime as dt
from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.draws import services
from zhengwu.draws.models import PartyRole
now = clock.now()
row = services.draw_open(
    purpose="中介服务项目（浏览器测试）随机抽取", ref="browser:1", count=1,
    candidates={"91430481MA4L01014X": "耒阳示例建材有限公司", "91430481MA4L010063": "耒阳示例机械制造有限公司",
                "91430481MA4L01022Q": "耒阳示例物流有限公司", "91430481MA4L01030K": "耒阳示例软件有限公司"},
    parties=[services.PartyIn(PartyRole.OWNER, "项目业主（市人社局）", User.objects.get(username="renshe")),
             services.PartyIn(PartyRole.PLATFORM, "平台"),
             services.PartyIn(PartyRole.SUPERVISOR, "电子监察")],
    commit_due=now + dt.timedelta(days=1), reveal_due=now + dt.timedelta(days=2))
print(row.number)
"""


def test_a_draw_is_committed_revealed_recomputed_and_logged(
        page: Page, browser: Browser, server: Server, console: ConsoleLog,
        shots: Path) -> None:
    number = server.zhengwu("shell", "-c", OPEN).strip().splitlines()[-1]
    assert number.startswith("CQ")

    # 2. The owner commits, a mistake first.
    login(page, "renshe")
    page.goto(f"/draws/{number}/")
    expect(page.locator("h1")).to_contain_text(number)
    page.fill("#id_value", "12ab")
    page.get_by_role("button", name="提交承诺值", exact=True).click()
    expect(page.locator("#id_value_error")).to_contain_text("64位十六进制")
    expect(page.locator("#id_value")).to_have_value("12ab")
    console.take_expected(page, f"/draws/{number}/")
    assert_accessible(page, "抽取（承诺值有误）")
    page.get_by_role("button", name="由本页生成随机数并提交承诺值").click()
    shown = page.locator("#secret-shown .mono")
    expect(shown).to_be_visible()
    owner_secret = shown.inner_text().strip()
    assert len(owner_secret) == 64
    page.screenshot(path=str(shots / "draw-secret-shown.png"), full_page=True)

    # 3. 电子监察 commits a secret made outside the platform, on a phone.
    supervisor_secret = secrets.token_hex(32)
    supervisor = new_page(browser, server, console, width=390)
    login(supervisor, "supervisor")
    supervisor.goto(f"/draws/{number}/")
    supervisor.fill("#id_value",
                    hashlib.new("sm3", bytes.fromhex(supervisor_secret)).hexdigest())
    supervisor.get_by_role("button", name="提交承诺值", exact=True).click()
    expect(supervisor.locator("main")).to_contain_text("待揭示")
    assert_fits(supervisor, shots, "draw-revealing-phone")
    assert_accessible(supervisor, "抽取待揭示（手机）")
    supervisor.fill("#id_value", supervisor_secret)
    supervisor.get_by_role("button", name="揭示随机数").click()
    expect(supervisor.locator("main")).to_contain_text("已提交")

    # 4. The owner reveals: the draw is made.
    page.goto(f"/draws/{number}/")
    page.fill("#id_value", owner_secret)
    page.get_by_role("button", name="揭示随机数").click()
    expect(page.locator("main")).to_contain_text("抽取结果")

    anyone = new_page(browser, server, console)
    anyone.goto(f"/draws/{number}/")
    expect(anyone.locator("main")).to_contain_text("已抽取")
    expect(anyone.locator("main")).to_contain_text("如何自行复算")
    assert_accessible_at_widths(anyone, "抽取结果（公开）")
    anyone.set_viewport_size({"width": 390, "height": 844})
    assert_fits(anyone, shots, "draw-result-phone")

    # 5. Recomputed outside the platform, over HTTP, and found in the log.
    server.zhengwu("ledger", "checkpoint")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "verify_draw.py"),
                             server.url, number], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过 抽中" in result.stdout and "draw.result 在日志中" in result.stdout
    anyone.set_viewport_size({"width": 1280, "height": 900})
    anyone.goto("/ledger/")
    expect(anyone.locator("main")).to_contain_text("抽取：结果")
    expect(anyone.get_by_role("link", name=number).first).to_be_visible()
    assert_accessible_at_widths(anyone, "透明日志")
    anyone.set_viewport_size({"width": 390, "height": 844})
    assert_fits(anyone, shots, "ledger-phone")
