"""The rules of 好差评, tests first: one rating per event, only the person served, within the
window; 差评 reasons from the code list; an invalid 差评 needs a second reviewer and may be
appealed; overdue rectification is escalated by the sweep; staff never see who rated."""

from __future__ import annotations

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.core.errors import Conflict, InvalidInput, NotAllowed
from zhengwu.evaluations.models import Rating, Rectification, RectificationStatus
from zhengwu.evaluations.services import (
    MoveIn,
    RatingIn,
    contact_read,
    rating_submit,
    rectification_move,
    rectifications_sweep,
)
from zhengwu.evaluations.tests.conftest import at
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed

pytestmark = pytest.mark.django_db


def rate(user, event, level=1, reasons=(), text=""):
    return rating_submit(user=user, data=RatingIn(kind=event.kind, key=event.key, level=level,
                                                  reasons=list(reasons), text=text)).rating


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_one_rating_per_event(applicant, make_event):
    event = make_event(at(2026, 3, 2, 9))
    rate(applicant, event, level=2)
    with pytest.raises(Conflict) as error:
        rate(applicant, event, level=1)
    assert error.value.code == "rating.already_rated"
    assert Rating.objects.filter(event=event).count() == 1


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_only_the_person_served_may_rate(make_event):
    event = make_event(at(2026, 3, 2, 9))
    other = User.objects.get(username="chuangye")
    with pytest.raises(Rating.event.field.related_model.DoesNotExist):
        rate(other, event)
    with pytest.raises(Rating.event.field.related_model.DoesNotExist):
        rate(User.objects.get(username="clerk"), event)


def test_the_window_closes_seven_days_after_closing(applicant, make_event):
    event = make_event(at(2026, 3, 2, 9))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False), pytest.raises(Conflict) as error:
        rate(applicant, event)
    assert error.value.code == "rating.window_closed"
    with time_machine.travel(at(2026, 3, 9, 8), tick=False):
        assert rate(applicant, event).level == 1


def test_the_window_is_a_setting(applicant, make_event):
    event = make_event(at(2026, 3, 2, 9))
    with override_settings(ZHENGWU_RATING_WINDOW_DAYS=3), \
            time_machine.travel(at(2026, 3, 5, 10), tick=False), pytest.raises(Conflict):
        rate(applicant, event)


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_bad_rating_needs_a_reason_from_the_code_list(applicant, make_event):
    event = make_event(at(2026, 3, 2, 9))
    with pytest.raises(InvalidInput) as error:
        rate(applicant, event, level=5)
    assert error.value.code == "rating.reason_required"
    with pytest.raises(InvalidInput) as error:
        rate(applicant, event, level=4, reasons=["ZZZ"])
    assert error.value.code == "rating.reason"
    rating = rate(applicant, event, level=4, reasons=["A03"], text="等了很久")
    row = Rectification.objects.get(rating=rating)
    assert row.status == RectificationStatus.TRIAGE
    # The department's 首席代表 is told, without who rated.
    told = OutboxItem.objects.filter(recipient__username="chief", category="evaluation")
    assert told.exists()
    assert all("张三" not in item.body and event.key not in item.body for item in told)


def bad(applicant, make_event, closed=None):
    event = make_event(closed or at(2026, 3, 2, 9))
    return Rectification.objects.get(rating=rate(applicant, event, level=5, reasons=["A05"]))


def move(row, user, action, **kwargs):
    return rectification_move(pk=row.pk, user=user, move=MoveIn(action=action, **kwargs))


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_an_invalid_bad_rating_needs_a_second_reviewer(applicant, make_event, chief,
                                                       supervisor):
    row = bad(applicant, make_event)
    with pytest.raises(InvalidInput):
        move(row, chief, "propose_invalid", invalid_kind="malicious")  # no reason
    row = move(row, chief, "propose_invalid", invalid_kind="malicious", note="与办件无关的辱骂")
    assert row.status == RectificationStatus.INVALID_PROPOSED
    # The proposer cannot confirm it, even holding the reviewer's role as well.
    from zhengwu.accounts.roles import Role
    from zhengwu.accounts.services import role_assign

    role_assign(user=chief, role=Role.SUPERVISOR)
    with pytest.raises(NotAllowed) as error:
        move(row, chief, "confirm_invalid")
    assert error.value.code == "rectification.second_reviewer"
    row = move(row, supervisor, "confirm_invalid")
    assert row.status == RectificationStatus.INVALID
    # Shown to the rater, who may appeal.
    assert OutboxItem.objects.filter(recipient=applicant, subject__contains="无效差评").exists()
    row = move(row, applicant, "appeal", note="我确实等了三个小时")
    assert row.status == RectificationStatus.APPEALED
    with pytest.raises(NotAllowed):
        move(row, applicant, "uphold_appeal", complexity="simple")
    row = move(row, supervisor, "uphold_appeal", complexity="simple")
    assert row.status == RectificationStatus.CONTACTING and row.appeal_outcome == "upheld"


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_the_rater_appeals_once_and_within_the_limit(applicant, make_event, chief, supervisor):
    row = bad(applicant, make_event)
    move(row, chief, "propose_invalid", invalid_kind="mistaken", note="选错了等级")
    move(row, supervisor, "confirm_invalid")
    with time_machine.travel(at(2026, 3, 10), tick=False), pytest.raises(MoveNotAllowed):
        move(row, applicant, "appeal", note="晚了")


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_department_not_responsible_cannot_see_it(applicant, make_event, chief_other, clerk):
    row = bad(applicant, make_event)
    for user in (chief_other, clerk):
        with pytest.raises(Rectification.DoesNotExist):
            move(row, user, "accept", complexity="simple")


def test_the_whole_path_on_the_official_calendar(applicant, make_event, chief, supervisor):
    # Friday 2025-09-26: contact within 1 working day is Sunday 09-28 (a 调休 working day);
    # 5 working days (simple): 09-28, 09-29, 09-30, 10-09, 10-10 (National Day 10-01…10-08
    # off). An extension of 3 more: 10-11 (a 调休 Saturday), 10-13, 10-14.
    with time_machine.travel(at(2025, 9, 26), tick=False):
        row = bad(applicant, make_event, closed=at(2025, 9, 26, 9))
        row = move(row, chief, "accept", complexity="simple")
    assert row.contact_due_at.date().isoformat() == "2025-09-28"
    assert row.rectify_due_at.date().isoformat() == "2025-10-10"
    with time_machine.travel(at(2025, 9, 28), tick=False):
        move(row, chief, "contact", note="电话联系，说明情况")
        row = move(row, chief, "request_extension", workdays=3, note="需协调窗口排班")
        with pytest.raises(NotAllowed):
            move(row, chief, "approve_extension")
        row = move(row, supervisor, "approve_extension")
        with pytest.raises(MoveNotAllowed):
            move(row, chief, "request_extension", workdays=1, note="再延")
    assert row.rectify_due_at.date().isoformat() == "2025-10-14"
    with time_machine.travel(at(2025, 10, 14), tick=False):
        move(row, chief, "rectify", note="增加午间窗口")
        row = move(row, chief, "callback", level=2, note="回访满意")
    assert row.status == RectificationStatus.CLOSED and row.callback_level == 2
    assert [e.action for e in row.events.all()] == [
        "open", "accept", "contact", "request_extension", "approve_extension", "rectify",
        "callback"]


def test_overdue_is_warned_then_escalated_once(applicant, make_event, chief, supervisor):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        row = bad(applicant, make_event)
        move(row, chief, "accept", complexity="simple")  # contact by 03-03, rectify by 03-09
        move(row, chief, "contact", note="已联系")
    assert rectifications_sweep(at(2026, 3, 4)) == (0, 0)
    assert rectifications_sweep(at(2026, 3, 9, 9)) == (1, 0)
    assert rectifications_sweep(at(2026, 3, 9, 11)) == (0, 0)
    assert rectifications_sweep(at(2026, 3, 10, 9)) == (0, 1)
    assert rectifications_sweep(at(2026, 3, 11, 9)) == (0, 0)
    row.refresh_from_db()
    assert row.escalated_at is not None
    assert [e.action for e in row.events.all()][-2:] == ["warn", "escalate"]
    assert OutboxItem.objects.filter(recipient=supervisor, subject__contains="逾期").count() == 1


def test_contact_not_made_in_time_is_escalated(applicant, make_event, chief, supervisor):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        row = bad(applicant, make_event)
        move(row, chief, "accept", complexity="complex")
    assert rectifications_sweep(at(2026, 3, 4, 9)) == (0, 1)
    assert OutboxItem.objects.filter(recipient=supervisor,
                                     subject__contains="未按期联系").count() == 1


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_only_the_officer_reads_the_contact_and_the_read_is_logged(applicant, make_event, chief,
                                                                   supervisor):
    row = bad(applicant, make_event)
    with pytest.raises(Conflict):
        contact_read(pk=row.pk, user=chief)  # not triaged yet
    move(row, chief, "accept", complexity="simple")
    with pytest.raises(NotAllowed):
        contact_read(pk=row.pk, user=supervisor)
    contact = contact_read(pk=row.pk, user=chief)
    assert contact.phone == "13800000001"
    assert row.contact_reads.get().user == chief
    from zhengwu.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="evaluations.contact_read").count() == 1


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_concurrent_double_rating_is_one_row(applicant, make_event):
    event = make_event(at(2026, 3, 2, 9))
    with transaction.atomic():
        rate(applicant, event, level=3)
    with pytest.raises(Conflict):
        rate(applicant, event, level=3)


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_the_timeline_and_contact_reads_are_sealed_into_the_audit_chain(applicant, make_event,
                                                                        chief):
    from zhengwu.core import checkpoints
    from zhengwu.core.audit import audit_verify
    from zhengwu.evaluations.models import ContactRead, RectificationEvent

    assert {RectificationEvent, ContactRead} <= set(checkpoints.sealed_models())
    row = bad(applicant, make_event)
    move(row, chief, "accept", complexity="simple")
    contact_read(pk=row.pk, user=chief)
    checkpoints.checkpoint_write(force=True)
    assert not RectificationEvent.objects.filter(audit_seal=None).exists()
    assert not ContactRead.objects.filter(audit_seal=None).exists()
    assert audit_verify() == []


def test_the_sweep_is_registered_before_delivery():
    from zhengwu.core import sweeps

    order = list(sweeps.ordered())
    assert order.index("evaluations.rectifications") < order.index("notifications.deliver")


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_finished_bundle_case_is_one_event_with_an_sms_invitation(db):
    from zhengwu.bundles.models import Bundle, BundleCase
    from zhengwu.bundles.services import SubmitIn, bundle_submit
    from zhengwu.bundles.tests.conftest import (
        ALL_YES,
        CHUANGYE_COMPANY,
        QYKB,
        item_answers_for,
        materials_for,
    )
    from zhengwu.evaluations.events import _bundle_event
    from zhengwu.evaluations.models import ServiceEvent

    chuangye = User.objects.get(username="chuangye")
    bundle = Bundle.objects.get(code=QYKB)
    bundle_case = bundle_submit(submitted_by=chuangye, submission=SubmitIn(
        code=QYKB, answers=dict(ALL_YES), form=dict(CHUANGYE_COMPANY),
        materials=materials_for(bundle), item_answers=item_answers_for(bundle))).bundle_case
    BundleCase.objects.filter(pk=bundle_case.pk).update(status="finished",
                                                        finished_at=at(2026, 3, 2, 9))
    with transaction.atomic():
        _bundle_event(bundle_case.number)
        _bundle_event(bundle_case.number)  # told twice (finish, then deliver): one event
    event = ServiceEvent.objects.get(kind="bundle", key=bundle_case.number)
    assert (event.person, event.department) == (chuangye, bundle.lead_department)
    assert OutboxItem.objects.filter(recipient=chuangye, category="evaluation",
                                     channel="sms").count() == 1
    # Its member cases are not rated on their own.
    assert not ServiceEvent.objects.filter(kind="case").filter(
        key__in=bundle_case.members.values("case__number")).exists()


@time_machine.travel(at(2026, 3, 2), tick=False)
def test_a_hall_visit_plugs_in_as_a_new_kind_without_a_schema_change(applicant, market,
                                                                     monkeypatch):
    from zhengwu.evaluations import events

    # The hall registers "visit" itself (hall.apps); here as before it had.
    assert events.KINDS.get("visit") == "窗口办事"
    monkeypatch.setattr(events, "KINDS", {k: v for k, v in events.KINDS.items()
                                          if k != "visit"})
    with pytest.raises(ValueError, match="unknown service event kind"):
        events.event_record(kind="visit", key="A001-20260302", person_id=applicant.pk,
                            phone="", department_id=market.pk, item_code="", item_name="窗口办事",
                            staff_id=None, at=at(2026, 3, 2, 9))
    events.kind_register("visit", "窗口办事")
    visit = events.event_record(kind="visit", key="A001-20260302", person_id=applicant.pk,
                                phone="", department_id=market.pk, item_code="",
                                item_name="窗口办事", staff_id=None, at=at(2026, 3, 2, 9))
    assert rate(applicant, visit, level=3).event.kind == "visit"
