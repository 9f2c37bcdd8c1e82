"""差评 to 12345 (issue 13 §1, channel 好差评差评): a 差评 whose rectification ended with the
rater still dissatisfied at the callback becomes a 12345 complaint.

Why there and not at every 差评: 好差评 has its own process for a 差评 (evaluations: the
department contacts the rater, rectifies within the limit, calls back — 国办发〔2019〕51号, notes
§3), so opening a work order for every 差评 would set two processes and two departments' clocks
on one matter. What that process cannot settle — the rater still 不满意 or 非常不满意 after
the department's own rectification — is what 12345 is for: the county's channel of last resort,
with its own 督办 and 三率 (docs/hotline.md, "差评转办").

Rules held here, once:
- one order per rectification, whatever replays it (external id ``rectification:<pk>``, the
  database's (channel, external_id) uniqueness behind the check);
- the order is confidential: the department is never told who rated (quality.md scorecard
  row 20; the 举报人 protection hides the caller from department staff);
- the rater is the caller (their own 我的12345 lists it; they are told) and the phone is the one the service
  event kept, else the account's; without either there is nobody to call back, and no order
  (logged).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse

from zhengwu.core import clock
from zhengwu.evaluations.indicators import is_bad
from zhengwu.evaluations.models import Rectification
from zhengwu.evaluations.rules import reasons
from zhengwu.hotline.models import Channel, OrderKind, WorkOrder
from zhengwu.hotline.schemas import OrderIn
from zhengwu.hotline.services import clean, create_order
from zhengwu.notifications.services import notify
from zhengwu.process.spec import FollowUp, Outcome

logger = logging.getLogger("zhengwu.hotline")
RATER = "评价人"  # the caller's name when the rating was anonymous (evaluations.RATER_LABEL)


def external_id(rectification_pk: int) -> str:
    return f"rectification:{rectification_pk}"


def _content(row: Rectification) -> str:
    rating, event = row.rating, row.rating.event
    labels = reasons()
    said = "、".join(labels.get(code, code) for code in rating.reasons) or "（未选原因）"
    lines = [
        f"评价人对“{event.item_name or '政务服务'}”的服务给出{rating.get_level_label()}评价，"
        f"责任部门{row.department.name if row.department else '（未明确）'}整改后回访，"
        f"评价人仍{ {4: '不满意', 5: '非常不满意'}.get(row.callback_level or 0, '不满意') }。",
        f"差评原因：{said}。",
    ]
    if rating.text:
        lines.append(f"评价内容：{rating.text}")
    if row.rectify_note:
        lines.append(f"部门整改情况：{row.rectify_note}")
    if row.callback_note:
        lines.append(f"回访情况：{row.callback_note}")
    lines.append(f"（来源：差评整改#{row.pk}，转12345督促办理。）")
    return "\n".join(lines)


@transaction.atomic
def order_from_rectification(rectification_pk: int) -> WorkOrder | None:
    """The work order of a rectification's unsatisfied callback: made once, then returned."""
    key = external_id(rectification_pk)
    existing = WorkOrder.objects.filter(channel=Channel.EVALUATION, external_id=key).first()
    if existing is not None:
        return existing
    row = Rectification.objects.select_related(
        "rating__event__person", "rating__rater", "department").get(pk=rectification_pk)
    rating = row.rating
    person = rating.rater or rating.event.person
    phone = rating.event.contact_phone or (person.phone if person is not None else "") or ""
    if not phone:
        logger.warning("差评整改#%s: no phone to call the rater back, no 12345 order", row.pk)
        return None
    name = (person.display_name if person is not None and rating.real_name else "") or RATER
    cleaned = clean(OrderIn(
        kind=OrderKind.COMPLAINT, title=f"差评整改后仍不满意：{rating.event.item_name}"[:100],
        content=_content(row)[:4000], caller_name=name[:50], caller_phone=phone,
        confidential=True, external_id=key))
    order = create_order(cleaned, channel=Channel.EVALUATION, accepted_by=None, caller=person,
                         now=clock.now())
    if person is not None:
        notify(recipients=[person], title="您的差评已转12345热线督促办理",
               body=(f"您对“{rating.event.item_name}”的评价在部门整改后仍不满意，已转12345热线"
                     f"（工单 {order.number}），将派单办理并回访您。"),
               link=reverse("hotline:order", args=[order.number]), category="hotline",
               dedupe_key=f"order:{order.pk}:from_rectification")
    return order


def rectification_moved(outcome: Outcome[Rectification]) -> Iterable[FollowUp]:
    """engine.listen on the rectification process: a callback still 不满意 → a work order."""
    row = outcome.row
    if outcome.action != "callback" or not is_bad(row.callback_level or 0):
        return []
    pk = row.pk
    return [lambda: order_from_rectification(pk)]
