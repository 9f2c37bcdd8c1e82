"""Which services become service events to rate, and when (issue 12 §6).

Kinds today: a case (办件) once decided — rated after the decision or delivery — and an 一件事
(bundle case) once finished. Hall visits (a queue number), appointments and 12345 work orders
plug in with `kind_register(kind, label)` and a call of `event_record` when they end: the
table references a service by (kind, key) and needs no schema change.

A member case of an 一件事 is not an event of its own: the bundle is the one service the
person asked for (一事一评), so they rate it once.

The listeners are told of the cases' and bundles' moves inside the move's transaction
(engine.listen); they return follow-ups, which record the event (and, when the service
closes, queue the SMS invitation with its one-time token) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.urls import reverse

from zhengwu.bundles.models import BundleCase
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.core import clock
from zhengwu.core.service_actions import Action
from zhengwu.evaluations import rules
from zhengwu.evaluations.models import Invitation, Rating, ServiceEvent
from zhengwu.notifications.models import Channel
from zhengwu.notifications.services import notify, sms_notice_queue
from zhengwu.process.spec import FollowUp, Outcome

KINDS: dict[str, str] = {"case": "办件", "bundle": "一件事"}
# Later: "visit" (窗口办事, by queue number), "appointment" (预约), "workorder" (12345 工单).


def kind_register(kind: str, label: str) -> None:
    """Make a new kind of service rateable (from the owning app's AppConfig.ready()); the
    table needs no migration: `kind` is a string column."""
    if len(kind) > ServiceEvent._meta.get_field("kind").max_length:  # type: ignore[operator]
        raise ValueError(f"service event kind too long: {kind!r}")
    KINDS[kind] = label

CASE_DECIDING = ("grant", "deny", "deem_approved")
CASE_ENDING = ("close", "deliver")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def event_record(*, kind: str, key: str, person_id: int | None, phone: str,
                 department_id: int | None, item_code: str, item_name: str,
                 staff_id: int | None, at: dt.datetime, window: str = "") -> ServiceEvent:
    """Record the service `kind`/`key` as rateable from `at`, or move its closing to `at`
    (a case decided, then closed, then delivered: the window runs from the last)."""
    if kind not in KINDS:
        raise ValueError(f"unknown service event kind {kind!r}")
    event, created = ServiceEvent.objects.get_or_create(kind=kind, key=key, defaults={
        "person_id": person_id, "contact_phone": phone, "department_id": department_id,
        "item_code": item_code, "item_name": item_name[:200], "staff_id": staff_id,
        "window": window[:120], "opened_at": at, "closed_at": at})
    if not created and at > event.closed_at:
        event.closed_at = at
        if staff_id and not event.staff_id:
            event.staff_id = staff_id
        event.save(update_fields=["closed_at", "staff_id"])
    return event


def invitation_send(event: ServiceEvent) -> str | None:
    """Queue the SMS with a one-time rating link (notifications outbox); the token itself is
    kept only as its hash. One invitation per event: to the account served, or — a visitor
    without one (a queue number taken by phone number) — to the phone given for the service."""
    person = event.person
    if (person is None and not event.contact_phone) or event.invitations.exists() \
            or Rating.objects.filter(event=event).exists():
        return None
    token = secrets.token_urlsafe(24)
    Invitation.objects.create(event=event, token_hash=token_hash(token), created_at=clock.now())
    link = reverse("evaluations:token", args=[token])
    title = "请对本次政务服务进行评价"
    # An SMS has no separate link: the address is in the text (the gateway sends the body;
    # ZHENGWU_PUBLIC_URL is the site as people reach it).
    body = (f"您办理的“{event.item_name or KINDS.get(event.kind, '政务服务')}”已办结，欢迎在"
            f"{rules.window_days()}日内评价（非常满意至非常不满意）："
            f"{settings.ZHENGWU_PUBLIC_URL}{link} 链接仅可使用一次。")
    if person is None:
        sms_notice_queue(phone=event.contact_phone, title=title, body=body,
                         category="evaluation")
        return token
    notify(recipients=[person], title=title, body=body, link=link, category="evaluation",
           channels=(Channel.SMS,), dedupe_key=f"evaluation:{event.pk}:invite")
    return token


def _case_staff(case: Case) -> int | None:
    actor = case.events.filter(action__in=CASE_DECIDING).order_by("-id").values_list(
        "actor_id", flat=True).first()
    return actor


def _case_event(case: Case, action: str) -> None:
    # The row the move (or a sweep's batch) left, as it was told: no lookup of the case again.
    at = {"close": case.closed_at, "deliver": case.delivered_at}.get(action) or \
        case.decided_at or clock.now()
    event = event_record(kind="case", key=case.number, person_id=case.applicant_id,
                         phone=case.applicant_phone, department_id=case.department_id,
                         item_code=case.implementation.item.basic_code,
                         item_name=case.implementation.item.name,
                         staff_id=_case_staff(case), at=at)
    if action in CASE_ENDING:
        invitation_send(event)


def case_moved(outcome: Outcome[Case]) -> list[FollowUp]:
    """A case decided, closed or delivered is a service event (not a member of an 一件事)."""
    case, action = outcome.row, outcome.action
    if case.bundle_number or action not in CASE_DECIDING + CASE_ENDING:
        return []
    if outcome.after not in (CaseStatus.DECIDED, CaseStatus.CLOSED, CaseStatus.DELIVERED):
        return []
    return [lambda: _case_event(case, action)]


def _bundle_event(number: str) -> None:
    bundle_case = BundleCase.objects.select_related("bundle").get(number=number)
    at = bundle_case.delivered_at or bundle_case.finished_at or clock.now()
    event = event_record(kind="bundle", key=bundle_case.number,
                         person_id=bundle_case.applicant_id,
                         phone=bundle_case.applicant_phone,
                         department_id=bundle_case.bundle.lead_department_id,
                         item_code=bundle_case.bundle.code, item_name=bundle_case.bundle.name,
                         staff_id=None, at=at)
    invitation_send(event)


def bundle_case_moved(outcome: Outcome[BundleCase]) -> list[FollowUp]:
    if outcome.action not in ("finish", "deliver"):
        return []
    number = outcome.row.number
    return [lambda: _bundle_event(number)]


def rate_action(kind: str, key: str, user: Any) -> list[Action]:
    """The 评价 button on the applicant's case or bundle page (core.service_actions): while
    the person served may still rate it; after, what they gave."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    event = ServiceEvent.objects.filter(kind=kind, key=key, person=user).first()
    if event is None:
        return []
    rating = Rating.objects.filter(event=event).first()
    if rating is not None:
        return [Action("我的评价", reverse("evaluations:mine"),
                       note=f"您已评价：{rules.LEVELS[rating.level]}")]
    if clock.now() > rules.rate_until(event.closed_at):
        return []
    return [Action("评价", reverse("evaluations:rate", args=[kind, key]),
                   note=f"请于{rules.rate_until(event.closed_at).astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}前评价")]
