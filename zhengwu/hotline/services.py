"""Writes of 12345 work orders: 受理 (order_open), every move of the process through
engine.transition (order_move), the idempotent import from other platforms (order_import), the
logged staff read (order_read) and the sweep (orders_sweep: warnings, cards, 督办).

Rules held here, once (docs/hotline.md):
- an order is numbered GD + the Beijing day (yyyymmdd) + a four-digit sequence of that day;
- its limits are rules.limits on the official calendar, set at each dispatch (the department's
  clock starts when it has the order): sign-for in working hours, handling in working days;
- a 退单 is reviewed by an operator: approved, the order goes to the department named (new
  limits); rejected, it goes back to the same department (2 working hours to sign again, the
  handling limit unchanged);
- 办结 needs the department's reply and a callback to the caller (resolved and satisfaction);
  an unsatisfied caller sends it back (重办, reopen_count + 1, a new handling limit);
- 直办: a 咨询 answered on the call is closed at once with the answer given;
- merging a duplicate: the duplicate is MERGED into an open order; when that order closes its
  reply is copied to the merged ones, so every caller is answered;
- imports are idempotent by (channel, external_id) and all-or-nothing: one bad row and
  nothing is written, every bad row listed in Chinese;
- 互动交流 (measure [24]): a closed order is published only with its caller's consent (given
  on the form, off by default; never for a confidential order), by the 12345 centre, with
  public texts that hold no personal data (redact.leaks refuses a phone number, an ID, an
  e-mail or the caller's name); the caller's withdrawal takes it down in the same
  transaction, and so does reopening the order (its answer is no longer the last word).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from zhengwu.accounts.models import RoleAssignment, User
from zhengwu.accounts.phone_codes import contact_phone_field
from zhengwu.accounts.roles import Role as AccountRole
from zhengwu.accounts.services import actor_for
from zhengwu.cases import staging, uploads
from zhengwu.core import clock, numbering
from zhengwu.core.audit import SYSTEM, Actor, audit_record
from zhengwu.core.codes import is_valid_uscc
from zhengwu.core.errors import DomainError, FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.core.text import TextError, check_text, field_text
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.hotline import attachments, redact, routing, rules
from zhengwu.hotline.models import (
    AttachmentPart,
    Card,
    Category,
    Channel,
    OrderKind,
    Publication,
    RoutingRule,
    RoutingVersion,
    Satisfaction,
    Urgency,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderRead,
)
from zhengwu.hotline.models import Status as S  # noqa: N817
from zhengwu.hotline.schemas import OrderIn, OrderMoveIn
from zhengwu.hotline.selectors import visible_q
from zhengwu.hotline.workflow import (
    DEPARTMENT_ROLES,
    ORDER_TABLE,
    Role,
    is_admin,
    is_operator,
)
from zhengwu.notifications.services import notify
from zhengwu.process import engine
from zhengwu.process.spec import Attempt, Process, Step
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import SHANGHAI
from zhengwu.workdays.selectors import calendar_get

__all__ = ["ImportInvalid", "ImportResult", "OrderIn", "OrderInvalid", "OrderMoveIn", "RuleRow",
           "clean", "create_order", "order_attach", "order_import", "order_move", "order_open", "order_read", "orders_sweep",
           "routing_version_create"]

logger = logging.getLogger("zhengwu.hotline")
REGION = re.compile(r"^\d{12}$")
# Who may open an order for themselves (signed in, not staff) and through which channels.
SELF_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.OPEN311, Channel.EVALUATION})
TOWNSHIP_KINDS = frozenset({DepartmentKind.TOWNSHIP, DepartmentKind.STREET,
                            DepartmentKind.VILLAGE})


class OrderInvalid(FieldsInvalid):
    """What was typed breaks a rule: one message per field (`fields`), the first as the
    error's message (422 {"code","detail"} to the API)."""

    code = "order.invalid"


class ImportInvalid(InvalidInput):
    """An import with bad rows: nothing was written; `errors` lists each bad row."""

    code = "order.import_invalid"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""))
        self.errors = errors


# --- 受理 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cleaned:
    kind: str
    title: str
    content: str
    category: Category | None
    region_code: str
    address: str
    caller_name: str
    caller_phone: str
    caller_email: str
    enterprise_uscc: str
    urgency: str
    confidential: bool
    external_id: str
    latitude: Any
    longitude: Any
    publish_consent: bool = False


def clean(data: OrderIn) -> Cleaned:
    """`data` checked, each problem next to its field (OrderInvalid)."""
    problems: dict[str, str] = {}
    if data.kind not in OrderKind.values:
        problems["kind"] = "请选择诉求类型（咨询、求助、投诉、举报、建议、表扬）。"
    title = field_text(data.title, label="标题", key="title", problems=problems,
                       required=True, most=100)
    content = field_text(data.content, label="诉求内容", key="content", problems=problems,
                         required=True, most=4000)
    name = field_text(data.caller_name, label="诉求人姓名", key="caller_name", problems=problems,
                      required=True, most=50)
    email = (data.caller_email or "").strip()
    try:
        if email:
            validate_email(email)
    except ValidationError:
        problems["caller_email"] = "电子邮箱格式有误，例如 name@example.com。"
    # 回访 needs a way to reach the caller: a phone, or an e-mail when there is none.
    phone = "" if email and not (data.caller_phone or "").strip() else contact_phone_field(
        data.caller_phone, key="caller_phone", problems=problems,
        missing="请填写诉求人的联系电话（没有电话的，请填写电子邮箱）。")
    address = field_text(data.address, label="地址", key="address", problems=problems,
                         required=False, most=200)
    category = None
    code = (data.category_code or "").strip()
    if code:
        category = Category.objects.filter(code=code, active=True).first()
        if category is None:
            problems["category_code"] = f"没有编码为“{code[:20]}”的诉求分类。"
    region = (data.region_code or "").strip()
    if region and not (REGION.match(region) and Region.objects.filter(code=region).exists()):
        problems["region_code"] = f"区划编码“{region[:12]}”不存在（应为12位统计用区划代码）。"
    uscc = (data.enterprise_uscc or "").strip().upper()
    if uscc and not is_valid_uscc(uscc):
        problems["enterprise_uscc"] = "统一社会信用代码有误（18位，含校验位）。"
    if data.urgency not in Urgency.values:
        problems["urgency"] = "紧急程度只能是“一般”或“紧急”。"
    external_id = (data.external_id or "").strip()
    if len(external_id) > 64:
        problems["external_id"] = "来源编号最多64个字符。"
    if problems:
        raise OrderInvalid(problems)
    return Cleaned(kind=data.kind, title=title, content=content, category=category,
                   region_code=region, address=address, caller_name=name, caller_phone=phone,
                   caller_email=email,
                   enterprise_uscc=uscc, urgency=data.urgency,
                   confidential=bool(data.confidential) or False, external_id=external_id,
                   latitude=data.latitude, longitude=data.longitude,
                   publish_consent=bool(data.publish_consent))


def _number(now: dt.datetime) -> str:
    day = now.astimezone(SHANGHAI).date()
    return f"GD{day:%Y%m%d}{numbering.next_value(f'hotline:{day:%Y%m%d}'):04d}"


def _opener(user: User | None, channel: str) -> tuple[User | None, User | None]:
    """(accepted_by, caller) for who opens an order through `channel`; refuses others."""
    if channel not in Channel.values:
        raise InvalidInput("未知的诉求来源渠道。", code="order.channel")
    if user is None:
        if channel in (Channel.UPSTREAM, Channel.OPEN311, Channel.EVALUATION):
            return None, None  # another platform's order, taken by the platform itself
        raise NotAllowed("请先登录。", code="order.forbidden")
    if user.is_staff:
        if not is_operator(user) and not user.has_perm("hotline.add_workorder"):
            raise NotAllowed("只有12345话务员可以受理工单。", code="order.forbidden")
        return user, None
    if channel not in SELF_CHANNELS:
        raise NotAllowed("请通过网站或移动端提交诉求。", code="order.channel")
    return None, user


def _opening_actor(accepted_by: User | None, caller: User | None) -> Actor:
    if accepted_by is not None:
        return actor_for(accepted_by)
    return Actor(user=caller, label="诉求人", role=Role.CALLER) if caller is not None else SYSTEM


def create_order(cleaned: Cleaned, *, channel: str, accepted_by: User | None,
                 caller: User | None, now: dt.datetime) -> WorkOrder:
    """受理 of a checked order: the row, its accept event and its audit row (the caller's
    transaction). order_open, the import and hotline.from_evaluations come through here."""
    business = rules.is_business(enterprise_uscc=cleaned.enterprise_uscc,
                                 category=cleaned.category)
    confidential = cleaned.confidential or cleaned.kind == OrderKind.REPORT
    # A confidential order (举报人保护) is never published, whatever was ticked.
    consent = cleaned.publish_consent and not confidential
    row = WorkOrder.objects.create(
        number=_number(now), kind=cleaned.kind, channel=channel,
        external_id=cleaned.external_id, status=S.DISPATCHING, title=cleaned.title,
        content=cleaned.content, category=cleaned.category, region_code=cleaned.region_code,
        address=cleaned.address, latitude=cleaned.latitude, longitude=cleaned.longitude,
        caller_name=cleaned.caller_name, caller_phone=cleaned.caller_phone,
        caller_email=cleaned.caller_email, caller=caller,
        enterprise_uscc=cleaned.enterprise_uscc, business=business,
        urgency=cleaned.urgency, confidential=confidential, accepted_at=now,
        accepted_by=accepted_by, publish_consent=consent,
        publish_consent_at=now if consent else None)
    actor = _opening_actor(accepted_by, caller)
    data: dict[str, Any] = {"channel": channel}
    if consent:
        data["publish_consent"] = True
    WorkOrderEvent.of_move(order=row, action="accept", before="", after=row.status,
                           actor=actor, data=data, at=now).save()
    audit_record(actor=actor, action="hotline.order.accept", obj=row,
                 after={"status": row.status, "kind": row.kind, **data})
    return row


@uploads.discarded_on_failure()
@transaction.atomic
def order_open(*, user: User | None, data: OrderIn, channel: str,
               now: dt.datetime | None = None, files: attachments.Files = (),
               staged: str = "") -> WorkOrder:
    """受理: an operator takes a call (phone, letter, e-mail …), a signed-in person submits
    online (web, mobile), or the platform takes another platform's order (user None).
    `files` are the order's 诉求附件 (hotline.attachments); `staged` the page form whose kept
    files they include (cases.staging), used up in the same transaction."""
    now = now or clock.now()
    accepted_by, caller = _opener(user, channel)
    cleaned = clean(data)
    if cleaned.external_id and WorkOrder.objects.filter(
            channel=channel, external_id=cleaned.external_id).exists():
        raise InvalidInput(f"来源编号“{cleaned.external_id}”的工单已受理。",
                           code="order.duplicate")
    row = create_order(cleaned, channel=channel, accepted_by=accepted_by, caller=caller, now=now)
    attachments.add(row, files, part=AttachmentPart.REQUEST, user=user,
                    actor=_opening_actor(accepted_by, caller), now=now)
    if staged and user is not None:
        staging.consume(owner=user, form=staged)
    return row


@uploads.discarded_on_failure()
@transaction.atomic
def order_attach(*, number: str, user: User, files: attachments.Files,
                 staged: str = "", now: dt.datetime | None = None) -> WorkOrder:
    """Files added to an open order by the caller, the 12345 centre (诉求附件) or the
    department handling it (答复附件); anyone else finds no such order or is refused."""
    now = now or clock.now()
    row = _lock(number, user)
    part = attachments.part_for(row, user)
    if part is None:
        raise NotAllowed("只有诉求人、12345工作人员和承办部门可以上传附件。",
                         code="order.attachment_forbidden")
    if not files:
        raise InvalidInput("请选择要上传的文件（PDF、JPG 或 PNG，单个不超过 10MB）。",
                           code="order.attachment_missing")
    actor = actor_for(user) if user.is_staff else Actor(user=user, label="诉求人",
                                                        role=Role.CALLER)
    attachments.add(row, files, part=part, user=user, actor=actor, now=now)
    if staged:
        staging.consume(owner=user, form=staged)
    return row


# --- the import ------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # numbers of the orders made
    existing: list[str] = field(default_factory=list)  # numbers already imported before

    @property
    def count(self) -> int:
        return len(self.created) + len(self.existing)


def _row_in(row: dict[str, Any]) -> OrderIn:
    known = set(OrderIn.model_fields)
    values = {k: ("" if v is None and k not in ("latitude", "longitude") else v)
              for k, v in row.items() if k in known}
    return OrderIn.model_validate(values)


@transaction.atomic
def order_import(*, user: User | None, rows: list[dict[str, Any]],
                 now: dt.datetime | None = None) -> ImportResult:
    """Orders from another platform (上级平台转办, 好差评差评 …): each row an OrderIn plus
    `channel` (default upstream) and a required `external_id`. The same (channel,
    external_id) imported again is the same order (listed in `existing`). One bad row and
    nothing is written (ImportInvalid, every bad row named)."""
    from pydantic import ValidationError

    now = now or clock.now()
    if user is not None and not (is_operator(user) or user.has_perm("hotline.add_workorder")):
        raise NotAllowed("只有12345话务员可以导入工单。", code="order.forbidden")
    if not rows:
        raise InvalidInput("没有要导入的工单。", code="order.import_empty")
    errors: list[str] = []
    ready: list[tuple[str, Cleaned]] = []
    for n, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(f"第{n}行：格式不正确，应为对象。")
            continue
        channel = str(raw.get("channel") or Channel.UPSTREAM)
        if channel not in Channel.values:
            errors.append(f"第{n}行：未知的来源渠道“{channel[:20]}”。")
            continue
        if not str(raw.get("external_id") or "").strip():
            errors.append(f"第{n}行：缺少来源编号（external_id），无法去重。")
            continue
        try:
            ready.append((channel, clean(_row_in(raw))))
        except OrderInvalid as error:
            errors.append(f"第{n}行：" + "".join(error.fields.values()))
        except ValidationError as error:
            names = "、".join(str(e["loc"][0]) for e in error.errors() if e.get("loc"))
            errors.append(f"第{n}行：字段格式不正确（{names}）。")
    if errors:
        raise ImportInvalid(errors)
    result = ImportResult()
    for channel, cleaned in ready:
        found = WorkOrder.objects.filter(channel=channel,
                                         external_id=cleaned.external_id).first()
        if found is not None:
            result.existing.append(found.number)
            continue
        try:
            with transaction.atomic():
                row = create_order(cleaned, channel=channel, accepted_by=user, caller=None,
                              now=now)
        except IntegrityError:  # imported concurrently: the other import made it
            found = WorkOrder.objects.get(channel=channel, external_id=cleaned.external_id)
            result.existing.append(found.number)
            continue
        result.created.append(row.number)
    if result.created:
        audit_record(actor=actor_for(user), action="hotline.order.import",
                     object_type="hotline.workorder", object_id="import",
                     after={"created": len(result.created),
                            "existing": len(result.existing)})
    return result


# --- who is told -----------------------------------------------------------------------


def department_staff(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    rows = RoleAssignment.objects.filter(role__in=DEPARTMENT_ROLES,
                                         department_id=department_id).select_related("user")
    return list({a.user_id: a.user for a in rows}.values())


def holders(*roles: str) -> list[User]:
    rows = RoleAssignment.objects.filter(role__in=roles).select_related("user")
    return list({a.user_id: a.user for a in rows}.values())


def owners(row: WorkOrder) -> list[User]:
    """The named owners of an order: its handler, else the department's staff."""
    if row.handler is not None:
        return [row.handler]
    return department_staff(row.department_id)


def _link(row: WorkOrder) -> str:
    return f"/hotline/orders/{row.number}/"


def _tell(recipients: list[User], row: WorkOrder, title: str, body: str, key: str) -> None:
    notify(recipients=recipients, title=title, body=body, link=_link(row), category="hotline",
           dedupe_key=f"order:{row.pk}:{key}")


def _due_text(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(SHANGHAI):%m月%d日%H:%M}" if moment else "—"


# --- the moves ---------------------------------------------------------------------------


def _required(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, code=code)
    return value


def _department(department_id: int | None, message: str) -> Department:
    found = Department.objects.filter(pk=department_id).first() if department_id else None
    if found is None:
        raise InvalidInput(message, code="order.department")
    return found


def _limits(row: WorkOrder) -> rules.Limits:
    return rules.limits(row.kind, row.category, row.business, row.urgency == Urgency.URGENT)


def _business_handler(department: Department) -> User | None:
    """营商环境 orders have a named handler from the moment they are dispatched (measure 28):
    the department's 首席代表 (the first named, if several), not whoever signs for it — 催办
    and 督办 go to that person by name. None when the department has no 首席代表 (then, as for
    other orders, whoever signs)."""
    found = (RoleAssignment.objects.filter(role=AccountRole.CHIEF_REPRESENTATIVE,
                                           department=department)
             .select_related("user").order_by("id").first())
    return found.user if found is not None else None


def _send(row: WorkOrder, department: Department, now: dt.datetime, *,
          keep_due: bool = False) -> None:
    """The order goes to `department`: its sign-for limit starts now; its handling limit too
    unless `keep_due` (a rejected 退单, a 下派: the limit keeps running)."""
    sign_due, due = rules.deadlines(calendar_get(), now, _limits(row))
    row.department, row.signed_at = department, None
    row.handler = _business_handler(department) if row.business else None
    row.dispatched_at, row.sign_due_at = now, sign_due
    if not keep_due or row.due_at is None:
        row.due_at = due
        row.warned_percent, row.card = 0, Card.NONE


def _dispatch(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    department = _department(move.department_id, "请选择承办部门。")
    by = move.by if move.by in ("rule", "model", "manual") else "manual"
    _send(row, department, attempt.now)
    _tell(department_staff(department.pk), row, f"新工单待签收：{row.title}",
          f"12345工单 {row.number} 派至贵单位，请于{_due_text(row.sign_due_at)}前签收，"
          f"{_due_text(row.due_at)}前办结答复。", f"dispatch:{department.pk}:{row.dispatched_at}")
    if row.handler is not None:
        _tell([row.handler], row, f"营商环境工单由您负责：{row.title}",
              f"12345营商环境工单 {row.number} 派至贵单位，由您作为承办人负责，"
              f"{_due_text(row.due_at)}前办结答复。", f"handler:{row.handler_id}:{row.dispatched_at}")
    return {"department_id": department.pk, "department": department.name, "by": by,
            "handler": row.handler.display_name if row.handler is not None else "",
            "sign_due_at": row.sign_due_at.isoformat() if row.sign_due_at else "",
            "due_at": row.due_at.isoformat() if row.due_at else ""}


def _sign(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    row.signed_at = attempt.now
    if not (row.business and row.handler is not None):  # a business order keeps its named one
        row.handler = attempt.user
    return {"on_time": row.sign_due_at is None or attempt.now <= row.sign_due_at}


def _return(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写退单理由（如不属于本单位职责，请写明依据和建议的承办单位）。",
                       "order.reason_required")
    row.return_count += 1
    _tell(holders(AccountRole.HOTLINE_OPERATOR), row, f"退单待审核：{row.number}",
          f"{row.department.name if row.department else ''}退回工单 {row.number}：{reason}",
          f"return:{row.return_count}")
    return {"reason": reason}


def _return_approve(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    department = _department(move.department_id, "同意退单须选择新的承办部门。")
    if department.pk == row.department_id:
        raise InvalidInput("新的承办部门与退单部门相同，请选择其他部门或驳回退单。",
                           code="order.department")
    before = row.department_id
    _send(row, department, attempt.now)
    _tell(department_staff(department.pk), row, f"新工单待签收：{row.title}",
          f"12345工单 {row.number} 改派至贵单位，请于{_due_text(row.sign_due_at)}前签收。",
          f"dispatch:{department.pk}:{row.dispatched_at}")
    return {"department_id": department.pk, "from_department_id": before}


def _return_reject(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                   actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写驳回退单的理由。", "order.reason_required")
    assert row.department is not None
    _send(row, row.department, attempt.now, keep_due=True)
    _tell(department_staff(row.department_id), row, f"退单被驳回：{row.number}",
          f"工单 {row.number} 的退单未获同意（{reason}），请于{_due_text(row.sign_due_at)}前签收办理。",
          f"return_reject:{row.return_count}")
    return {"reason": reason}


def _answer(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    reply = _required(move.reply, "请填写答复内容。", "order.reply_required")
    row.reply, row.answered_at, row.extension_requested = reply, attempt.now, False
    return {"reply": reply, "on_time": row.due_at is None or attempt.now <= row.due_at}


def _callback(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    if move.resolved is None:
        raise InvalidInput("请记录诉求人是否认为问题已解决。", code="order.resolved_required")
    if move.satisfaction not in Satisfaction.values:
        raise InvalidInput("请选择诉求人的满意度（满意、基本满意、不满意）。",
                           code="order.satisfaction_required")
    row.callback_at, row.resolved, row.satisfaction = attempt.now, move.resolved, move.satisfaction
    return {"resolved": move.resolved, "satisfaction": move.satisfaction}


def _close(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
           actor: Actor) -> dict[str, Any]:
    row.closed_at = attempt.now
    copied = []
    # The merged duplicates are answered with this order's reply (their callers too).
    for merged in WorkOrder.objects.select_for_update().filter(merged_into=row,
                                                               status=S.MERGED):
        merged.reply, merged.answered_at, merged.closed_at = row.reply, attempt.now, attempt.now
        merged.save(update_fields=["reply", "answered_at", "closed_at"])
        WorkOrderEvent.of_move(order=merged, action="close", before=S.MERGED, after=S.MERGED,
                               actor=actor, reason=f"随工单 {row.number} 办结",
                               data={"reply": row.reply, "with": row.number},
                               at=attempt.now).save()
        audit_record(actor=actor, action="hotline.order.close", obj=merged,
                     after={"with": row.number})
        if merged.caller is not None:
            _tell([merged.caller], merged, "您的诉求已办结",
                  f"工单 {merged.number} 已随同类工单办结：{row.reply[:200]}", "closed")
        copied.append(merged.number)
    if row.caller is not None:
        _tell([row.caller], row, "您的诉求已办结", f"工单 {row.number} 已办结：{row.reply[:200]}",
              "closed")
    return {"merged": copied, "satisfaction": row.satisfaction}


def _again(row: WorkOrder, now: dt.datetime) -> None:
    """Back to the department for another round: a new handling limit, a new callback."""
    row.reopen_count += 1
    row.callback_at, row.resolved, row.satisfaction = None, None, ""
    row.closed_at, row.answered_at = None, None
    row.due_at = rules.deadlines(calendar_get(), now, _limits(row))[1]
    row.warned_percent, row.card = 0, Card.NONE


def _redo(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写重办的原因（诉求人不满意之处）。", "order.reason_required")
    _again(row, attempt.now)
    _tell(owners(row), row, f"工单重办：{row.number}",
          f"诉求人对工单 {row.number} 的答复不满意，请重新办理（{reason}），"
          f"{_due_text(row.due_at)}前答复。", f"redo:{row.reopen_count}")
    return {"reason": reason, "reopen_count": row.reopen_count,
            "due_at": row.due_at.isoformat() if row.due_at else ""}


def _take_down(row: WorkOrder, publication: str) -> bool:
    """The order's answer off the public page (its texts cleared); whether it was on it."""
    was = row.publication == Publication.PUBLISHED
    if was:
        row.publication = publication
        row.public_title, row.public_question, row.public_answer = "", "", ""
        row.published_at = None
    return was


def _reopen(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写重启工单的原因。", "order.reason_required")
    # The published answer is no longer the last word: down until closed and decided again.
    taken_down = _take_down(row, Publication.NONE)
    _again(row, attempt.now)
    _tell(owners(row), row, f"工单重启：{row.number}",
          f"已办结的工单 {row.number} 重新启动办理（{reason}），{_due_text(row.due_at)}前答复。",
          f"reopen:{row.reopen_count}")
    return {"reason": reason, "reopen_count": row.reopen_count,
            **({"taken_down": True} if taken_down else {})}


def _escalate(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写上报的原因（需上级或其他部门协调的事项）。",
                       "order.reason_required")
    before = row.department_id
    row.department, row.handler, row.signed_at, row.sign_due_at = None, None, None, None
    _tell(holders(AccountRole.HOTLINE_OPERATOR), row, f"工单上报：{row.number}",
          f"工单 {row.number} 由承办单位上报：{reason}，请重新派单。", f"escalate:{before}")
    return {"reason": reason, "from_department_id": before}


def _delegate(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
              actor: Actor) -> dict[str, Any]:
    department = _department(move.department_id, "请选择下派的乡镇（街道）。")
    if department.kind not in TOWNSHIP_KINDS:
        raise InvalidInput("只能下派至乡镇、街道或村（居）委会。", code="order.department")
    if department.pk == row.department_id:
        raise InvalidInput("不能下派给本单位。", code="order.department")
    before = row.department_id
    _send(row, department, attempt.now, keep_due=True)
    _tell(department_staff(department.pk), row, f"下派工单待签收：{row.title}",
          f"12345工单 {row.number} 下派至贵单位，请于{_due_text(row.sign_due_at)}前签收，"
          f"{_due_text(row.due_at)}前办结答复。", f"delegate:{department.pk}")
    return {"department_id": department.pk, "from_department_id": before}


def _extend_request(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    if not move.days:
        raise InvalidInput("请填写申请延期的工作日数。", code="order.days_required")
    reason = _required(move.note, "请填写申请延期的理由。", "order.reason_required")
    row.extension_requested = True
    _tell(holders(AccountRole.HOTLINE_OPERATOR), row, f"延期申请：{row.number}",
          f"工单 {row.number} 申请延期{move.days}个工作日：{reason}", f"extend:{row.extension_days}")
    return {"days": move.days, "reason": reason}


def _requested_days(row: WorkOrder) -> int:
    last = row.events.filter(action="extend_request").order_by("-id").first()
    return int((last.data or {}).get("days", 0)) if last is not None else 0


def _extend_approve(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                    actor: Actor) -> dict[str, Any]:
    days = move.days or _requested_days(row)
    if days <= 0:
        raise InvalidInput("请填写批准延期的工作日数。", code="order.days_required")
    assert row.due_at is not None
    row.due_at = rules.extended(calendar_get(), row.due_at, days)
    row.extension_days += days
    row.extension_requested = False
    row.warned_percent, row.card = 0, Card.NONE
    _tell(owners(row), row, f"延期已批准：{row.number}",
          f"工单 {row.number} 延期{days}个工作日，新的办理期限为{_due_text(row.due_at)}。",
          f"extend_approve:{row.extension_days}")
    return {"days": days, "due_at": row.due_at.isoformat()}


def _extend_deny(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                 actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写不予延期的理由。", "order.reason_required")
    row.extension_requested = False
    _tell(owners(row), row, f"延期未获批准：{row.number}",
          f"工单 {row.number} 的延期申请未获批准（{reason}），请按原期限{_due_text(row.due_at)}办结。",
          f"extend_deny:{attempt.now.isoformat()}")
    return {"reason": reason}


def _urge(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    note = (move.note or "").strip()
    recipients = owners(row)
    _tell(recipients, row, f"催办：{row.number}",
          f"请加快办理工单 {row.number}（{row.title}），办理期限{_due_text(row.due_at)}。{note}",
          f"urge:{attempt.now.isoformat()}")
    return {"note": note, "to": [u.pk for u in recipients]}


def _supervise(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
               actor: Actor) -> dict[str, Any]:
    note = (move.note or "").strip()
    recipients = list({u.pk: u for u in department_staff(row.department_id) + owners(row)
                       + holders(AccountRole.SUPERVISOR)}.values())
    _tell(recipients, row, f"督办：{row.number}",
          f"工单 {row.number}（{row.title}）列入督办，办理期限{_due_text(row.due_at)}。{note}",
          f"supervise:{attempt.now.isoformat()}")
    return {"note": note, "to": [u.pk for u in recipients]}


def _warn(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    assert row.due_at is not None
    assert row.dispatched_at is not None
    level = rules.warn_level(calendar_get(), row.dispatched_at, row.due_at, attempt.now)
    if level <= row.warned_percent:
        raise InvalidInput("该工单已发出过这一级预警。", code="order.warned")
    row.warned_percent = level
    words = "已超过办理期限" if level >= 100 else f"办理时间已过{level}%"
    _tell(owners(row), row, f"工单预警：{row.number}",
          f"工单 {row.number}（{row.title}）{words}，期限{_due_text(row.due_at)}。",
          f"warn:{level}:{row.reopen_count}:{row.extension_days}")
    return {"percent": level}


CARD_RANK = {Card.NONE: 0, Card.YELLOW: 1, Card.RED: 2}


def _card(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    assert row.due_at is not None
    colour = move.card or rules.card_of(calendar_get(), row.due_at, attempt.now)
    if colour not in (Card.YELLOW, Card.RED) or CARD_RANK[Card(colour)] <= CARD_RANK[
            Card(row.card)]:
        raise InvalidInput("该工单无需亮牌或已亮同级牌。", code="order.card")
    row.card = colour
    _tell(department_staff(row.department_id) + holders(AccountRole.SUPERVISOR), row,
          f"{Card(colour).label}警示：{row.number}",
          f"工单 {row.number} 逾期未办结（期限{_due_text(row.due_at)}），亮{Card(colour).label}。",
          f"card:{colour}:{row.reopen_count}:{row.extension_days}")
    return {"colour": colour}


def _direct(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
            actor: Actor) -> dict[str, Any]:
    reply = _required(move.reply, "请填写电话中答复的内容。", "order.reply_required")
    row.direct, row.reply, row.answered_at, row.closed_at = True, reply, attempt.now, attempt.now
    return {"reply": reply}


def _merge(row: WorkOrder, move: OrderMoveIn, attempt: Attempt, actor: Actor) -> dict[str, Any]:
    number = _required(move.into, "请填写要合并至的工单编号。", "order.into_required")
    if number == row.number:
        raise InvalidInput("不能把工单合并到它自己。", code="order.into")
    target = WorkOrder.objects.select_for_update().filter(number=number).first()
    if target is None:
        raise InvalidInput(f"没有编号为“{number[:24]}”的工单。", code="order.into")
    if target.status in (S.CLOSED, S.MERGED):
        raise InvalidInput("只能合并到未办结的工单。", code="order.into")
    row.merged_into = target
    return {"into": target.number}


# --- 互动交流: publication of a closed order's question and answer ---------------------------


def _public_text(value: str, label: str, key: str, row: WorkOrder, most: int) -> str:
    text = _required(value, f"请填写{label}。", f"order.{key}_required")
    if len(text) > most:
        raise InvalidInput(f"{label}最多{most}个字。", code=f"order.{key}")
    found = redact.leaks(text, names=[row.caller_name], phones=[row.caller_phone])
    if found:
        raise InvalidInput(f"{label}中仍含个人信息（{'、'.join(found)}），请删除或隐去后再公开。",
                           code=f"order.{key}")
    return text


def _publish(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
             actor: Actor) -> dict[str, Any]:
    if row.confidential:
        raise InvalidInput("保密工单（举报人保护）不公开。", code="order.confidential")
    title = _public_text(move.public_title, "公开标题", "public_title", row, 100)
    question = _public_text(move.public_question, "公开诉求", "public_question", row, 4000)
    answer = _public_text(move.public_answer, "公开答复", "public_answer", row, 4000)
    again = row.publication == Publication.PUBLISHED
    row.publication, row.published_by = Publication.PUBLISHED, attempt.user
    row.public_title, row.public_question, row.public_answer = title, question, answer
    row.published_at = row.published_at if again and row.published_at else attempt.now
    return {"title": title, "edited": again}


def _publish_decline(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                     actor: Actor) -> dict[str, Any]:
    reason = _required(move.note, "请填写不予公开的理由。", "order.reason_required")
    taken_down = _take_down(row, Publication.DECLINED)
    row.publication, row.published_by = Publication.DECLINED, attempt.user
    return {"reason": reason, "taken_down": taken_down}


def _consent_withdraw(row: WorkOrder, move: OrderMoveIn, attempt: Attempt,
                      actor: Actor) -> dict[str, Any]:
    row.publish_consent, row.publish_consent_at = False, attempt.now
    return {"taken_down": _take_down(row, Publication.WITHDRAWN)}


HANDLERS = {
    "publish": _publish, "publish_decline": _publish_decline,
    "consent_withdraw": _consent_withdraw,
    "dispatch": _dispatch, "sign": _sign, "return": _return,
    "return_approve": _return_approve, "return_reject": _return_reject, "answer": _answer,
    "callback": _callback, "close": _close, "redo": _redo, "reopen": _reopen,
    "escalate": _escalate, "delegate": _delegate, "extend_request": _extend_request,
    "extend_approve": _extend_approve, "extend_deny": _extend_deny, "urge": _urge,
    "supervise": _supervise, "warn": _warn, "card": _card, "direct": _direct, "merge": _merge,
}


def _lock(number: str, user: User | None) -> WorkOrder:
    rows = WorkOrder.objects.all()
    if user is not None:
        rows = rows.filter(visible_q(user))
    return rows.select_for_update(of=("self",)).select_related(
        "department", "handler", "category", "caller").get(number=number)


def _actor(user: User | None, row: WorkOrder, role: str, subject: Any) -> Actor:
    if user is None:
        return SYSTEM
    base = actor_for(user)
    return Actor(user=user, label=base.label, role=role, department_id=base.department_id,
                 department_label=base.department_label)


def _record(row: WorkOrder, step: Step) -> None:
    WorkOrderEvent.of_move(order=row, action=step.action, before=step.before,
                           after=row.status, actor=step.actor, reason=step.reason,
                           data=step.data, at=step.at).save()
    audit_record(actor=step.actor, action=f"hotline.order.{step.action}", obj=row,
                 before={"status": step.before}, after={"status": row.status, **step.data},
                 reason=step.reason)


def _text_check(move: OrderMoveIn) -> None:
    for label, value in (("说明", move.note), ("答复内容", move.reply),
                         ("公开标题", move.public_title), ("公开诉求", move.public_question),
                         ("公开答复", move.public_answer)):
        try:
            check_text(value or "", label=label, multiline=True)
        except TextError as error:
            raise InvalidInput(error.message + "。", code="order.text") from error


ORDER_PROCESS: Process[WorkOrder, OrderMoveIn] = Process(
    table=ORDER_TABLE, handlers=HANDLERS, lock=_lock, actor=_actor, record=_record,
    reason_of=lambda move: (move.note or "").strip(), action_of=lambda move: move.action,
    text_check=_text_check,
    role_order=(Role.OPERATOR, Role.DEPARTMENT, Role.SUPERVISOR, Role.SYSTEM))


@transaction.atomic
def order_move(*, number: str, user: User | None, move: OrderMoveIn,
               now: dt.datetime | None = None) -> WorkOrder:
    """One move of the process (workflow.MOVES) as `user` (None: the platform)."""
    return engine.transition(ORDER_PROCESS, number, user, move, now=now)


@transaction.atomic
def order_read(*, row: WorkOrder, user: User, purpose: str = "办理12345工单") -> None:
    """A member of staff saw the caller's name and phone unmasked: logged (WorkOrderRead,
    quality.md #8) and audited."""
    actor = actor_for(user)
    WorkOrderRead.objects.create(order=row, user=user, department_label=actor.department_label,
                                 purpose=purpose[:40], at=clock.now())
    audit_record(actor=actor, action="hotline.order_read", obj=row, reason=purpose)


# --- the sweep ---------------------------------------------------------------------------


@dataclass
class SweepResult:
    warned: int = 0
    carded: int = 0
    supervised: int = 0
    urged: int = 0


def _sweep_one(pk: int, number: str, calendar: Any, now: dt.datetime,
               result: SweepResult) -> None:
    row = WorkOrder.objects.get(pk=pk)
    if row.status not in (S.SIGNING, S.HANDLING) or row.due_at is None or (
            row.dispatched_at is None):
        return
    if (row.status == S.SIGNING and row.sign_due_at is not None and now > row.sign_due_at
            and not row.events.filter(action="urge", actor__isnull=True,
                                      at__gte=row.dispatched_at).exists()):
        # Not signed for within its 2 working hours: the platform urges the department once
        # per dispatch (a re-dispatch starts a new sign-for limit).
        order_move(number=number, user=None, move=OrderMoveIn(
            action="urge", note="超过签收时限未签收，请立即签收。"), now=now)
        result.urged += 1
    level = rules.warn_level(calendar, row.dispatched_at, row.due_at, now)
    if level > row.warned_percent:
        order_move(number=number, user=None, move=OrderMoveIn(action="warn"), now=now)
        result.warned += 1
    colour = rules.card_of(calendar, row.due_at, now)
    if colour and CARD_RANK[Card(colour)] > CARD_RANK[Card(row.card)]:
        with transaction.atomic():
            order_move(number=number, user=None, move=OrderMoveIn(action="card"), now=now)
            result.carded += 1
            if colour == Card.RED:
                order_move(number=number, user=None,
                           move=OrderMoveIn(action="supervise", note="逾期红牌督办"), now=now)
                result.supervised += 1


def orders_sweep(now: dt.datetime) -> SweepResult:
    """Each order a department holds, once per level (idempotent): urged once when it is not
    signed for within its sign-for limit; warned at 50 %, 80 % and
    100 % of its handling limit; a yellow card once overdue; a red card and 督办 (to the
    department's staff and 电子监察) once overdue by more than HOTLINE_RED_CARD_DAYS further
    working days. Each is a move of the platform, with its event."""
    result = SweepResult()
    calendar = calendar_get()
    running = WorkOrder.objects.filter(
        Q(status__in=(S.SIGNING, S.HANDLING)), due_at__isnull=False,
        dispatched_at__isnull=False)
    for pk, number in running.values_list("pk", "number"):
        try:
            _sweep_one(pk, number, calendar, now, result)
        except DomainError:
            # Moved meanwhile (signed, answered, closed): the next sweep sees its new state.
            logger.warning("hotline sweep skipped order %s", number, exc_info=True)
    return result


# --- the routing table -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    region_code: str  # a prefix of 12-digit region codes; "" = anywhere
    category_code: str  # "" = any category
    department: str  # the department's full name (departments.csv `name`) or short name
    priority: int = 0


@transaction.atomic
def routing_version_create(*, rows: list[RuleRow], user: User | None, note: str = "",
                           now: dt.datetime | None = None) -> RoutingVersion:
    """A new routing version from `rows`, made the active one (the previous versions are
    kept, inactive, so a dispatch can be traced to the table in force). All rows valid or
    nothing is written (ImportInvalid, every bad row named)."""
    now = now or clock.now()
    if user is not None and not is_admin(user):
        raise NotAllowed("只有12345热线管理员可以修改派单规则。", code="order.forbidden")
    if not rows:
        raise InvalidInput("派单规则不能为空。", code="order.rules_empty")
    categories = {c.code: c for c in Category.objects.all()}
    departments: dict[str, Department] = {}
    for department in Department.objects.all():
        departments[department.name] = department
        departments.setdefault(department.short_name, department)
    errors: list[str] = []
    made: list[RoutingRule] = []
    for n, row in enumerate(rows, start=1):
        prefix = row.region_code.strip()
        if prefix and not (prefix.isdigit() and len(prefix) <= 12):
            errors.append(f"第{n}行：区划编码前缀“{prefix[:12]}”应为不超过12位的数字。")
            continue
        category = None
        if row.category_code.strip():
            category = categories.get(row.category_code.strip())
            if category is None:
                errors.append(f"第{n}行：没有编码为“{row.category_code[:20]}”的诉求分类。")
                continue
        named = departments.get(row.department.strip())
        if named is None:
            errors.append(f"第{n}行：部门“{row.department[:60]}”不在部门名录中。")
            continue
        made.append(RoutingRule(region_code=prefix, category=category, department=named,
                                priority=row.priority))
    if errors:
        raise ImportInvalid(errors)
    last = RoutingVersion.objects.select_for_update().order_by("-number").first()
    RoutingVersion.objects.filter(active=True).update(active=False)
    version = RoutingVersion.objects.create(
        number=(last.number + 1) if last is not None else 1, created_at=now, created_by=user,
        note=note[:200], active=True)
    for rule in made:
        rule.version = version
    RoutingRule.objects.bulk_create(made)
    routing.forget_rules()
    audit_record(actor=actor_for(user), action="hotline.routing.version", obj=version,
                 after={"number": version.number, "rules": len(made), "note": note[:200]})
    return version
