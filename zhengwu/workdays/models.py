"""Official holiday schedules entered by an administrator for years the bundled calendar
(chinesecalendar, 2004–2026) does not know yet."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScheduleYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    document = models.CharField("依据文件", max_length=200,
                                help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "年度放假安排"
        verbose_name_plural = "年度放假安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年放假安排"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    MAKEUP_WORKDAY = "workday", "调休上班"


class ScheduleDay(models.Model):
    schedule = models.ForeignKey(ScheduleYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=DayKind.choices)
    name = models.CharField("节日", max_length=20, blank=True)

    class Meta:
        verbose_name = "放假/调休日"
        verbose_name_plural = "放假/调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
