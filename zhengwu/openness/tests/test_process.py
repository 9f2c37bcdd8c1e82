"""依申请公开 through the process: the golden due dates of arts. 30–33 on the official 2026
calendar (中秋 25–27 September, 国庆 1–7 October, 调休 20 September and 10 October worked),
recomputed whenever a date changes; the guards of the 条例; the answers; the overdue sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.notifications.models import OutboxItem
from zhengwu.openness import services
from zhengwu.openness.models import AnswerType, OpennessRequest, RequestEvent
from zhengwu.openness.models import RequestStatus as S
from zhengwu.openness.tests.conftest import at, moved, submitted
from zhengwu.process.spec import MoveNotAllowed

pytestmark = pytest.mark.django_db
D = dt.date


def _online(applicant, market, day=None):
    return submitted(applicant, day or at(2026, 9, 16), market)


def test_online_counts_from_the_confirmation(applicant, market, officer):
    row = _online(applicant, market, at(2026, 9, 15))
    assert row.status == S.SUBMITTED and row.due_on is None and row.number.startswith("GK2026")
    row = moved(row.number, officer, at(2026, 9, 16), action="confirm")
    # Art. 31/33: received Wednesday 16 September → the 20th working day is 20 October.
    assert row.status == S.PROCESSING and row.received_on == D(2026, 9, 16)
    assert row.due_on == D(2026, 10, 20)
    assert row.supplement_notice_due_on == D(2026, 9, 24)
    assert OutboxItem.objects.filter(recipient=applicant, subject__contains="确认收到").exists()


def test_a_confirmation_cannot_be_in_the_future_nor_before_submission(applicant, market,
                                                                        officer):
    row = _online(applicant, market, at(2026, 9, 15))
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        moved(row.number, officer, at(2026, 9, 16), action="confirm", on=D(2026, 9, 17))
    with pytest.raises(InvalidInput, match="不能早于"):
        moved(row.number, officer, at(2026, 9, 16), action="confirm", on=D(2026, 9, 14))


def test_in_person_and_registered_post_start_at_once(officer, market):
    visit = submitted(officer, at(2026, 9, 16), market, channel="in_person", name="王五",
                      id_number="430481199001011234", phone="13912345678",
                      requester_kind="citizen")
    assert visit.status == S.PROCESSING and visit.due_on == D(2026, 10, 20)
    letter = submitted(officer, at(2026, 9, 18), market, channel="registered_post", name="王五",
                       id_number="430481199001011234", phone="13912345678",
                       requester_kind="citizen", submitted_on=D(2026, 9, 14),
                       signed_for_on=D(2026, 9, 16))
    assert letter.received_on == D(2026, 9, 16) and letter.due_on == D(2026, 10, 20)
    with pytest.raises(services.RequestInvalid) as problem:
        submitted(officer, at(2026, 9, 18), market, channel="registered_post", name="王五",
                  id_number="430481199001011234", phone="13912345678",
                  requester_kind="citizen")
    assert "signed_for_on" in problem.value.fields


def test_staff_record_only_for_their_own_agency(other_officer, market):
    with pytest.raises(services.RequestInvalid) as problem:
        submitted(other_officer, at(2026, 9, 16), market, channel="in_person", name="王五",
                  id_number="430481199001011234", phone="13912345678",
                  requester_kind="citizen")
    assert "department" in problem.value.fields


def test_a_supplement_restarts_the_limit_across_national_day(applicant, market, officer):
    """Art. 30: one notice within 7 working days; the limit restarts from the supplement's
    receipt: supplemented 30 September → 20 working days after the holiday, 3 November."""
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    row = moved(row.number, officer, at(2026, 9, 18), action="supplement_notice",
                note="请写明抽检批次", until=D(2026, 10, 16))
    assert row.status == S.SUPPLEMENT
    row = moved(row.number, applicant, at(2026, 9, 30), action="supplement_submit",
                note="2025年第三批次")
    assert row.status == S.PROCESSING and row.supplement_received_on == D(2026, 9, 30)
    assert row.due_on == D(2026, 11, 3)
    # Once only.
    with pytest.raises(MoveNotAllowed, match="只能告知一次"):
        moved(row.number, officer, at(2026, 9, 30), action="supplement_notice", note="再补",
              until=D(2026, 10, 20))


def test_the_supplement_notice_is_late_after_seven_working_days(applicant, market, officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    with pytest.raises(MoveNotAllowed, match="7个工作日"):
        moved(row.number, officer, at(2026, 9, 25), action="supplement_notice", note="补",
              until=D(2026, 10, 16))


def test_unsupplemented_lapses_only_after_its_period(applicant, market, officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    moved(row.number, officer, at(2026, 9, 18), action="supplement_notice", note="补",
          until=D(2026, 10, 16))
    with pytest.raises(MoveNotAllowed, match="补正期限"):
        moved(row.number, officer, at(2026, 10, 16), action="lapse")
    assert moved(row.number, officer, at(2026, 10, 19), action="lapse").status == S.LAPSED


def test_an_extension_with_approval_the_requester_told(applicant, market, officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    with pytest.raises(InvalidInput, match="1至20个工作日"):
        moved(row.number, officer, at(2026, 10, 12), action="extend", workdays=21,
              approved_by="李主任", note="需调档")
    with pytest.raises(InvalidInput, match="负责人"):
        moved(row.number, officer, at(2026, 10, 12), action="extend", workdays=20, note="调档")
    row = moved(row.number, officer, at(2026, 10, 12), action="extend", workdays=20,
                approved_by="李主任", note="需调取档案")
    assert row.due_on == D(2026, 11, 17) and row.extension_workdays == 20
    assert OutboxItem.objects.filter(recipient=applicant, subject__contains="延长").exists()
    with pytest.raises(MoveNotAllowed, match="已延长过"):
        moved(row.number, officer, at(2026, 10, 13), action="extend", workdays=1,
              approved_by="李主任", note="再延")


def test_third_party_time_is_not_counted(applicant, market, officer):
    """Art. 32–33: the third party received the letter on 12 October and answered on the 16th:
    those 4 working days are not counted (20 October → 26 October). While it may still answer
    the due date counts its whole 15 working days, and the agency may not answer yet."""
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    row = moved(row.number, officer, at(2026, 10, 12), action="consult",
                third_party="耒阳某某食品公司", on=D(2026, 10, 12))
    assert row.consulting_until == D(2026, 11, 2)
    assert row.due_on == D(2026, 11, 10)  # 15 working days counted out while it waits
    with pytest.raises(MoveNotAllowed, match="第三方答复期限"):
        moved(row.number, officer, at(2026, 10, 14), action="answer",
              answer_type=AnswerType.DISCLOSED, note="见附件")
    row = moved(row.number, officer, at(2026, 10, 16), action="third_party_answer",
                agrees=False, note="涉及商业秘密")
    assert row.consulting_until is None and row.due_on == D(2026, 10, 26)
    row = moved(row.number, officer, at(2026, 10, 19), action="answer",
                answer_type=AnswerType.PARTIAL, note="公开抽检结论", reason="配方属商业秘密",
                legal_basis="《政府信息公开条例》第十五条、第三十七条")
    assert row.status == S.ANSWERED and row.answered_on_time is True


def test_a_silent_third_party_lets_the_agency_answer_after_its_fifteen_days(applicant, market,
                                                                            officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    moved(row.number, officer, at(2026, 10, 12), action="consult", third_party="某公司")
    with pytest.raises(MoveNotAllowed):
        moved(row.number, officer, at(2026, 11, 2), action="answer",
              answer_type=AnswerType.DISCLOSED, note="公开")
    row = moved(row.number, officer, at(2026, 11, 3), action="answer",
                answer_type=AnswerType.DISCLOSED, note="第三方逾期未答复，予以公开")
    assert row.status == S.ANSWERED and row.due_on == D(2026, 11, 10)


@pytest.mark.parametrize(("kind", "extra", "missing"), [
    (AnswerType.ALREADY_PUBLIC, {}, None),
    (AnswerType.DISCLOSED, {}, None),
    (AnswerType.NOT_EXIST, {}, None),
    (AnswerType.REPEATED, {}, None),
    (AnswerType.PARTIAL, {"reason": "部分涉及个人隐私", "legal_basis": "条例第十五条"},
     "legal_basis"),
    (AnswerType.WITHHELD, {"reason": "属国家秘密", "legal_basis": "条例第十四条"},
     "legal_basis"),
    (AnswerType.SPECIAL_LAW, {"reason": "不动产登记资料", "legal_basis": "不动产登记暂行条例"},
     "legal_basis"),
    (AnswerType.NEEDS_PROCESSING, {"reason": "需汇总分析", "legal_basis": "条例第三十八条"},
     "reason"),
    (AnswerType.NOT_GOVERNMENT_INFO, {"reason": "属咨询", "legal_basis": "条例第二条"},
     "reason"),
    (AnswerType.NOT_OURS, {"reason": "由市教育局制作", "right_agency": "市教育局 0734-1234567"},
     "reason"),
])
def test_the_answers_of_the_regulation(applicant, market, officer, kind, extra, missing):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    if missing is not None:
        with pytest.raises(InvalidInput) as refused:
            moved(row.number, officer, at(2026, 9, 17), action="answer", answer_type=kind,
                  note="答复", **{k: v for k, v in extra.items() if k != missing})
        assert refused.value.code == f"openness.{missing}_required"
    row = moved(row.number, officer, at(2026, 9, 17), action="answer", answer_type=kind,
                note="答复内容", **extra)
    assert row.status == S.ANSWERED and row.answer_type == kind
    assert row.right_agency == extra.get("right_agency", "")
    assert OutboxItem.objects.filter(recipient=applicant, subject__contains="已答复").exists()


def test_an_answer_type_must_be_one_of_the_regulation(applicant, market, officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    with pytest.raises(InvalidInput, match="答复类型"):
        moved(row.number, officer, at(2026, 9, 17), action="answer", answer_type="maybe",
              note="答复")


def test_the_requester_makes_no_staff_move(applicant, market):
    row = _online(applicant, market)
    with pytest.raises(NotAllowed):
        moved(row.number, applicant, at(2026, 9, 16), action="confirm")


def test_another_agency_finds_no_request(applicant, market, other_officer, stranger):
    row = _online(applicant, market)
    for user in (other_officer, stranger):
        with pytest.raises(OpennessRequest.DoesNotExist):
            moved(row.number, user, at(2026, 9, 16), action="confirm")


def test_overdue_is_told_once(applicant, market, officer):
    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    assert services.overdue_tell(at(2026, 10, 20, 23)) == 0
    assert services.overdue_tell(at(2026, 10, 21)) == 1
    assert services.overdue_tell(at(2026, 10, 22)) == 0
    assert RequestEvent.objects.filter(application=row, action="overdue").count() == 1
    assert OutboxItem.objects.filter(recipient=officer, subject__contains="已逾期").exists()


def test_every_move_has_its_event_and_audit_row(applicant, market, officer):
    from zhengwu.core.models import AuditEvent

    row = _online(applicant, market)
    moved(row.number, officer, at(2026, 9, 16), action="confirm")
    assert list(RequestEvent.objects.filter(application=row).values_list("action", flat=True)) == [
        "submit", "confirm"]
    assert AuditEvent.objects.filter(action="openness.request.confirm").count() == 1


def test_a_due_date_in_a_year_without_its_schedule_is_provisional(applicant, market, officer):
    """Received Monday 7 December 2026: the 20th working day falls in 2027, whose holidays are
    not published (the bundled calendar ends with 2026) — provisional until entered; then
    1 January a holiday: 5 January."""
    from zhengwu.core.audit import SYSTEM
    from zhengwu.workdays.services import parse_schedule, schedule_year_enter

    row = _online(applicant, market, at(2026, 12, 7))
    row = moved(row.number, officer, at(2026, 12, 7), action="confirm")
    assert row.due_provisional and row.due_on == D(2027, 1, 4)
    schedule_year_enter(year=2027, rows=parse_schedule("2027-01-01,放假,元旦\n"),
                        document="国办发明电〔2026〕示例号", actor=SYSTEM)
    assert services.requests_recompute_provisional(2027) == 1  # on commit in production
    row.refresh_from_db()
    assert not row.due_provisional and row.due_on == D(2027, 1, 5)
    assert RequestEvent.objects.filter(application=row, action="recompute_due").exists()
