from django.contrib import admin

from zhengwu.workdays.models import ScheduleDay, ScheduleYear


class ScheduleDayInline(admin.TabularInline[ScheduleDay, ScheduleYear]):
    model = ScheduleDay
    extra = 0


@admin.register(ScheduleYear)
class ScheduleYearAdmin(admin.ModelAdmin[ScheduleYear]):
    list_display = ("year", "document", "entered_at", "entered_by")
    inlines = (ScheduleDayInline,)
