"""The deploy check refuses the demo identity registry and a provincial provider without its
address or key (zhengwu.accounts.checks)."""

from __future__ import annotations

from django.test import override_settings

from zhengwu.accounts.checks import identity_provider_check


def test_the_demo_registry_is_a_deploy_warning() -> None:
    with override_settings(ZHENGWU_IDENTITY_PROVIDER="local"):
        assert [m.id for m in identity_provider_check()] == ["zhengwu.accounts.W001"]


def test_a_provincial_provider_needs_its_address_and_key() -> None:
    with override_settings(ZHENGWU_IDENTITY_PROVIDER="provincial", ZHENGWU_IDENTITY_URL="",
                           ZHENGWU_IDENTITY_KEY="k"):
        assert [m.id for m in identity_provider_check()] == ["zhengwu.accounts.E001"]
    with override_settings(ZHENGWU_IDENTITY_PROVIDER="provincial",
                           ZHENGWU_IDENTITY_URL="https://ids.example.gov.cn/verify",
                           ZHENGWU_IDENTITY_KEY="k"):
        assert identity_provider_check() == []
