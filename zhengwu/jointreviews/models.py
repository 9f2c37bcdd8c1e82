"""The data of joint reviews (联合踏勘、联合审图、联合验收) [16][20]: a session scheduled by a
lead department, one participant row per invited department with its attendance and opinion,
the records kept against departments that neither attended nor answered (缺席默认), and the
session's event timeline. State changes happen only through jointreviews.services and the
sweep in jointreviews.sweeps (ADR 0008)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengwu.core.models import BaseModel
from zhengwu.process.models import ProcessEvent


class ReviewKind(models.TextChoices):
    SITE_SURVEY = "site_survey", "联合踏勘"
    DRAWING_REVIEW = "drawing_review", "联合审图"
    ACCEPTANCE = "acceptance", "联合验收"


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "征求意见中"
    CONCLUDED = "concluded", "已出具联合审查意见"
    CANCELLED = "cancelled", "已取消"


class Outcome(models.TextChoices):
    PASSED = "passed", "通过"
    CONDITIONAL = "conditional", "有条件通过"
    FAILED = "failed", "不通过"


class Opinion(models.TextChoices):
    AGREE = "agree", "同意"
    CONDITIONAL = "conditional", "有条件同意"
    DISAGREE = "disagree", "不同意"
    # Never chosen by a department: what the platform records for a required department that
    # did not answer by the deadline (缺席默认 — 视为无意见).
    NO_OBJECTION = "no_objection", "无意见（缺席默认）"


class JointReview(BaseModel):
    """One joint review session: where and when the departments meet, and by when each
    required department must answer. The combined result (联合审查意见) is issued once every
    required department has answered or been defaulted, or by the lead department after the
    deadline."""

    number = models.CharField("联审编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=20, choices=ReviewKind.choices)
    title = models.CharField("项目名称", max_length=200)
    description = models.TextField("审查内容", blank=True)
    lead_department = models.ForeignKey("departments.Department", verbose_name="牵头部门",
                                        on_delete=models.PROTECT,
                                        related_name="led_joint_reviews")
    place = models.CharField("地点", max_length=200)
    starts_at = models.DateTimeField("会议时间")
    answer_due_at = models.DateTimeField("答复截止时间")
    answer_workdays = models.DecimalField("答复时限(工作日)", max_digits=4, decimal_places=1,
                                          null=True, blank=True)
    due_provisional = models.BooleanField("临时期限", default=False)
    case = models.ForeignKey("cases.Case", verbose_name="关联办件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="joint_reviews")
    # 一件事: the bundle case number as text; the bundles app is not referred to by key.
    bundle_number = models.CharField("关联一件事", max_length=32, blank=True, db_index=True)
    status = models.CharField("状态", max_length=12, choices=ReviewStatus.choices,
                              default=ReviewStatus.SCHEDULED)
    outcome = models.CharField("审查结论", max_length=12, choices=Outcome.choices, blank=True)
    result_number = models.CharField("意见文号", max_length=60, null=True, blank=True,
                                     unique=True)
    concluded_at = models.DateTimeField("出具时间", null=True, blank=True)
    conclusion_note = models.TextField("牵头部门说明", blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="安排人",
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "联合审查"
        verbose_name_plural = "联合审查"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values),
                                   name="jointreview_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=ReviewKind.values),
                                   name="jointreview_kind_valid"),
            models.CheckConstraint(condition=Q(answer_due_at__gt=models.F("starts_at")),
                                   name="jointreview_due_after_session"),
            # A result exists exactly when the session is concluded.
            models.CheckConstraint(
                condition=(Q(status=ReviewStatus.CONCLUDED) & ~Q(outcome="")
                           & Q(concluded_at__isnull=False))
                | (~Q(status=ReviewStatus.CONCLUDED) & Q(outcome="")),
                name="jointreview_outcome_iff_concluded"),
        ]
        indexes = [models.Index(fields=["status", "answer_due_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jointreviews:detail", kwargs={"pk": self.pk})


class JointReviewParticipant(models.Model):
    """One invited department: required (its answer is awaited, or defaulted) or optional
    (列席: heard if it answers, never waited for)."""

    review = models.ForeignKey(JointReview, verbose_name="联审", on_delete=models.CASCADE,
                               related_name="participants")
    department = models.ForeignKey("departments.Department", verbose_name="部门",
                                   on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField("必须参加", default=True)
    attended = models.BooleanField("到场", null=True, blank=True)
    opinion = models.CharField("意见", max_length=16, choices=Opinion.choices, blank=True)
    conditions = models.TextField("同意的条件", blank=True)
    reasons = models.TextField("不同意的理由", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    defaulted = models.BooleanField("缺席默认", default=False)

    class Meta:
        verbose_name = "参加部门"
        verbose_name_plural = "参加部门"
        ordering = ["review_id", "-required", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "department"],
                                    name="jointreview_participant_once"),
            models.CheckConstraint(condition=Q(opinion__in=["", *Opinion.values]),
                                   name="jointreview_opinion_valid"),
            models.CheckConstraint(condition=~Q(opinion=Opinion.CONDITIONAL) | ~Q(conditions=""),
                                   name="jointreview_conditional_has_conditions"),
            models.CheckConstraint(condition=~Q(opinion=Opinion.DISAGREE) | ~Q(reasons=""),
                                   name="jointreview_disagree_has_reasons"),
            # Only the platform answers "no objection", and only for a defaulted department.
            models.CheckConstraint(
                condition=Q(defaulted=False, opinion__in=["", Opinion.AGREE,
                                                          Opinion.CONDITIONAL,
                                                          Opinion.DISAGREE])
                | Q(defaulted=True, opinion=Opinion.NO_OBJECTION),
                name="jointreview_defaulted_is_no_objection"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.department_id}"

    @property
    def answered(self) -> bool:
        return bool(self.opinion)


class AbsenceKind(models.TextChoices):
    ABSENT = "absent", "未到场且未答复"
    NO_OPINION = "no_opinion", "到场但逾期未出具意见"


class JointReviewAbsence(models.Model):
    """缺席默认: a required department that did not answer by the deadline, on its record —
    its silence counted as no objection, visibly, like cases' DepartmentFailure [16][20]."""

    review = models.ForeignKey(JointReview, verbose_name="联审", on_delete=models.PROTECT, related_name="absences")
    participant = models.OneToOneField(JointReviewParticipant, verbose_name="参与部门", on_delete=models.PROTECT,
                                       related_name="absence")
    department = models.ForeignKey("departments.Department", verbose_name="部门",
                                   on_delete=models.PROTECT, related_name="joint_review_absences")
    kind = models.CharField("类型", max_length=12, choices=AbsenceKind.choices)
    due_at = models.DateTimeField("答复截止时间")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "缺席默认记录"
        verbose_name_plural = "缺席默认记录"
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["review", "department"],
                                               name="jointreview_absence_once")]
        indexes = [models.Index(fields=["department", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.kind} {self.review_id}"


class JointReviewEvent(ProcessEvent):
    """The session's timeline: every step with who, in which role and department, when, why.
    Sealed into the audit chain by the next checkpoint, like case and bundle timelines
    (ADR 0010). `department` is the invited department a step is about (an answer, a
    default), apart from the department of whoever made it."""

    review = models.ForeignKey(JointReview, verbose_name="联审", on_delete=models.CASCADE, related_name="events")
    department = models.ForeignKey("departments.Department", verbose_name="涉及部门", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    # Named apart from `department` above.
    department_label = models.CharField("操作部门", max_length=200, blank=True)

    class Meta(ProcessEvent.Meta):
        verbose_name = "联合审查事件"
        verbose_name_plural = "联合审查事件"
        ordering = ["review_id", "id"]
        # SealedRecord's partial index, under a name within the 30 characters Django allows.
        indexes = [models.Index(fields=["review", "id"]),
                   models.Index(fields=["audit_seal"], condition=Q(audit_seal=None),
                                name="jointreviews_event_unsealed")]

    def __str__(self) -> str:
        return f"{self.review_id} {self.action}"
