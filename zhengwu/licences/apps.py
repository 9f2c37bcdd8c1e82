from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


def sweep(now: dt.datetime) -> str:
    from zhengwu.licences.services import licences_expire

    return f"电子证照到期 {licences_expire(now)} 张"


def status_lists_sweep(now: dt.datetime) -> str:
    from zhengwu.licences.status import status_lists_refresh

    done, failed = status_lists_refresh(now)
    if failed:  # the verifiers of these issuers will see stale lists: say so loudly
        return f"证照状态列表重新签发 {done} 份，{len(failed)} 份签发失败：{'、'.join(failed)}"
    return f"证照状态列表重新签发 {done} 份"


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
        from zhengwu.licences.selectors import licence_type_names
        from zhengwu.sharing.selectors import licence_namer_register

        sweeps.register("licences.expiry", sweep)
        sweeps.register("licences.status_lists", status_lists_sweep, stage=sweeps.Stage.FOLLOW)
        sweeps.register("licences.presentations", presentations_sweep)
        my_space.register()  # 我的证照 in 我的空间 (core.personal_space)
        # 谁用了我的证照 names a licence by its type (sharing sits below licences).
        licence_namer_register(licence_type_names)
