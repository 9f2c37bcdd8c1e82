"""帮代办 and 创业管家 (issue 12 §4, docs/assistance.md).

A `Project` (代办项目) is an enterprise's set of items a 帮代办员 gets for it, free of charge;
the agent files under an ordinary `accounts.Authorization` (principal the enterprise, agent the
代办员), so a case filed says 经授权代为申请 and names the agent. A `Butler` (创业管家) is a
member of staff assigned to an enterprise after its 设立登记; while the assignment lasts they
read its cases and write to it (`ButlerMessage`), and the enterprise replies.
"""

from __future__ import annotations

from django.db import models

from zhengwu.accounts.models import Authorization, User


class ProjectStatus(models.TextChoices):
    OPEN = "open", "代办中"
    CLOSED = "closed", "已结束"


class Project(models.Model):
    """代办项目: `enterprise`'s items (ProjectItem) a 代办员 (`agent`) gets for it under
    `authorization`. Managed by the hall managers of `region`."""

    enterprise = models.ForeignKey(User, verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="assistance_projects")
    name = models.CharField("项目名称", max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    agent = models.ForeignKey(User, verbose_name="代办员", on_delete=models.PROTECT,
                              related_name="assistance_projects_agent")
    authorization = models.ForeignKey(Authorization, verbose_name="授权", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.OPEN)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(User, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "代办项目"
        verbose_name_plural = "代办项目"
        indexes = [models.Index(fields=["enterprise", "status"]),
                   models.Index(fields=["agent", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.enterprise}）"


class ProjectItem(models.Model):
    """One item the project is to get, by its basic code (基本编码), in the order listed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    basic_code = models.CharField("事项基本编码", max_length=31)
    name = models.CharField("事项名称", max_length=200)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "代办事项"
        verbose_name_plural = "代办事项"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "basic_code"],
                                               name="project_item_once")]

    def __str__(self) -> str:
        return f"{self.name}（{self.basic_code}）"


class Butler(models.Model):
    """创业管家: `manager` (staff) serves `enterprise` from `started_at` until `ended_at`."""

    enterprise = models.ForeignKey(User, verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="butlers")
    manager = models.ForeignKey(User, verbose_name="创业管家", on_delete=models.PROTECT,
                                related_name="butler_of")
    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    assigned_by = models.ForeignKey(User, verbose_name="指派人", on_delete=models.PROTECT,
                                    related_name="+")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(User, verbose_name="结束人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "创业管家"
        verbose_name_plural = "创业管家"
        constraints = [models.UniqueConstraint(
            fields=["enterprise"], condition=models.Q(ended_at__isnull=True),
            name="butler_one_active_per_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.manager}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class ButlerMessage(models.Model):
    """One message of the thread between a 创业管家 and the enterprise (either side)."""

    butler = models.ForeignKey(Butler, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(User, verbose_name="发送人", on_delete=models.PROTECT,
                               related_name="+")
    from_enterprise = models.BooleanField("企业发出", default=False)
    body = models.TextField("内容", max_length=2000)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "创业管家消息"
        verbose_name_plural = "创业管家消息"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.butler_id} {self.at:%Y-%m-%d %H:%M}"
