"""惠企政策 and 免申即享 (issue 14 §1)."""

from __future__ import annotations

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.policies"
    label = "policies"
    verbose_name = "惠企政策"

    def ready(self) -> None:
        from zhengwu.catalog import search
        from zhengwu.policies import my_space
        from zhengwu.policies.search_source import search_documents

        my_space.register()  # 政策兑现 in an enterprise's or a person's 我的空间
        search.register_source("policies", search_documents)  # the library in search
