from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.licences.services import licences_expire

    return f"电子证照到期 {licences_expire(now)} 张"


def presentations_sweep(now: dt.datetime) -> str:
    from zhengwu.licences.presentation import presentations_purge

    return f"清除失效亮证码 {presentations_purge()} 个"


class LicencesConfig(AppConfig):
    name = "zhengwu.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.licences import my_space

        sweeps.register("licences.expiry", sweep)
        sweeps.register("licences.presentations", presentations_sweep)
        my_space.register()  # 我的证照 in 我的空间 (core.personal_space)
