"""The applicant's front door in Chromium (issue 10, "done means"): a new person signs up with
an SMS code, verifies their identity (the demo identity provider), is refused a stranger's
identity, files 食品经营许可证核发（新办） on its own form — a mistake first, fixed without
choosing the file again — and a reviewer sees every field; an enterprise's agent files for
the enterprise; a sign-in through the test OpenID Provider lands in the same account.

The SMS code is read where `make run` shows it to a developer: the platform's console log
(config.settings.dev sends SMS to the console, notifications.senders.ConsoleSmsSender).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import Server
from tests.oidc_provider.fixture import DISPLAY_NAME, OpenIdProvider

pytestmark = pytest.mark.browser

FOOD = "食品经营许可证核发（新办）"
# 李四 of the pack's illustrative identities (packs/leiyang/identities.csv), known to the test
# OpenID Provider too (tests/oidc_provider/people.py).
NAME, ID_NUMBER = "李四", "430481198604221012"
PHONE = "13912340042"
PASSWORD = "Lisi-front-door-2026"


def sms_code(server: Server, phone: str, *, after: int) -> str:
    """The last code the console sender printed for `phone` past byte `after` of the log."""
    pattern = re.compile(rf"{phone[:3]}\*\*\*\*{phone[-4:]}：验证码 (\d{{6}})")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = pattern.findall(server.log.read_bytes()[after:].decode(errors="replace"))
        if found:
            return str(found[-1])
        time.sleep(0.2)
    pytest.fail(f"no SMS code for {phone} in the server log")


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"front-door-{name}.png"), full_page=True)


def sign_up(page: Page, server: Server, shots: Path) -> None:
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.locator("#signup_link").click()
    page.fill("#id_phone", PHONE)
    mark = server.log.stat().st_size
    with page.expect_navigation():
        page.locator("#send_code").click()
    expect(page.locator("#code_sent")).to_contain_text("验证码已发送")
    code = sms_code(server, PHONE, after=mark)
    page.fill("#id_code", code)
    page.fill("#id_display_name", NAME)
    page.fill("#id_password", "12345678")  # a mistake: too common, all digits
    page.check("#id_consent")
    with page.expect_navigation():
        page.locator("#signup_submit").click()
    expect(page.locator("#id_password_error").first).to_be_visible()
    # What was typed is kept (never the password).
    expect(page.locator("#id_display_name")).to_have_value(NAME)
    expect(page.locator("#id_code")).to_have_value(code)
    assert_accessible_at_widths(page, "注册（有错误）")
    shot(page, shots, "01-signup-error")
    page.fill("#id_password", PASSWORD)
    if not page.locator("#id_consent").is_checked():
        page.check("#id_consent")
    with page.expect_navigation():
        page.locator("#signup_submit").click()
    assert page.url.endswith("/accounts/signup/done/"), page.url
    expect(page.locator("main")).to_contain_text("注册成功")


def verify_identity(page: Page, shots: Path) -> None:
    page.goto("/accounts/verify/")
    assert_accessible_at_widths(page, "实名认证")
    # A stranger's identity: a real-format number under another name is refused.
    page.fill("#id_name", "王小二")
    page.fill("#id_id_number", ID_NUMBER)
    with page.expect_navigation():
        page.get_by_role("button", name="核验身份").click()
    expect(page.locator("main")).to_contain_text("姓名与身份证号码不一致")
    shot(page, shots, "02-verify-stranger")
    page.fill("#id_name", NAME)
    page.fill("#id_id_number", ID_NUMBER)
    with page.expect_navigation():
        page.get_by_role("button", name="核验身份").click()
    page.goto("/my/")
    expect(page.locator("main")).to_contain_text("L2 身份已核验")
    assert_accessible_at_widths(page, "我的空间")
    shot(page, shots, "03-my-space")


def test_a_new_person_signs_up_verifies_and_comes_back_through_sso(
        page: Page, server: Server, oidc_provider: OpenIdProvider, shots: Path) -> None:
    sign_up(page, server, shots)
    verify_identity(page, shots)
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name=re.compile("^退出")).click()
    # Back through the identity platform: the verified number links to the same account.
    page.goto("/accounts/login/?next=/my/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"使用{DISPLAY_NAME}登录").click()
    page.fill("#id_username", "lisi")
    page.fill("#id_password", oidc_provider.password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    with page.expect_navigation():
        page.get_by_role("button", name="授权").click()
    assert page.url.endswith("/my/"), page.url
    main = page.locator("main")
    expect(main).to_contain_text(NAME)
    expect(main).to_contain_text(f"{PHONE[:3]}****{PHONE[-4:]}")  # the account signed up above
    shot(page, shots, "04-sso-same-account")

