"""Single sign-on in Chromium (issue 10 §1, 全省漫游): on the platform's sign-in page 张三
chooses the identity platform, signs in there (the suite's test OpenID Provider, a separate
Django project on loopback), allows the platform to read who they are, and lands back on the
platform signed in to the same account — linked by the ID number the provider verified.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.oidc_provider.fixture import DISPLAY_NAME, OpenIdProvider

pytestmark = pytest.mark.browser


def test_zhangsan_signs_in_through_the_identity_platform(page: Page, server: Server,
                                                         oidc_provider: OpenIdProvider,
                                                         shots: Path) -> None:
    page.goto("/accounts/login/?next=/cases/mine/")
    page.screenshot(path=str(shots / "sso-login.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name=f"使用{DISPLAY_NAME}登录").click()

    # At the identity platform: its own sign-in page, then its consent page.
    assert page.url.startswith(f"{oidc_provider.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("测试省统一身份认证平台")
    page.fill("#id_username", "zhangsan")
    page.fill("#id_password", oidc_provider.password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url.startswith(f"{oidc_provider.issuer}/authorize/")
    page.screenshot(path=str(shots / "sso-consent.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="授权").click()

    # Back on the platform, on the page asked for, signed in as 张三.
    assert page.url == f"{server.url}/cases/mine/"
    expect(page.locator("header")).to_contain_text("退出（张三）")
    expect(page.get_by_role("link", name="我的办件")).to_be_visible()
    page.screenshot(path=str(shots / "sso-signed-in.png"), full_page=True)

    # A later sign-in through the platform goes straight through (the provider remembers the
    # person and the link is made) and lands in the same account.
    with page.expect_navigation():
        page.locator("header form button").click()
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"使用{DISPLAY_NAME}登录").click()
    if page.url.startswith(f"{oidc_provider.issuer}/authorize/"):
        with page.expect_navigation():
            page.get_by_role("button", name="授权").click()
    assert page.url.startswith(server.url)
    expect(page.locator("header")).to_contain_text("退出（张三）")
