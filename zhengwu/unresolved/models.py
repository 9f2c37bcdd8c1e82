"""办不成事反映单: the ticket a person opens when told "can't be done", its timeline on the
process engine, and the staff reads of the person's contact.

The ticket keeps what the person asked (an item of the catalogue, optionally, and free text),
what they were told, by whom and where, how to reach them, and the outcome the responsible
department recorded. It moves only through unresolved.services (engine.transition)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import AccessRecord
from zhengwu.process.models import ProcessEvent


class TicketStatus(models.TextChoices):
    OPEN = "open", "待联系"
    CONTACTED = "contacted", "处理中"
    CLOSED = "closed", "已办结"


class TicketChannel(models.TextChoices):
    WEB = "web", "网上反映"
    WINDOW = "window", "窗口登记"
    PHONE = "phone", "电话反映"


class WhereTold(models.TextChoices):
    """Where the person was told "can't be done"."""

    WINDOW = "window", "大厅窗口"
    DEPARTMENT = "department", "部门办公场所"
    ONLINE = "online", "网上办事"
    PHONE = "phone", "电话咨询"
    OTHER = "other", "其他"


class ContactHow(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "当面"
    SMS = "sms", "短信"
    OTHER = "other", "其他"


class Outcome(models.TextChoices):
    SOLVED = "solved", "已办成"
    EXPLAINED = "explained", "依法不能办理（已解释说明）"
    RULE_CHANGE = "rule_change", "推动制度完善"


class Ticket(models.Model):
    number = models.CharField("反映单号", max_length=24, unique=True)
    status = models.CharField("状态", max_length=12, choices=TicketStatus.choices,
                              default=TicketStatus.OPEN)
    channel = models.CharField("反映渠道", max_length=8, choices=TicketChannel.choices)
    opened_at = models.DateTimeField("反映时间")
    # The person: their account when signed in, else name and phone as given.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反映人账号", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("反映人", max_length=50)
    phone = models.CharField("联系电话", max_length=20)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    # What they asked for.
    implementation = models.ForeignKey("catalog.ItemImplementation", verbose_name="办理事项",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    asked = models.TextField("想办的事")
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    # What they were told, by whom, where.
    told = models.TextField("被告知的情况")
    told_by = models.CharField("告知人（窗口或工作人员）", max_length=100, blank=True)
    where = models.CharField("告知场所", max_length=12, choices=WhereTold.choices)
    department = models.ForeignKey("departments.Department", verbose_name="责任部门",
                                   on_delete=models.PROTECT, related_name="+")
    # Deadlines (rules.deadlines) and what the sweep did about them.
    contact_due_at = models.DateTimeField("联系期限")
    resolve_due_at = models.DateTimeField("办结期限")
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    contact_how = models.CharField("联系方式", max_length=8, choices=ContactHow.choices,
                                   blank=True)
    contact_note = models.TextField("联系情况", blank=True)
    outcome = models.CharField("处理结果", max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("处理情况", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    result_case_number = models.CharField("办成的办件编号", max_length=40, blank=True)
    proposal = models.TextField("制度完善建议", blank=True)
    summary = models.CharField("公开摘要", max_length=60, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    warned_at = models.DateTimeField("预警时间", null=True, blank=True)
    contact_escalated_at = models.DateTimeField("联系逾期督办时间", null=True, blank=True)
    escalated_at = models.DateTimeField("办结逾期督办时间", null=True, blank=True)

    class Meta:
        verbose_name = "办不成事反映单"
        verbose_name_plural = "办不成事反映单"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TicketStatus.values),
                                   name="unresolved_ticket_status"),
            # The rule of the outcome, in the database too: 依法不能办理 names its basis.
            models.CheckConstraint(
                condition=~models.Q(outcome=Outcome.EXPLAINED) | ~models.Q(legal_basis=""),
                name="unresolved_explained_has_basis"),
        ]
        indexes = [models.Index(fields=["status", "resolve_due_at"]),
                   models.Index(fields=["resolved_at"])]

    def __str__(self) -> str:
        return f"反映单 {self.number}"


class TicketEvent(ProcessEvent):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "反映单事件"
        verbose_name_plural = "反映单事件"
        ordering = ["ticket_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="unresolved_event_unsealed")]


class TicketRead(AccessRecord):
    """A member of staff opened the ticket with the person's name and phone: logged as a read
    of personal data (quality.md #8), like cases.CaseAccess."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reads")

    class Meta(AccessRecord.Meta):
        verbose_name = "反映单查阅记录"
        verbose_name_plural = "反映单查阅记录"
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="unresolved_read_unsealed")]
