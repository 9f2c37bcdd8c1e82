"""A verifiable random draw and its parties (issue 15 §1, §3; draws.protocol, ADR 0026).

A draw is opened with its candidates (ids the public may read: USCCs of agencies or
enterprises, inspectors' 执法证号), how many to draw and its parties in a fixed order; it moves
on the process engine: 待承诺 → 待揭示 → 已抽取, or 已中止 when a party let its deadline pass.
Every step is also an entry of the transparency log (ledger), so the published draw is the log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.process.models import ProcessEvent


class DrawStatus(models.TextChoices):
    COMMITTING = "committing", "待承诺"
    REVEALING = "revealing", "待揭示"
    DRAWN = "drawn", "已抽取"
    ABORTED = "aborted", "已中止"


class PartyRole(models.TextChoices):
    OWNER = "owner", "项目业主"
    PLATFORM = "platform", "平台"
    SUPERVISOR = "supervisor", "监督方（电子监察）"
    ORGANISER = "organiser", "组织部门"


class Draw(models.Model):
    number = models.CharField("抽取编号", max_length=24, unique=True)
    purpose = models.CharField("用途", max_length=200)
    # What the draw decides, for the app that opened it ("market.Project:3").
    ref = models.CharField("对应记录", max_length=80, blank=True, db_index=True)
    candidates = models.JSONField("候选编号")  # sorted ids
    labels = models.JSONField("候选名称", default=dict)  # id → public name
    root = models.CharField("候选名单树根（SM3）", max_length=64)
    count = models.PositiveIntegerField("抽取数")
    status = models.CharField("状态", max_length=12, choices=DrawStatus.choices,
                              default=DrawStatus.COMMITTING)
    commit_due = models.DateTimeField("承诺截止")
    reveal_due = models.DateTimeField("揭示截止")
    seed = models.CharField("种子（SM3）", max_length=64, blank=True)
    order = models.JSONField("排序", default=list)
    drawn = models.JSONField("抽中", default=list)
    withheld = models.JSONField("未按时承诺或揭示的一方", default=list)
    # Parties left out because they withheld a reveal in an earlier draw of the same matter
    # (draws.rules): [{"draw", "role", "label"}].
    excluded = models.JSONField("因前次未揭示而不参与的一方", default=list, blank=True)
    opened_at = models.DateTimeField("发起时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "可验证抽取"
        verbose_name_plural = "可验证抽取"
        ordering = ["-opened_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=DrawStatus.values),
                                              name="draw_status_valid")]

    # The parties in order, locked with the draw by draws.services (the engine's row).
    party_list: list[DrawParty]

    def __str__(self) -> str:
        return self.number


class DrawParty(models.Model):
    """One party of a draw, in its place in the seed. A person acts for it: `user`, or any
    电子监察 for the supervisor; the platform's own secret is made and kept by the platform and
    revealed by it once every commitment is in (so it cannot be chosen after seeing others)."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="parties")
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("角色", max_length=12, choices=PartyRole.choices)
    label = models.CharField("名称", max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    commitment = models.CharField("承诺值（SM3）", max_length=64, blank=True)
    committed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    secret = models.CharField("揭示的随机数", max_length=64, blank=True)
    revealed_at = models.DateTimeField("揭示时间", null=True, blank=True)
    # The platform's secret until it is revealed; never shown before.
    held_secret = models.CharField("平台保管的随机数", max_length=64, blank=True)

    class Meta:
        verbose_name = "抽取参与方"
        verbose_name_plural = "抽取参与方"
        ordering = ["draw_id", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"],
                                               name="draw_party_position_once")]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.label}"


class DrawEvent(ProcessEvent):
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "抽取事件"
        verbose_name_plural = "抽取事件"
        ordering = ["draw_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="draws_event_unsealed")]
