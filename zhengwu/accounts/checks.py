"""Deployment checks of accounts (run by `zhengwu check --deploy`, hence by `make test`).

The default identity provider is the data pack's illustrative registry: right for `make run`
and the tests, wrong for a county's real platform, where 实名认证 must ask the province's
统一身份认证 (docs/deploy.md, ADR 0014). A deployment that forgot to say so would verify
people against demo data; the check makes that a failure of the deploy check, not a surprise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def identity_provider_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    provider = settings.ZHENGWU_IDENTITY_PROVIDER
    if provider == "local":
        return [checks.Warning(
            "ZHENGWU_IDENTITY_PROVIDER is 'local': 实名认证 checks people against the data "
            "pack's illustrative registry.",
            hint="Set ZHENGWU_IDENTITY_PROVIDER=provincial with ZHENGWU_IDENTITY_URL, "
                 "ZHENGWU_IDENTITY_APP_ID and ZHENGWU_IDENTITY_KEY (docs/deploy.md).",
            id="zhengwu.accounts.W001")]
    if provider == "provincial" and not (settings.ZHENGWU_IDENTITY_URL
                                         and settings.ZHENGWU_IDENTITY_KEY):
        return [checks.Error(
            "ZHENGWU_IDENTITY_PROVIDER is 'provincial' but ZHENGWU_IDENTITY_URL or "
            "ZHENGWU_IDENTITY_KEY is not set.", id="zhengwu.accounts.E001")]
    return []
