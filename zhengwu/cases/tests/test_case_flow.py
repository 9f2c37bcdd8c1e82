"""The case life cycle through the services, on the real calendar and the Leiyang pack."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from zhengwu.cases import sweeps
from zhengwu.cases.models import (
    Case,
    CaseStatus,
    CreditRecord,
    Decision,
    DepartmentFailure,
    MaterialKind,
    NoticeKind,
)
from zhengwu.cases.services import (
    MaterialIn,
    MoveIn,
    case_submit,
    case_transition,
    notice_issue,
)
from zhengwu.cases.tests.conftest import FORM, by_commitment, png_bytes, sample_answers
from zhengwu.cases.verification import verification_record
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def move(case, user, action, **kwargs):
    return case_transition(case_id=case.pk, user=user, move=MoveIn(action=action, **kwargs))


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_the_demo_story_ends_in_deemed_approval(food, submit, applicant, clerk):
    case = submit(food)
    assert case.status == CaseStatus.SUBMITTED
    assert case.number.startswith("43048120250926")
    assert case.item_version == food.version
    case = move(case, clerk, "ask_supplement",
                supplement_items=[{"material": "食品安全规章制度目录清单", "reason": "缺少进货查验制度"}])
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT
    case = move(case, applicant, "supplement",
                materials=[MaterialIn("食品安全规章制度目录清单", MaterialKind.UPLOAD, "a.png",
                                      png_bytes())])
    with pytest.raises(MoveNotAllowed):
        move(case, clerk, "ask_supplement", supplement_items=[{"material": "x", "reason": "y"}])
    case = move(case, clerk, "accept")
    # Promised 10 working days from Fri 9/26: 9/28 (调休), 9/29, 9/30, 10/9, 10/10, 10/11 (调休),
    # 10/13, 10/14, 10/15, 10/16.
    assert case.due_at.astimezone(SHANGHAI).date() == dt.date(2025, 10, 16)
    assert not case.due_provisional
    assert sweeps.run(at(2025, 10, 16, 17)).deemed == 0  # still in time on the due day
    report = sweeps.run(at(2025, 10, 17, 9))
    assert report.deemed == 1
    case.refresh_from_db()
    assert (case.status, case.decision) == (CaseStatus.DECIDED, Decision.DEEMED_APPROVED)
    assert case.notices.filter(kind=NoticeKind.DEEMED).count() == 1
    assert DepartmentFailure.objects.filter(case=case, kind="deemed").exists()
    assert case.events.filter(action="deem_approved", actor__isnull=True).count() == 1
    assert OutboxItem.objects.filter(recipient=applicant, subject="申请已超时默认准予").exists()
    assert sweeps.run(at(2025, 10, 20, 9)).deemed == 0  # idempotent


def test_items_not_on_the_list_get_a_red_card_not_an_approval(submit, clerk):
    impl = ItemImplementation.objects.filter(deemed_approval=False, level=4,
                                             department__short_name="市市场监督管理局").first()
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = submit(impl)
        case = move(case, clerk, "accept")
    report = sweeps.run(case.due_at + dt.timedelta(days=3))
    assert report.deemed == 0
    assert report.red >= 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.card == "red"
    assert DepartmentFailure.objects.filter(case=case, kind="overdue").exists()
    # The red-card message to the chief and the supervisors opens the monitoring page.
    from django.test import Client

    from zhengwu.accounts.models import User
    from zhengwu.notifications.models import OutboxItem

    supervisor = User.objects.get(username="supervisor")
    message = OutboxItem.objects.filter(category="monitoring", recipient=supervisor).latest("pk")
    client = Client()
    client.force_login(supervisor)
    assert client.get(message.link).status_code == 200


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_review_chain_then_grant(food, submit, clerk, reviewer, chief):
    case = move(submit(food), clerk, "accept")
    with pytest.raises(MoveNotAllowed, match="审批环节"):
        move(case, reviewer, "grant")
    case = move(case, reviewer, "review_pass")
    with pytest.raises(NotAllowed, match="连续"):
        move(case, reviewer, "review_pass")
    case = move(case, chief, "review_pass")
    case = move(case, reviewer, "grant")
    assert (case.status, case.decision) == (CaseStatus.DECIDED, Decision.GRANTED)
    case = move(case, clerk, "close")
    with pytest.raises(InvalidInput, match="单号"):
        move(case, clerk, "deliver", delivery_method="postal")
    case = move(case, clerk, "deliver", delivery_method="postal", tracking_number="SF123")
    assert case.status == CaseStatus.DELIVERED
    assert [e.action for e in case.events.all()] == [
        "submit", "accept", "review_pass", "review_pass", "grant", "close", "deliver"]


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_suspension_and_one_extension_within_the_legal_limit(food, submit, clerk, reviewer):
    case = move(submit(food), clerk, "accept")
    due = case.due_at
    with time_machine.travel(at(2025, 9, 29), tick=False):
        case = move(case, reviewer, "suspend", procedure_kind="expert_review", reason="专家评审")
    with time_machine.travel(at(2025, 10, 15), tick=False):
        case = move(case, reviewer, "resume", reason="评审通过")
    assert case.procedures.get().paused_workdays == 8
    assert case.due_at.date() > due.date()
    with pytest.raises(InvalidInput, match="法定期限"):
        move(case, reviewer, "extend", reason="情况复杂", approver="局长 李某", extra_workdays=40)
    case = move(case, reviewer, "extend", reason="情况复杂", approver="局长 李某",
                extra_workdays=5)
    with pytest.raises(MoveNotAllowed, match="延期一次"):
        move(case, reviewer, "extend", reason="再延", approver="局长", extra_workdays=1)


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_commitment_is_decided_on_the_spot_and_a_false_one_is_revoked(submit, clerk, staff_of):
    impl = ItemImplementation.objects.get(item__name="公共场所卫生许可", level=4)
    materials = by_commitment(impl)
    case = submit(impl, materials=materials)
    assert case.by_commitment
    case = move(case, clerk, "accept")
    case = move(case, clerk, "grant")
    assert case.decision == Decision.GRANTED
    assert case.verification.due_at > case.decided_at
    inspector = staff_of("市卫健局")
    verification_record(case_id=case.pk, user=inspector, truthful=False, finding="场所未取得卫生检测报告")
    case.refresh_from_db()
    assert case.status == CaseStatus.REVOKED
    record = CreditRecord.objects.get(case=case, subject_id_number=FORM["id_number"])
    # The 失信记录 is in the transparency log with the case, naming the person only by a
    # salted commitment: the public entry never carries the ID number or the name.
    import hashlib
    import hmac
    import json

    from zhengwu.ledger.models import LedgerEntry

    logged = LedgerEntry.objects.get(ref=f"cases.CreditRecord:{record.pk}")
    content = bytes(logged.entry)
    assert FORM["id_number"].encode() not in content and record.subject_name.encode() not in content
    data = json.loads(content)["data"]
    assert (data["type"], data["case"], data["subject_kind"]) == ("告知承诺不实", case.number,
                                                                  "person")
    salt = bytes.fromhex(logged.private["salt"])
    assert data["subject_commitment"] == hmac.new(salt, FORM["id_number"].encode(),
                                                  lambda: hashlib.new("sm3")).hexdigest()


def test_bad_submissions_are_refused_with_reasons(food, applicant):
    with pytest.raises(InvalidInput, match="缺少必要材料"):
        case_submit(implementation_id=food.pk, submitted_by=applicant, form_data=FORM,
                    materials=[])
    with pytest.raises(InvalidInput, match="校验"):
        case_submit(implementation_id=food.pk, submitted_by=applicant,
                    form_data={**FORM, "id_number": "110105194912310021"}, materials=[])
    with pytest.raises(InvalidInput, match="PDF、JPG 或 PNG"):
        case_submit(implementation_id=food.pk, submitted_by=applicant, form_data=FORM,
                    materials=[MaterialIn(m.name, MaterialKind.UPLOAD, "x.exe", b"MZ\x90\x00")
                               for m in food.materials.filter(source="applicant", required=True)])
    assert not Case.objects.exists()


def test_idempotent_submission(food, submit, applicant):
    first = submit(food, idempotency_key="k-1")
    again = submit(food, idempotency_key="k-1")
    assert first.pk == again.pk
    with pytest.raises(InvalidInput, match="Idempotency-Key"):
        submit(food, idempotency_key="k-1", form_data={**FORM, "address": "别处"})
    assert Case.objects.count() == 1


def test_others_cannot_touch_a_case(food, submit, supervisor, staff_of):
    case = submit(food)
    stranger = staff_of("市教育局")
    with pytest.raises(Case.DoesNotExist):
        move(case, stranger, "accept")
    with pytest.raises(Case.DoesNotExist):
        move(case, stranger, "withdraw")
    with pytest.raises(NotAllowed):  # supervisors see every case but act on none
        move(case, supervisor, "accept")


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_withdrawal_before_a_decision(food, submit, applicant, clerk):
    case = move(submit(food), clerk, "accept")
    case = move(case, applicant, "withdraw", reason="不办了")
    assert case.status == CaseStatus.WITHDRAWN
    with pytest.raises(MoveNotAllowed):
        move(case, clerk, "accept")


def test_a_promise_of_half_a_day(submit, clerk):
    impl = ItemImplementation.objects.get(item__name="企业设立登记（公司设立登记）", level=4)
    assert impl.promised_limit_workdays == Decimal("0.5")
    with time_machine.travel(at(2025, 10, 10, 9), tick=False):
        from zhengwu.accounts.models import User

        boss = User.objects.get(username="canyin")
        form = {**FORM, "applicant_name": "耒阳某某餐饮有限公司", "id_number": "91430481MA4L0000X0"}
        from zhengwu.core.codes import make_uscc

        form["id_number"] = make_uscc("9", "1", "430481", "MA4L0000")
        case = case_submit(implementation_id=impl.pk, submitted_by=boss, form_data=form,
                           answers=sample_answers(impl), materials=[MaterialIn(m.name, MaterialKind.UPLOAD, "a.pdf",
                                                 b"%PDF-1.4\n%%EOF\n")
                                      for m in impl.materials.filter(
                                          source__in=("applicant", "commitment"),
                                          required=True)]).case
        case = move(case, clerk, "accept")
    assert case.due_at.astimezone(SHANGHAI) == at(2025, 10, 10, 17).replace(minute=30)


def test_an_unanswered_application_counts_as_accepted_from_receipt(food, submit):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = submit(food)
    assert sweeps.run(at(2025, 10, 10, 12)).accepted_by_law == 0  # day 5 still running
    assert sweeps.run(at(2025, 10, 11, 9)).accepted_by_law == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.accepted_at == at(2025, 9, 26)  # the clock runs from receipt
    assert case.events.get(action="accept").actor is None


def test_staff_reading_a_case_is_logged_for_the_applicant(food, submit, clerk, applicant):
    from zhengwu.cases.models import CaseAccess
    from zhengwu.cases.services import case_access_record
    from zhengwu.core.models import AuditEvent

    case = submit(food)
    case_access_record(case=case, user=applicant, purpose="查看")
    assert not CaseAccess.objects.filter(case=case).exists()  # one's own case is not logged
    case_access_record(case=case, user=clerk, purpose="受理审查")
    case_access_record(case=case, user=clerk, purpose="核对身份", unmasked=True)
    rows = list(case.accesses.order_by("at", "id"))
    assert [(r.purpose, r.unmasked) for r in rows] == [("受理审查", False), ("核对身份", True)]
    assert rows[0].department_label == "耒阳市政务服务中心"
    assert AuditEvent.objects.filter(action="cases.unmask", object_id=str(case.pk)).count() == 1


def test_provisional_deadlines_become_official_when_the_year_is_entered(food, submit, clerk):
    from zhengwu.cases.services import cases_recompute_provisional
    from zhengwu.core.audit import SYSTEM
    from zhengwu.workdays.services import parse_schedule, schedule_year_enter

    with time_machine.travel(at(2026, 12, 24), tick=False):
        case = move(submit(food), clerk, "accept")
    # 10 working days from Thu 12/24: 12/25, 28, 29, 30, 31, then 2027 weekends-only: 1/1 …
    assert case.due_provisional
    assert case.due_at.date() == dt.date(2027, 1, 7)
    rows = parse_schedule("2027-01-01,放假,元旦\n")
    schedule_year_enter(year=2027, rows=rows, document="国办发明电〔2026〕示例号", actor=SYSTEM)
    assert cases_recompute_provisional(2027) == 1  # the callback runs on commit in production
    case.refresh_from_db()
    assert not case.due_provisional
    assert case.due_at.date() == dt.date(2027, 1, 8)
    assert case.events.filter(action="recompute_due").exists()


def test_files_left_by_a_refused_submission_are_cleaned_up(settings, tmp_path, food, submit):
    import os

    from zhengwu.cases.sweeps import remove_orphan_uploads

    settings.MEDIA_ROOT = tmp_path
    case = submit(food)
    kept = {m.file.name for m in case.materials.all()}
    orphan = tmp_path / "cases" / "2025" / "09" / "left-over.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    old = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI).timestamp()
    os.utime(orphan, (old, old))
    for name in kept:
        os.utime(tmp_path / name, (old, old))
    assert remove_orphan_uploads(at(2025, 9, 30)) == 1
    assert not orphan.exists()
    assert all((tmp_path / name).exists() for name in kept)


def test_monitoring_counts_cards_per_department_item_and_person(food, submit, clerk, reviewer):
    from zhengwu.cases import selectors

    with time_machine.travel(at(2025, 9, 26), tick=False):
        case = move(submit(food), clerk, "accept")
        move(case, reviewer, "review_pass")
    impl = ItemImplementation.objects.filter(deemed_approval=False, level=4,
                                             department=food.department).first()
    with time_machine.travel(at(2025, 9, 26), tick=False):
        other = move(submit(impl), clerk, "accept")
    sweeps.run(max(case.due_at, other.due_at) + dt.timedelta(days=2))
    report = selectors.monitoring(since=dt.date(2025, 9, 1))
    failures = {row["department__name"]: row for row in report.failures}
    assert failures["耒阳市市场监督管理局"]["deemed"] == 1
    assert failures["耒阳市市场监督管理局"]["overdue"] == 1
    assert report.red == 1
    assert [(p["handler"], p["red"]) for p in report.by_person] == [(None, 1)]
    assert report.by_item[0]["implementation__item__name"] == impl.item.name


def test_notice_numbers_never_collide_between_departments(submit, clerk):
    """Departments share the pack's prefix 耒政服, so they share one sequence per kind."""
    per_department = {}
    for impl in ItemImplementation.objects.filter(level=4, online_depth__gte=2,
                                                  deemed_approval=True).order_by("pk"):
        per_department.setdefault(impl.department_id, impl)
    impls = list(per_department.values())[:3]
    assert len(impls) == 3
    with time_machine.travel(at(2025, 9, 26), tick=False):
        cases = [move(submit(impl), clerk, "accept") for impl in impls]
    numbers = [c.notices.get(kind=NoticeKind.ACCEPTANCE).number for c in cases]
    assert numbers == [f"耒政服受〔2025〕{n}号" for n in (1, 2, 3)]
    # The sweep numbers its 默认准予 notices in blocks, across departments too.
    assert sweeps.run(max(c.due_at for c in cases) + dt.timedelta(days=3)).deemed == 3
    deemed = sorted(n.number for c in cases for n in c.notices.filter(kind=NoticeKind.DEEMED))
    assert deemed == [f"耒政服默〔2025〕{n}号" for n in (1, 2, 3)]


def test_notices_that_print_alike_share_one_sequence(submit):
    """A 文号 is numbered per printed prefix: 测不 + 受 and 测 + 不受 both print 测不受, and
    must not both be 测不受〔2025〕1号 (Notice.number is unique)."""
    per_department = {}
    for impl in ItemImplementation.objects.filter(level=4, online_depth__gte=2).order_by("pk"):
        per_department.setdefault(impl.department_id, impl)
    first, second = list(per_department.values())[:2]
    first.department.document_prefix, second.department.document_prefix = "测不", "测"
    first.department.save(update_fields=["document_prefix"])
    second.department.save(update_fields=["document_prefix"])
    moment = at(2025, 9, 26)
    accepted = notice_issue(submit(first), NoticeKind.ACCEPTANCE, at=moment)
    refused = notice_issue(submit(second), NoticeKind.REFUSAL, at=moment)
    assert [accepted.number, refused.number] == ["测不受〔2025〕1号", "测不受〔2025〕2号"]
