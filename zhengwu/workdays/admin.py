from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhengwu.workdays.models import ScheduleDay, ScheduleYear


class ScheduleDayInline(admin.TabularInline[ScheduleDay, ScheduleYear]):
    model = ScheduleDay
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduleYear)
class ScheduleYearAdmin(admin.ModelAdmin[ScheduleYear]):
    """Read-only: a year is entered on 录入放假安排 (/staff/workdays/schedule/) or with
    `zhengwu workdays import`, through the service that audits it and recomputes that year's
    provisional deadlines; an admin form would do neither."""

    list_display = ("year", "document", "entered_at", "entered_by")
    inlines = (ScheduleDayInline,)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
