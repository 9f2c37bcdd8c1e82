"""惠企政策 and 免申即享 (issue 14 §1)."""

from __future__ import annotations

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.policies"
    label = "policies"
    verbose_name = "惠企政策"

    def ready(self) -> None:
        from zhengwu.policies import my_space

        my_space.register()  # 惠企政策 in an enterprise's 我的空间
