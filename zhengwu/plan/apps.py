"""督查督办: the action plan as data, tracked against the platform's own figures."""

from __future__ import annotations

from django.apps import AppConfig


class PlanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.plan"
    label = "plan"
    verbose_name = "督查督办"
