"""政务新媒体 registry (measure 31): the accounts the county's departments run, their
inspections by the owner department's staff, and the flags computed from them.

Rules held here, once (docs/openness.md, "政务新媒体"):
- 长期未更新: the last post seen is more than `STALE_DAYS` (14) days before the inspection —
  the "2 weeks without an update" rule of the national checks on 政务新媒体;
- an inspection is overdue when none was recorded within the account's interval (default
  `DEFAULT_INTERVAL_DAYS`, 30; at most 92, a quarter) after the last one, or after the
  account was registered; a closed account is no longer inspected;
- broken links are flagged when the last inspection found any;
- register, inspect and change status are each one transaction with an audit row; only the
  owner department's staff (openness officers, workflow.officer_department_ids) do them;
- the sweep `openness.new_media` tells the owner department's staff of an overdue
  inspection at most once a day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.errors import FieldsInvalid
from zhengwu.core.text import field_text
from zhengwu.notifications.services import notify
from zhengwu.openness.models import (
    AccountStatus,
    NewMediaAccount,
    NewMediaInspection,
    Platform,
)
from zhengwu.openness.workflow import officer_department_ids
from zhengwu.workdays.calendar import SHANGHAI

STALE_DAYS = 14
DEFAULT_INTERVAL_DAYS = 30
MAX_INTERVAL_DAYS = 92  # a quarter: the national checks sample accounts quarterly
# An office (landline) number, with its area code and an optional extension: 0734-4312345.
OFFICE_PHONE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")


class MediaInvalid(FieldsInvalid):
    """What was typed breaks a rule: one message per field (`fields`)."""

    code = "openness.new_media_invalid"


# --- the flags (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Flags:
    inspection_due_on: dt.date | None
    inspection_overdue: bool
    days_since_update: int | None  # at the last inspection
    stale: bool  # 长期未更新
    broken_links: int

    @property
    def broken(self) -> bool:
        return self.broken_links > 0

    @property
    def labels(self) -> list[str]:
        labels = []
        if self.inspection_overdue:
            labels.append(f"逾期未检查（应于{self.inspection_due_on:%Y年%m月%d日}前检查）")
        if self.stale:
            labels.append(f"长期未更新（检查时已{self.days_since_update}天未更新）")
        if self.broken:
            labels.append(f"错链断链 {self.broken_links} 处")
        return labels


def account_flags(*, status: str, registered_on: dt.date, interval_days: int,
                  last_inspected_on: dt.date | None, last_update_seen: dt.date | None,
                  broken_links: int, today: dt.date) -> Flags:
    """The flags of an account as of `today`. 长期未更新 is measured at the inspection (what
    staff saw), not today; a closed account has none."""
    if status == AccountStatus.CLOSED:
        return Flags(None, False, None, False, 0)
    due = (last_inspected_on or registered_on) + dt.timedelta(days=interval_days)
    days = (last_inspected_on - last_update_seen).days if (
        last_inspected_on is not None and last_update_seen is not None) else None
    return Flags(inspection_due_on=due, inspection_overdue=today > due, days_since_update=days,
                 stale=days is not None and days > STALE_DAYS,
                 broken_links=broken_links if last_inspected_on is not None else 0)


def flags_of(account: NewMediaAccount, today: dt.date) -> Flags:
    return account_flags(status=account.status, registered_on=account.registered_on,
                         interval_days=account.inspection_interval_days,
                         last_inspected_on=account.last_inspected_on,
                         last_update_seen=account.last_update_seen,
                         broken_links=account.broken_links, today=today)


# --- reads -----------------------------------------------------------------------------------


def accounts_public() -> QuerySet[NewMediaAccount]:
    """Every account on the register, closed ones too (shown as 已关停 with the date), by
    department."""
    return NewMediaAccount.objects.select_related("department").order_by(
        "department__region__code", "department_id", "platform", "name")


def accounts_of(user: User) -> QuerySet[NewMediaAccount]:
    """The accounts of the departments `user` answers for."""
    return accounts_public().filter(department_id__in=officer_department_ids(user))


def may_manage(user: User, account: NewMediaAccount) -> bool:
    return bool(user.is_staff) and account.department_id in officer_department_ids(user)


# --- writes ----------------------------------------------------------------------------------


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()


@dataclass
class AccountIn:
    platform: str
    name: str
    department_id: int | None
    responsible: str
    office_phone: str
    handle: str = ""
    registered_on: dt.date | None = None
    inspection_interval_days: int | None = None


def _interval(value: int | None, problems: dict[str, str]) -> int:
    if value is None:
        return DEFAULT_INTERVAL_DAYS
    if not 1 <= value <= MAX_INTERVAL_DAYS:
        problems["inspection_interval_days"] = (
            f"检查周期应为1至{MAX_INTERVAL_DAYS}天（至少每季度检查一次）。")
    return value


@transaction.atomic
def account_register(*, data: AccountIn, user: User, now: dt.datetime | None = None
                     ) -> NewMediaAccount:
    """Put an account on the register (开设备案) for one of the departments `user` answers
    for."""
    now = now or clock.now()
    problems: dict[str, str] = {}
    if data.platform not in Platform.values:
        problems["platform"] = "请选择平台。"
    name = field_text(data.name, label="账号名称", key="name", problems=problems,
                      required=True, most=100)
    handle = field_text(data.handle, label="账号ID或网址", key="handle", problems=problems,
                        required=False, most=200)
    if data.department_id is None or data.department_id not in officer_department_ids(user):
        problems["department"] = "只能为本部门的账号备案。"
    responsible = field_text(data.responsible, label="责任人", key="responsible",
                             problems=problems, required=True, most=50)
    phone = (data.office_phone or "").strip().replace(" ", "")
    if not phone:
        problems["office_phone"] = "请填写责任人的办公电话。"
    elif not OFFICE_PHONE.match(phone):
        problems["office_phone"] = "请填写办公固定电话，如 0734-4312345（不填写手机号码）。"
    interval = _interval(data.inspection_interval_days, problems)
    today = _today(now)
    registered = data.registered_on or today
    if registered > today:
        problems["registered_on"] = "备案日期不能晚于今天。"
    if "name" not in problems and "platform" not in problems and NewMediaAccount.objects.filter(
            platform=data.platform, name=name).exists():
        problems["name"] = "该平台上已有同名账号备案。"
    if problems:
        raise MediaInvalid(problems)
    assert data.department_id is not None
    account = NewMediaAccount.objects.create(
        platform=data.platform, name=name, handle=handle, department_id=data.department_id,
        responsible=responsible, office_phone=phone, registered_on=registered,
        inspection_interval_days=interval, created_by=user)
    audit_record(actor=actor_for(user), action="openness.new_media.register", obj=account,
                 after={"platform": account.platform, "name": name,
                        "department_id": account.department_id,
                        "registered_on": registered.isoformat(),
                        "inspection_interval_days": interval})
    return account


@dataclass
class InspectionIn:
    last_update_seen: dt.date | None
    inspected_on: dt.date | None = None
    broken_links: int | None = 0
    broken_links_text: str = ""
    notes: str = ""


def _locked(pk: int, user: User) -> NewMediaAccount:
    account = NewMediaAccount.objects.select_for_update().get(pk=pk)
    if not may_manage(user, account):
        raise PermissionError("not the owner department's staff")
    return account


@transaction.atomic
def inspection_record(*, pk: int, data: InspectionIn, user: User,
                      now: dt.datetime | None = None) -> NewMediaInspection:
    """Record an inspection of an account: the last post seen and the broken links found.
    The latest inspection's findings are kept on the account."""
    now = now or clock.now()
    account = _locked(pk, user)
    problems: dict[str, str] = {}
    if account.status == AccountStatus.CLOSED:
        problems["inspected_on"] = "该账号已关停，无需检查。"
    today = _today(now)
    inspected = data.inspected_on or today
    if inspected > today:
        problems["inspected_on"] = "检查日期不能晚于今天。"
    elif inspected < account.registered_on:
        problems["inspected_on"] = f"检查日期不能早于备案日期（{account.registered_on:%Y-%m-%d}）。"
    if data.last_update_seen is None:
        problems["last_update_seen"] = "请填写账号最近一次发布信息的日期。"
    elif data.last_update_seen > inspected:
        problems["last_update_seen"] = "最近更新日期不能晚于检查日期。"
    count = data.broken_links
    if count is None or count < 0 or count > 9999:
        problems["broken_links"] = "错链断链数应为0至9999的整数。"
        count = 0
    text = field_text(data.broken_links_text, label="错链断链情况", key="broken_links_text",
                      problems=problems, required=bool(count), most=2000)
    notes = field_text(data.notes, label="检查记录", key="notes", problems=problems,
                       required=False, most=2000)
    if problems:
        raise MediaInvalid(problems)
    assert data.last_update_seen is not None
    inspection = NewMediaInspection.objects.create(
        account=account, inspected_on=inspected, last_update_seen=data.last_update_seen,
        broken_links=count, broken_links_text=text, notes=notes, inspector=user,
        created_at=now)
    # An inspection entered late for an earlier day does not replace a later one's findings.
    if account.last_inspected_on is None or inspected >= account.last_inspected_on:
        account.last_inspected_on, account.last_update_seen = inspected, data.last_update_seen
        account.broken_links = count
        account.save(update_fields=["last_inspected_on", "last_update_seen", "broken_links"])
    flags = flags_of(account, today)
    audit_record(actor=actor_for(user), action="openness.new_media.inspect", obj=account,
                 after={"inspected_on": inspected.isoformat(),
                        "last_update_seen": data.last_update_seen.isoformat(),
                        "broken_links": count, "flags": flags.labels})
    return inspection


# Moves between statuses: a suspended account resumes; closing is final (注销备案).
STATUS_MOVES = {AccountStatus.ACTIVE: {AccountStatus.SUSPENDED, AccountStatus.CLOSED},
                AccountStatus.SUSPENDED: {AccountStatus.ACTIVE, AccountStatus.CLOSED},
                AccountStatus.CLOSED: set()}


@transaction.atomic
def status_change(*, pk: int, status: str, reason: str, user: User,
                  on: dt.date | None = None, now: dt.datetime | None = None
                  ) -> NewMediaAccount:
    """Suspend, resume or close (关停, with its date) an account."""
    now = now or clock.now()
    account = _locked(pk, user)
    problems: dict[str, str] = {}
    if status not in AccountStatus.values:
        problems["status"] = "请选择新的状态。"
    elif AccountStatus(status) not in STATUS_MOVES[AccountStatus(account.status)]:
        problems["status"] = (f"账号当前为“{account.get_status_display()}”，不能改为"
                              f"“{AccountStatus(status).label}”。")
    text = field_text(reason, label="说明", key="reason", problems=problems,
                      required=status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED),
                      most=200)
    today = _today(now)
    day = on or today
    if status == AccountStatus.CLOSED:
        if day > today:
            problems["on"] = "关停日期不能晚于今天。"
        elif day < account.registered_on:
            problems["on"] = "关停日期不能早于备案日期。"
    if problems:
        raise MediaInvalid(problems)
    before = account.status
    account.status, account.status_reason = status, text
    account.closed_on = day if status == AccountStatus.CLOSED else None
    account.save(update_fields=["status", "status_reason", "closed_on"])
    audit_record(actor=actor_for(user), action="openness.new_media.status", obj=account,
                 before={"status": before},
                 after={"status": status, "closed_on": account.closed_on.isoformat()
                        if account.closed_on else None}, reason=text)
    return account


# --- the sweep -------------------------------------------------------------------------------


def _staff_of(department_id: int) -> list[User]:
    from zhengwu.openness.services import officers

    return officers(department_id)


def overdue_inspections_tell(now: dt.datetime) -> int:
    """Tell the owner department's staff of each account whose inspection is overdue, at most
    once a day per account (the day is kept on the row and names the notification)."""
    today = _today(now)
    told = 0
    pending = NewMediaAccount.objects.exclude(status=AccountStatus.CLOSED).exclude(
        overdue_told_on=today)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            account = NewMediaAccount.objects.select_for_update().select_related(
                "department").get(pk=pk)
            flags = flags_of(account, today)
            if not flags.inspection_overdue or account.overdue_told_on == today:
                continue
            account.overdue_told_on = today
            account.save(update_fields=["overdue_told_on"])
            reason = f"应于{flags.inspection_due_on:%Y年%m月%d日}前检查"
            audit_record(actor=SYSTEM, action="openness.new_media.overdue", obj=account,
                         reason=reason)
            notify(recipients=_staff_of(account.department_id),
                   title=f"政务新媒体逾期未检查：{account.name}",
                   body=f"{account.get_platform_display()}“{account.name}”{reason}，"
                        "请尽快检查并登记（最近更新日期、错链断链）。",
                   link=reverse("openness:media_staff"), category="openness",
                   dedupe_key=f"openness:media:{account.pk}:overdue:{today.isoformat()}")
            told += 1
    return told

