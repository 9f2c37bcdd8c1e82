"""The rules of 办不成事反映: deadlines in working days on the official calendar, routing to the
department's 首席代表 (the hall manager when it has none), the outcome's rules, and the
overdue sweep's warning and escalation to the centre's director."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.accounts.models import User
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.unresolved.models import Outcome, Ticket, TicketEvent
from zhengwu.unresolved.models import TicketStatus as S
from zhengwu.unresolved.selectors import ticket_by_phone
from zhengwu.unresolved.services import TicketInvalid, tickets_sweep
from zhengwu.unresolved.tests.conftest import at, moved, opened

pytestmark = pytest.mark.django_db


def _recipients(ticket: Ticket, key: str) -> set[str]:
    return set(OutboxItem.objects.filter(
        dedupe_key__startswith=f"ticket:{ticket.pk}:{key}:").values_list(
        "recipient__username", flat=True))


def test_deadlines_count_working_days_over_national_day(applicant, market):
    """Opened on 30 Sep 2026: 1 Oct – 7 Oct are off, 10 Oct (Saturday) is a 调休 working day."""
    ticket = opened(applicant, at(2026, 9, 30), department=market)
    assert ticket.contact_due_at.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2026, 10, 8)
    # 10/8, 10/9, 10/10 (make-up Saturday), 10/12, 10/13.
    assert ticket.resolve_due_at.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2026, 10, 13)
    assert ticket.status == S.OPEN and ticket.number.startswith("BC20260930")


def test_a_ticket_goes_to_the_departments_chief_representative(applicant, market, food, chief):
    ticket = opened(applicant, at(2026, 3, 2), implementation=food.code)
    assert ticket.department == food.department
    assert _recipients(ticket, "open") == {
        u.username for u in User.objects.filter(role_assignments__role="chief_representative",
                                                role_assignments__department=food.department)}
    assert "chief" in _recipients(ticket, "open")
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.action == "open" and event.to_status == S.OPEN


def test_a_department_without_chief_goes_to_the_hall_manager(applicant, hallmgr, chief):
    medical = Department.objects.get(short_name="市医保局")
    ticket = opened(applicant, at(2026, 3, 2), department=medical)
    assert _recipients(ticket, "open") == {"hallmgr"}
    moved(ticket.number, hallmgr, at(2026, 3, 2, 15), action="contact", how="phone",
          note="已电话联系")
    with pytest.raises(Ticket.DoesNotExist):  # not the chief of 市场监管's
        moved(ticket.number, chief, at(2026, 3, 2, 16), action="resolve")


def test_what_was_typed_is_checked_field_by_field(applicant):
    with pytest.raises(TicketInvalid) as problem:
        opened(applicant, at(2026, 3, 2), asked="", told="", phone="123",
               implementation="NOPE")
    assert set(problem.value.fields) == {"asked", "told", "phone", "implementation"}
    assert "手机号码" in problem.value.fields["phone"]


def test_anonymous_needs_name_and_phone(db, market):
    with pytest.raises(TicketInvalid) as problem:
        opened(None, at(2026, 3, 2), department=market, name="", phone="")
    assert set(problem.value.fields) == {"name", "phone"}
    ticket = opened(None, at(2026, 3, 2), department=market, phone="0734-4321567")
    assert ticket.person is None and ticket.name == "王五" and ticket.phone == "07344321567"
    for typed in ("0734-4321567", "07344321567"):
        assert ticket_by_phone(ticket.number, typed) == ticket
    with pytest.raises(Ticket.DoesNotExist):
        ticket_by_phone(ticket.number, "0734-4321568")


def test_staff_record_for_a_person_at_the_window_not_online(clerk, market):
    with pytest.raises(InvalidInput):
        opened(clerk, at(2026, 3, 2), department=market)  # web channel
    ticket = opened(clerk, at(2026, 3, 2), department=market, channel="window")
    assert ticket.recorded_by == clerk and ticket.person is None and ticket.phone


def test_explained_needs_its_legal_basis(applicant, market, chief):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", how="phone",
          note="已电话联系反映人")
    with pytest.raises(InvalidInput) as problem:
        moved(ticket.number, chief, at(2026, 3, 3), action="resolve",
              outcome=Outcome.EXPLAINED, note="确实不能办", summary="食品经营许可咨询")
    assert problem.value.code == "ticket.legal_basis_required"
    assert Ticket.objects.get(pk=ticket.pk).status == S.CONTACTED
    row = moved(ticket.number, chief, at(2026, 3, 3), action="resolve",
                outcome=Outcome.EXPLAINED, note="已当面解释",
                legal_basis="《食品经营许可和备案管理办法》第十二条", summary="食品经营许可咨询")
    assert row.status == S.CLOSED and row.legal_basis.startswith("《食品")
    assert _recipients(row, "resolved") == {"zhangsan"}


def test_a_rule_change_needs_a_proposal_and_reaches_the_catalogue_admins(applicant, market,
                                                                         chief):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", how="visit", note="当面")
    with pytest.raises(InvalidInput) as problem:
        moved(ticket.number, chief, at(2026, 3, 3), action="resolve",
              outcome=Outcome.RULE_CHANGE, note="材料要求过严", summary="材料要求")
    assert problem.value.code == "ticket.proposal_required"
    row = moved(ticket.number, chief, at(2026, 3, 3), action="resolve",
                outcome=Outcome.RULE_CHANGE, note="材料要求过严", summary="材料要求",
                proposal="取消房产证明，改为告知承诺")
    assert {"catalog", "catalog2"} <= _recipients(row, "proposal")


def test_solved_keeps_the_case_number_and_the_outcome_comes_after_contact(applicant, market,
                                                                         chief):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    with pytest.raises(MoveNotAllowed):
        moved(ticket.number, chief, at(2026, 3, 2, 15), action="resolve",
              outcome=Outcome.SOLVED, note="办成", summary="办成")
    moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", how="phone", note="联系")
    row = moved(ticket.number, chief, at(2026, 3, 3), action="resolve", outcome=Outcome.SOLVED,
                note="已帮助办理", case_number="43048120260303000001", summary="食品经营许可")
    assert row.result_case_number == "43048120260303000001" and row.legal_basis == ""


def test_another_departments_chief_and_the_clerk_cannot_act(applicant, market, chief_other,
                                                          clerk):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    for user in (chief_other, clerk):
        with pytest.raises(Ticket.DoesNotExist):
            moved(ticket.number, user, at(2026, 3, 2, 15), action="contact", how="phone",
                  note="x")


def test_overdue_escalates_to_the_director_once(applicant, market, chief):
    ticket = opened(applicant, at(2026, 9, 30), department=market)
    # 8 Oct: the contact limit's day; the outcome is due 13 Oct: nothing yet.
    assert tickets_sweep(at(2026, 10, 8, 12)) == (0, 0)
    # 9 Oct: not contacted → escalated to the centre (hall manager, 电子监察) and the chief.
    assert tickets_sweep(at(2026, 10, 9, 9)) == (0, 1)
    assert _recipients(ticket, "contact_overdue") == {"chief", "hallmgr", "supervisor"}
    assert tickets_sweep(at(2026, 10, 9, 10)) == (0, 0)  # once
    moved(ticket.number, chief, at(2026, 10, 9, 11), action="contact", how="phone", note="联系")
    # 12 Oct: one working day left → the officer is warned, once.
    assert tickets_sweep(at(2026, 10, 12, 9)) == (1, 0)
    assert _recipients(ticket, "warn") == {"chief"}
    assert tickets_sweep(at(2026, 10, 12, 10)) == (0, 0)
    # 14 Oct: past the limit → escalated, once.
    assert tickets_sweep(at(2026, 10, 14, 9)) == (0, 1)
    assert _recipients(ticket, "overdue") == {"chief", "hallmgr", "supervisor"}
    assert tickets_sweep(at(2026, 10, 15, 9)) == (0, 0)
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["open", "escalate_contact", "contact", "warn", "escalate"]


def test_a_closed_ticket_is_not_swept(applicant, market, chief):
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    moved(ticket.number, chief, at(2026, 3, 2, 15), action="contact", how="phone", note="联系")
    moved(ticket.number, chief, at(2026, 3, 3), action="resolve", outcome=Outcome.SOLVED,
          note="已办成", summary="食品经营许可")
    assert tickets_sweep(at(2026, 4, 30)) == (0, 0)


def test_the_sweep_runs_before_delivery(db):
    from zhengwu.core import sweeps

    order = list(sweeps.ordered())
    assert order.index("unresolved.tickets") < order.index("notifications.deliver")


def test_the_centre_reassigns_a_misrouted_ticket(applicant, market, chief, chief_other,
                                                 hallmgr):
    police = Department.objects.get(short_name="市公安局")
    ticket = opened(applicant, at(2026, 3, 2), department=market)
    with pytest.raises(NotAllowed):  # the officer may not send it away himself
        moved(ticket.number, chief, at(2026, 3, 2, 11), action="reassign",
              department_id=police.pk, note="不归我们")
    with pytest.raises(InvalidInput):
        moved(ticket.number, hallmgr, at(2026, 3, 2, 11), action="reassign",
              department_id=police.pk)  # no reason
    row = moved(ticket.number, hallmgr, at(2026, 3, 2, 11), action="reassign",
                department_id=police.pk, note="户籍证明由公安办理")
    assert row.department == police and row.status == S.OPEN
    assert row.resolve_due_at == ticket.resolve_due_at  # the limits keep running
    assert _recipients(row, f"reassign:{police.pk}") == {"chief_gongan"}
    moved(ticket.number, chief_other, at(2026, 3, 2, 15), action="contact", how="phone",
          note="联系")
    with pytest.raises(Ticket.DoesNotExist):
        moved(ticket.number, chief, at(2026, 3, 2, 16), action="resolve")
