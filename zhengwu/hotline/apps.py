from __future__ import annotations

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.hotline"
    label = "hotline"
    verbose_name = "12345热线"
