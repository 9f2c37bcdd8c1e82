"""The action plan as data (docs/plan.md): its measures (主要举措), each measure's tasks (the
task table: lead and co-departments, 责任人, completion date), its targets (a text, and where
the platform measures it, a live figure with a threshold), departments' monthly progress
reports and supervisors' comments.

Measures, tasks and targets come from the pack (plan.pack) and are replaced by reloading it;
reports and comments are written only through plan.services, each with its audit row."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Measure(models.Model):
    """One of the plan's numbered measures, in its group (一、深入推进行政审批制度改革…)."""

    number = models.PositiveSmallIntegerField("序号", unique=True)
    group_number = models.PositiveSmallIntegerField("类别序号")
    group = models.CharField("类别", max_length=200)
    title = models.CharField("举措", max_length=300)
    text = models.TextField("原文")
    source = models.CharField("出处", max_length=300, blank=True)

    class Meta:
        verbose_name = "举措"
        verbose_name_plural = "举措"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Task(models.Model):
    """A row of the task table: who leads, who takes part, by when. `lead_units` and
    `co_units` keep the plan's wording (collectives such as 市直各相关单位 included); the
    departments are those of the pack whose short name matches. Most measures are one task
    (its `text` empty: the measure's says it); a measure the table splits (一是…二是…, each
    with its own lead) has one task per part, numbered in the plan's order."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField("任务序号", default=1)
    text = models.TextField("主要任务", blank=True)
    lead_units = models.CharField("牵头单位（原文）", max_length=500)
    co_units = models.CharField("配合单位（原文）", max_length=500, blank=True)
    lead_departments = models.ManyToManyField("departments.Department", related_name="+",
                                              verbose_name="牵头部门", blank=True)
    co_departments = models.ManyToManyField("departments.Department", related_name="+",
                                            verbose_name="配合部门", blank=True)
    responsible = models.CharField("责任人", max_length=100, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)  # None: 长期坚持
    deadline_text = models.CharField("时限（原文）", max_length=100, blank=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["measure__number", "number"]
        constraints = [models.UniqueConstraint(fields=["measure", "number"],
                                               name="plan_task_once_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure.number}-{self.number}"


class Comparison(models.TextChoices):
    AT_LEAST = ">=", "不低于"
    AT_MOST = "<=", "不高于"


class Target(models.Model):
    """A target of a measure: its text, and where the platform measures it, the figure
    (plan.figures key, with an optional argument after ":") and the threshold it must meet.
    Without a figure the departments report it with evidence."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    number = models.PositiveSmallIntegerField("目标序号")
    text = models.CharField("目标", max_length=300)
    figure = models.CharField("实时指标", max_length=100, blank=True)
    comparison = models.CharField("比较", max_length=2, choices=Comparison.choices, blank=True)
    threshold = models.DecimalField("目标值", max_digits=12, decimal_places=2, null=True,
                                    blank=True)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["measure__number", "number"]
        constraints = [models.UniqueConstraint(fields=["measure", "number"],
                                               name="plan_target_once_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure.number}.{self.number} {self.text}"


class ProgressReport(models.Model):
    """A department's monthly progress report on a task (text, optional evidence file);
    `completed` is its claim that the task is done."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    month = models.DateField("月份")  # the first day of the month reported on
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT,
                                   related_name="+", verbose_name="报送部门")
    text = models.TextField("进展情况")
    completed = models.BooleanField("已完成", default=False)
    evidence = models.FileField("佐证材料", upload_to="plan/%Y/%m/", blank=True)
    evidence_name = models.CharField("佐证材料名称", max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name="报送人")
    created_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["task", "-month", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.month:%Y-%m}"


class Comment(models.Model):
    """A supervisor's comment on a task (督办意见)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField("督办意见")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name="督办人")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "督办意见"
        verbose_name_plural = "督办意见"
        ordering = ["task", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.created_at:%Y-%m-%d}"


class FigureRecord(models.Model):
    """A figure's value for one month as the platform computed it (plan.records): the months
    the dashboard's trends draw, and the only history a snapshot figure (the catalogue's
    shares, 一件事 KPIs) has. Written by the `plan.record` sweep only; a closed month's record
    stops changing once the month has settled."""

    key = models.CharField("指标", max_length=100)  # a figures key, with its ":argument"
    month = models.CharField("月份", max_length=7)  # "YYYY-MM"
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "指标月度记录"
        verbose_name_plural = "指标月度记录"
        ordering = ["key", "month"]
        constraints = [models.UniqueConstraint(fields=["key", "month"],
                                               name="plan_figure_record_once_a_month")]

    def __str__(self) -> str:
        return f"{self.key} {self.month}"
