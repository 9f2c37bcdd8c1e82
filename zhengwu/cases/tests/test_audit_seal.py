"""Timelines and staff-read logs join the audit trail (quality.md #7, #8, ADR 0010): the next
checkpoint seals them into the chain, so an edited, deleted or slipped-in row is detected by
`audit_verify` — while their write paths gain no statement at all.

Before seals, these rows were outside the chain: every tampering below passed audit-verify.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.bundles.models import BundleAccess, BundleEvent
from zhengwu.cases.models import CaseAccess, CaseEvent, CreditRepairEvent
from zhengwu.cases.services import MoveIn, case_access_record, case_transition, case_unmask
from zhengwu.core import checkpoints
from zhengwu.core.audit import audit_verify
from zhengwu.core.models import AuditEvent


@pytest.fixture
def sealed_case(food, submit, reviewer, clerk):
    """A case with a timeline and two staff reads, all sealed by a signed checkpoint."""
    case = submit(food)
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    case_access_record(case=case, user=reviewer, purpose="查看办件")
    case_access_record(case=case, user=clerk, purpose="查看办件")
    assert checkpoints.checkpoint_write() is not None
    assert audit_verify() == []
    assert not CaseEvent.objects.filter(case=case, audit_seal=None).exists()
    assert not CaseAccess.objects.filter(case=case, audit_seal=None).exists()
    return case


def _seal_problems():
    return [p for p in audit_verify() if p.stream == checkpoints.SEAL_STREAM]


def test_every_timeline_and_access_log_is_sealed():
    from zhengwu.draws.models import DrawEvent
    from zhengwu.evaluations.models import ContactRead, RectificationEvent
    from zhengwu.hall.models import AppointmentEvent, TicketEvent
    from zhengwu.hotline.models import WorkOrderEvent, WorkOrderRead
    from zhengwu.inspections.models import InspectionEvent
    from zhengwu.jointreviews.models import JointReviewEvent
    from zhengwu.market.models import AgencyEvent, ComplaintEvent, ProjectEvent
    from zhengwu.openness.models import RequestEvent, RequestRead
    from zhengwu.policies.models import GrantListEvent, SubjectRead
    from zhengwu.unresolved.models import TicketEvent as UnresolvedTicketEvent
    from zhengwu.unresolved.models import TicketRead

    assert set(checkpoints.sealed_models()) == {
        CaseEvent, CaseAccess, BundleEvent, BundleAccess, JointReviewEvent,
        # 好差评: the rectification's timeline and the officer's reads of the rater's contact.
        RectificationEvent, ContactRead,
        # 预约: an appointment's timeline; 取号: a queue number's (calls, recalls, transfers).
        AppointmentEvent, TicketEvent,
        # 办不成事反映: a ticket's timeline and the staff reads of the person's contact.
        UnresolvedTicketEvent, TicketRead,
        # 12345: a work order's timeline and the staff reads of the caller's name and phone.
        WorkOrderEvent, WorkOrderRead,
        # 依申请公开: a request's timeline and the staff reads of the requester's data.
        RequestEvent, RequestRead,
        # 免申即享: a grant list's timeline (拟定, 复核确认, 撤回), and the staff reads of the
        # persons a benefit for persons lists (name, ID number masked or whole).
        GrantListEvent, SubjectRead,
        # 可验证抽取: a draw's timeline (open, commits, reveals, the result or the abort).
        DrawEvent,
        # 信用修复: a repair's timeline (submit, the decision).
        CreditRepairEvent,
        # 中介超市: an agency's (入驻, 审核, 退回, 处罚), a project's and a complaint's timelines.
        AgencyEvent, ProjectEvent, ComplaintEvent,
        # 双随机一公开: an inspection's timeline (assigned, inspected, 整改, 复查, published).
        InspectionEvent}


def test_an_edited_timeline_event_is_detected(sealed_case):
    event = CaseEvent.objects.filter(case=sealed_case).order_by("id").first()
    CaseEvent.objects.filter(pk=event.pk).update(reason="改写过的理由")
    (problem,) = _seal_problems()
    assert "办件事件：封存的记录内容被修改" in problem.reason


def test_an_edited_staff_read_is_detected(sealed_case):
    access = CaseAccess.objects.filter(case=sealed_case).first()
    CaseAccess.objects.filter(pk=access.pk).update(department_label="别的部门")
    (problem,) = _seal_problems()
    assert "办件查阅记录：封存的记录内容被修改" in problem.reason


def test_a_deleted_staff_read_is_detected(sealed_case):
    CaseAccess.objects.filter(case=sealed_case).order_by("id").first().delete()
    (problem,) = _seal_problems()
    assert "封存了 2 条，现存 1 条" in problem.reason


def test_a_deleted_timeline_event_is_detected(sealed_case):
    CaseEvent.objects.filter(case=sealed_case).order_by("id").last().delete()
    assert any("办件事件" in p.reason and "被删除" in p.reason for p in _seal_problems())


def test_a_row_slipped_in_as_if_sealed_is_detected(sealed_case, reviewer):
    seal = AuditEvent.objects.filter(stream=checkpoints.SEAL_STREAM).latest("seq")
    forged = CaseAccess.objects.create(case=sealed_case, user=reviewer, purpose="查看办件",
                                       at=sealed_case.created_at, audit_seal=seal.seq)
    (problem,) = _seal_problems()
    assert f"#{forged.pk} 标记为已封存" in problem.reason


def test_rows_written_after_the_checkpoint_are_pending_then_sealed(sealed_case, reviewer):
    case_access_record(case=sealed_case, user=reviewer, purpose="查看办件")
    assert checkpoints.unsealed_count() == 1
    assert audit_verify() == []
    assert checkpoints.checkpoint_write() is not None
    assert checkpoints.unsealed_count() == 0
    assert audit_verify() == []


def test_a_tampered_seal_row_breaks_the_chain_and_the_checkpoint(sealed_case):
    seal = AuditEvent.objects.filter(stream=checkpoints.SEAL_STREAM).latest("seq")
    after = seal.after
    after["sealed"]["cases.CaseAccess"]["count"] = 1
    AuditEvent.objects.filter(pk=seal.pk).update(after=after)
    problems = audit_verify()
    assert any(p.stream == checkpoints.SEAL_STREAM and "内容哈希不符" in p.reason
               for p in problems)


def test_seal_rows_without_their_checkpoint_file_are_reported(sealed_case):
    checkpoints.checkpoints_path().unlink()
    assert any("找不到签名检查点文件" in p.reason for p in audit_verify())


# --- the write paths pay nothing -------------------------------------------------------------


def _audit_statements(queries):
    return [q["sql"] for q in queries if "core_audit" in q["sql"]]


def test_a_staff_read_writes_one_row_and_touches_no_audit_table(food, submit, reviewer):
    case = submit(food)
    with CaptureQueriesContext(connection) as captured:
        case_access_record(case=case, user=reviewer, purpose="查看办件")
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "cases_caseaccess" in inserts[0]
    assert _audit_statements(captured.captured_queries) == []


def test_a_move_writes_the_same_three_audit_statements_as_before(food, submit, clerk):
    case = submit(food)
    with CaptureQueriesContext(connection) as captured:
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    # SELECT … FOR UPDATE of the head, INSERT of the row, UPDATE of the head: unchanged.
    assert len(_audit_statements(captured.captured_queries)) == 3


def test_an_unmask_is_logged_and_audited(food, submit, clerk):
    case = submit(food)
    case_unmask(user=clerk, number=case.number, reason="核对身份")
    assert CaseAccess.objects.filter(case=case, unmasked=True).exists()
    assert checkpoints.checkpoint_write() is not None
    assert audit_verify() == []
