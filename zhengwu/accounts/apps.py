from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    """Expired attempt counters (real time, whatever `now` the sweep runs as of)."""
    from zhengwu.accounts import throttle

    return f"删除过期限流计数 {throttle.sweep()} 条"


class AccountsConfig(AppConfig):
    name = "zhengwu.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from zhengwu.core import sweeps

        sweeps.register("accounts.throttle", sweep)

        from zhengwu.accounts import my_space

        my_space.register()
