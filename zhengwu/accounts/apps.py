from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    """Expired attempt counters (real time, whatever `now` the sweep runs as of)."""
    from zhengwu.accounts import throttle

    return f"删除过期限流计数 {throttle.sweep()} 条"


def phone_codes_sweep(now: dt.datetime) -> str:
    """SMS code rows a day after they expired (each names a phone number)."""
    from zhengwu.accounts.phone_codes import sweep as codes_sweep

    return f"删除过期短信验证码记录 {codes_sweep()} 条"


class AccountsConfig(AppConfig):
    name = "zhengwu.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.core import checks

        from zhengwu.accounts.checks import identity_provider_check

        checks.register(identity_provider_check, checks.Tags.security, deploy=True)
        from zhengwu.core import sweeps

        sweeps.register("accounts.throttle", sweep)
        sweeps.register("accounts.phone_codes", phone_codes_sweep)

        from zhengwu.accounts import my_space

        my_space.register()
