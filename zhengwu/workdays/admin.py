from django.contrib import admin

from zhengwu.core.readonly_admin import ReadOnlyAdmin
from zhengwu.workdays.models import ScheduleDay, ScheduleYear


class ScheduleDayInline(ReadOnlyAdmin, admin.TabularInline[ScheduleDay, ScheduleYear]):
    model = ScheduleDay
    extra = 0


@admin.register(ScheduleYear)
class ScheduleYearAdmin(ReadOnlyAdmin, admin.ModelAdmin[ScheduleYear]):
    """Read-only: a year is entered on 录入放假安排 (/staff/workdays/schedule/) or with
    `zhengwu workdays import`, through the service that audits it and recomputes that year's
    provisional deadlines; an admin form would do neither."""

    list_display = ("year", "document", "entered_at", "entered_by")
    inlines = (ScheduleDayInline,)
