from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "zhengwu.assistance"
    label = "assistance"
    verbose_name = "帮代办与创业管家"

    def ready(self) -> None:
        from zhengwu.assistance import my_space

        my_space.register()  # 代办项目 and 创业管家 in 我的空间
