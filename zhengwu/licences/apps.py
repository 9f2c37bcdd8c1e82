from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.licences.services import licences_expire

    return f"电子证照到期 {licences_expire(now)} 张"


class LicencesConfig(AppConfig):
    name = "zhengwu.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from zhengwu.core import sweeps
        from zhengwu.licences import my_space

        sweeps.register("licences.expiry", sweep)
        my_space.register()  # 我的证照 in 我的空间 (core.personal_space)
