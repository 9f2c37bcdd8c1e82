"""The work-order process: 受理 numbering, dispatch limits on the calendar, sign-for in working
hours, 退单 review, answer → callback → close (refused without them), 重办, reopen, 直办,
merge, extension, 催办/督办 notices, permission refusals, and the import's idempotence."""

from __future__ import annotations

import pytest

from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.hotline import services
from zhengwu.hotline.models import Status, WorkOrder, WorkOrderEvent
from zhengwu.hotline.tests.conftest import at, moved, opened
from zhengwu.notifications.models import OutboxItem
from zhengwu.process.spec import MoveNotAllowed
from zhengwu.workdays.calendar import END_OF_DAY, SHANGHAI

pytestmark = pytest.mark.django_db


def end(y, m, d):
    import datetime as dt

    return dt.datetime.combine(dt.date(y, m, d), END_OF_DAY, SHANGHAI)


def handling(operator, market, staff, when=None):
    when = when or at(2026, 12, 7, 9)
    row = opened(operator, when)
    moved(row.number, operator, when, action="dispatch", department_id=market.pk, by="rule")
    return moved(row.number, staff, when, action="sign")


def test_accept_numbers_per_beijing_day(operator):
    first = opened(operator, at(2026, 12, 7, 9))
    second = opened(operator, at(2026, 12, 7, 23, 30))
    third = opened(operator, at(2026, 12, 8, 0, 30))
    assert first.number == "GD202612070001"
    assert second.number == "GD202612070002"
    assert third.number == "GD202612080001"
    assert first.status == Status.DISPATCHING
    assert list(first.events.values_list("action", flat=True)) == ["accept"]


def test_bad_input_is_named_per_field(operator):
    with pytest.raises(services.OrderInvalid) as caught:
        opened(operator, at(2026, 12, 7), kind="rumour", caller_phone="123", title="")
    assert set(caught.value.fields) >= {"kind", "caller_phone", "title"}


def test_report_is_confidential(operator):
    assert opened(operator, at(2026, 12, 7), kind="report").confidential


def test_only_operators_accept_calls(market_staff, caller):
    with pytest.raises(NotAllowed):
        opened(market_staff, at(2026, 12, 7))
    with pytest.raises(NotAllowed):
        opened(caller, at(2026, 12, 7))  # by phone: the operator takes it
    row = opened(caller, at(2026, 12, 7), channel="web")
    assert row.caller == caller


def test_dispatch_sets_limits_across_tiaoxiu_and_holiday(operator, market):
    row = opened(operator, at(2026, 9, 30, 17))
    row = moved(row.number, operator, at(2026, 9, 30, 17), action="dispatch",
                department_id=market.pk, by="manual")
    assert row.status == Status.SIGNING
    assert row.sign_due_at == at(2026, 10, 8, 10, 0)  # 0.5 h on 9/30, 1.5 h after 国庆
    assert row.due_at == end(2026, 10, 13)  # 10/8, 10/9, 10/10 (调休 Sat), 10/12, 10/13
    event = row.events.get(action="dispatch")
    assert event.data["by"] == "manual" and event.data["department_id"] == market.pk


def test_business_order_is_shorter(operator, market):
    row = opened(operator, at(2026, 12, 7, 9), enterprise_uscc="91430481MA4L3XBY88")
    assert row.business
    row = moved(row.number, operator, at(2026, 12, 7, 9), action="dispatch",
                department_id=market.pk)
    assert row.due_at == end(2026, 12, 9)  # complaint 5 → 2 working days


def test_business_order_has_a_named_handler_from_dispatch(operator, market, market_staff,
                                                          market_chief):
    """Measure 28: a 营商环境 order is owned by name (the department's 首席代表) from its
    dispatch, whoever signs; an ordinary order's handler is whoever signs."""
    row = opened(operator, at(2026, 12, 7, 9), enterprise_uscc="91430481MA4L3XBY88")
    row = moved(row.number, operator, at(2026, 12, 7, 9), action="dispatch",
                department_id=market.pk)
    assert row.handler == market_chief and services.owners(row) == [market_chief]
    assert OutboxItem.objects.filter(recipient=market_chief,
                                     subject__startswith="营商环境工单").exists()
    row = moved(row.number, market_staff, at(2026, 12, 7, 10), action="sign")
    assert row.handler == market_chief
    plain = opened(operator, at(2026, 12, 7, 9))
    plain = moved(plain.number, operator, at(2026, 12, 7, 9), action="dispatch",
                  department_id=market.pk)
    assert plain.handler is None
    plain = moved(plain.number, market_staff, at(2026, 12, 7, 10), action="sign")
    assert plain.handler == market_staff


def test_sign_on_time_and_late(operator, market, market_staff):
    row = opened(operator, at(2026, 12, 4, 16, 30))
    moved(row.number, operator, at(2026, 12, 4, 16, 30), action="dispatch",
          department_id=market.pk)
    row = moved(row.number, market_staff, at(2026, 12, 7, 9, 15), action="sign")
    assert row.sign_due_at == at(2026, 12, 7, 9, 30)
    assert row.events.get(action="sign").data == {"on_time": True}
    assert row.handler == market_staff
    other = opened(operator, at(2026, 12, 4, 16, 30))
    moved(other.number, operator, at(2026, 12, 4, 16, 30), action="dispatch",
          department_id=market.pk)
    other = moved(other.number, market_staff, at(2026, 12, 7, 10), action="sign")
    assert other.events.get(action="sign").data == {"on_time": False}


def test_other_department_cannot_see_or_sign(operator, market, police_staff):
    row = opened(operator, at(2026, 12, 7))
    moved(row.number, operator, at(2026, 12, 7), action="dispatch", department_id=market.pk)
    with pytest.raises(WorkOrder.DoesNotExist):
        moved(row.number, police_staff, at(2026, 12, 7), action="sign")


def test_operator_cannot_sign_and_staff_cannot_dispatch(operator, market, market_staff):
    row = opened(operator, at(2026, 12, 7))
    moved(row.number, operator, at(2026, 12, 7), action="dispatch", department_id=market.pk)
    with pytest.raises(NotAllowed):
        moved(row.number, operator, at(2026, 12, 7), action="sign")
    with pytest.raises(MoveNotAllowed):
        moved(row.number, market_staff, at(2026, 12, 7), action="dispatch",
              department_id=market.pk)


def test_return_review_approve_and_reject(operator, market, police, market_staff,
                                          police_staff):
    row = opened(operator, at(2026, 12, 7, 9))
    moved(row.number, operator, at(2026, 12, 7, 9), action="dispatch", department_id=market.pk)
    with pytest.raises(InvalidInput):
        moved(row.number, market_staff, at(2026, 12, 7, 9, 30), action="return")
    row = moved(row.number, market_staff, at(2026, 12, 7, 9, 30), action="return",
                note="属治安案件，应由公安处理")
    assert row.status == Status.RETURNED and row.return_count == 1
    assert OutboxItem.objects.filter(recipient__username="hotline",
                                     subject__contains="退单待审核").exists()
    row = moved(row.number, operator, at(2026, 12, 7, 10), action="return_approve",
                department_id=police.pk)
    assert row.status == Status.SIGNING and row.department == police
    # The police return it too; the operator rejects: back to the police, 2 h to sign.
    moved(row.number, police_staff, at(2026, 12, 7, 11), action="return", note="不属本单位")
    row = moved(row.number, operator, at(2026, 12, 7, 11), action="return_reject",
                note="涉及治安管理，属公安职责")
    assert row.status == Status.SIGNING and row.department == police
    assert row.sign_due_at == at(2026, 12, 7, 15, 30)
    assert row.return_count == 2


def test_close_needs_reply_and_callback(operator, market, market_staff):
    row = handling(operator, market, market_staff)
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 8), action="close")  # still handling
    with pytest.raises(InvalidInput):
        moved(row.number, market_staff, at(2026, 12, 8), action="answer")
    moved(row.number, market_staff, at(2026, 12, 8), action="answer",
          reply="已现场检查，责令下架过期食品并立案调查。")
    with pytest.raises(MoveNotAllowed) as caught:
        moved(row.number, operator, at(2026, 12, 8), action="close")
    assert caught.value.code == "order.callback_missing"
    with pytest.raises(InvalidInput):
        moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True)
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="satisfied")
    row = moved(row.number, operator, at(2026, 12, 8, 11), action="close")
    assert row.status == Status.CLOSED and row.closed_at == at(2026, 12, 8, 11)
    actions = list(row.events.values_list("action", flat=True))
    assert actions == ["accept", "dispatch", "sign", "answer", "callback", "close"]


def test_unsatisfied_callback_redo(operator, market, market_staff):
    row = handling(operator, market, market_staff)
    moved(row.number, market_staff, at(2026, 12, 8), action="answer", reply="已处理。")
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=False,
          satisfaction="unsatisfied")
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 8), action="close")
    row = moved(row.number, operator, at(2026, 12, 8), action="redo", note="超市仍在销售")
    assert row.status == Status.HANDLING and row.reopen_count == 1
    assert row.callback_at is None and row.due_at == end(2026, 12, 15)
    # Satisfied orders are not redone.
    moved(row.number, market_staff, at(2026, 12, 9), action="answer", reply="已再次检查。")
    moved(row.number, operator, at(2026, 12, 9), action="callback", resolved=True,
          satisfaction="satisfied")
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 9), action="redo", note="x")


def test_reopen_a_closed_order(operator, market, market_staff, police_staff):
    row = handling(operator, market, market_staff)
    moved(row.number, market_staff, at(2026, 12, 8), action="answer", reply="已处理。")
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="basic")
    moved(row.number, operator, at(2026, 12, 8), action="close")
    with pytest.raises(WorkOrder.DoesNotExist):
        moved(row.number, police_staff, at(2026, 12, 9), action="reopen", note="x")
    row = moved(row.number, operator, at(2026, 12, 9), action="reopen", note="问题复发")
    assert row.status == Status.HANDLING and row.reopen_count == 1 and row.closed_at is None


def test_direct_only_for_consultations(operator):
    row = opened(operator, at(2026, 12, 7), kind="consult", title="社保卡补办地点")
    row = moved(row.number, operator, at(2026, 12, 7), action="direct",
                reply="可到市政务服务中心人社窗口补办。")
    assert row.status == Status.CLOSED and row.direct
    other = opened(operator, at(2026, 12, 7))
    with pytest.raises(MoveNotAllowed):
        moved(other.number, operator, at(2026, 12, 7), action="direct", reply="x")


def test_merge_copies_the_reply_on_close(operator, market, market_staff, caller):
    main = handling(operator, market, market_staff)
    duplicate = opened(caller, at(2026, 12, 7, 9, 30), channel="web")
    with pytest.raises(InvalidInput):
        moved(duplicate.number, operator, at(2026, 12, 7), action="merge",
              into=duplicate.number)
    duplicate = moved(duplicate.number, operator, at(2026, 12, 7, 10), action="merge",
                      into=main.number)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == main
    moved(main.number, market_staff, at(2026, 12, 8), action="answer", reply="已责令下架。")
    moved(main.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="satisfied")
    moved(main.number, operator, at(2026, 12, 8), action="close")
    duplicate.refresh_from_db()
    assert duplicate.reply == "已责令下架。" and duplicate.closed_at is not None
    assert OutboxItem.objects.filter(recipient=caller, subject="您的诉求已办结").exists()


def test_extension_request_and_approval(operator, market, market_staff, supervisor):
    row = handling(operator, market, market_staff)
    assert row.due_at == end(2026, 12, 14)
    with pytest.raises(MoveNotAllowed):
        moved(row.number, operator, at(2026, 12, 8), action="extend_approve", days=2)
    moved(row.number, market_staff, at(2026, 12, 8), action="extend_request", days=3,
          note="需检测机构出具报告")
    with pytest.raises(MoveNotAllowed):
        moved(row.number, market_staff, at(2026, 12, 8), action="extend_request", days=3,
              note="again")
    with pytest.raises(NotAllowed):
        moved(row.number, market_staff, at(2026, 12, 8), action="extend_approve")
    row = moved(row.number, supervisor, at(2026, 12, 8), action="extend_approve")
    assert row.due_at == end(2026, 12, 17) and row.extension_days == 3
    assert not row.extension_requested


def test_urge_and_supervise_notify_named_owners(operator, market, market_staff, supervisor):
    row = handling(operator, market, market_staff)
    moved(row.number, operator, at(2026, 12, 8), action="urge", note="请尽快处理")
    assert OutboxItem.objects.filter(recipient=market_staff,
                                     subject__startswith="催办").exists()
    moved(row.number, supervisor, at(2026, 12, 8), action="supervise")
    assert OutboxItem.objects.filter(recipient__username="chief",
                                     subject__startswith="督办").exists()
    with pytest.raises(NotAllowed):
        moved(row.number, market_staff, at(2026, 12, 8), action="urge")


def test_escalate_and_delegate(operator, market, market_staff):
    from zhengwu.departments.models import Department

    township = Department.objects.get(short_name="蔡子池街道")
    row = handling(operator, market, market_staff)
    with pytest.raises(InvalidInput):
        moved(row.number, market_staff, at(2026, 12, 8), action="delegate",
              department_id=market.pk)
    row = moved(row.number, market_staff, at(2026, 12, 8), action="delegate",
                department_id=township.pk)
    assert row.status == Status.SIGNING and row.department == township
    assert row.due_at == end(2026, 12, 14)  # the limit keeps running
    other = handling(operator, market, market_staff)
    other = moved(other.number, market_staff, at(2026, 12, 8), action="escalate",
                  note="涉及多个部门，需市里协调")
    assert other.status == Status.DISPATCHING and other.department is None


def test_sweep_warns_cards_and_supervises(operator, market, market_staff):
    row = handling(operator, market, market_staff, when=at(2026, 12, 7, 8, 30))
    # Due 12/14 (5 working days after 12/7, the start day not counted): 6 days of office time.
    assert services.orders_sweep(at(2026, 12, 8, 12)).warned == 0
    assert services.orders_sweep(at(2026, 12, 10, 9)).warned == 1  # 50 %
    assert services.orders_sweep(at(2026, 12, 10, 10)).warned == 0  # idempotent
    assert services.orders_sweep(at(2026, 12, 14, 9)).warned == 1  # 80 %
    done = services.orders_sweep(at(2026, 12, 15, 9))
    assert (done.warned, done.carded, done.supervised) == (1, 1, 0)  # overdue: yellow
    done = services.orders_sweep(at(2026, 12, 16, 9))
    assert (done.carded, done.supervised) == (0, 0)  # 2 working days late: still yellow
    done = services.orders_sweep(at(2026, 12, 17, 9))
    assert (done.carded, done.supervised) == (1, 1)  # 3 working days late: red, 督办
    row.refresh_from_db()
    assert row.card == "red" and row.warned_percent == 100
    actions = list(WorkOrderEvent.objects.filter(order=row).values_list("action", flat=True))
    assert actions[-6:] == ["warn", "warn", "warn", "card", "card", "supervise"]
    assert services.orders_sweep(at(2026, 12, 21, 9)).carded == 0


def test_import_is_idempotent_and_all_or_nothing(operator):
    rows = [{"external_id": "SJ-001", "kind": "help", "title": "路灯不亮",
             "content": "五里牌街道某路段路灯损坏", "caller_name": "李四",
             "caller_phone": "13812345678"},
            {"external_id": "SJ-002", "kind": "consult", "title": "医保报销",
             "content": "异地就医如何备案", "caller_name": "赵六", "caller_phone": "0734-4321234"}]
    first = services.order_import(user=operator, rows=rows, now=at(2026, 12, 7))
    assert len(first.created) == 2
    again = services.order_import(user=operator, rows=rows, now=at(2026, 12, 7, 11))
    assert again.created == [] and again.existing == first.created
    assert WorkOrder.objects.filter(external_id="SJ-001").count() == 1
    bad = [dict(rows[0], external_id="SJ-003"), {"external_id": "", "kind": "help"},
           dict(rows[1], external_id="SJ-004", caller_phone="12")]
    with pytest.raises(services.ImportInvalid) as caught:
        services.order_import(user=operator, rows=bad, now=at(2026, 12, 7))
    assert [e[:4] for e in caught.value.errors] == ["第2行：", "第3行："]
    assert not WorkOrder.objects.filter(external_id="SJ-003").exists()


def test_the_sweep_runs_before_delivery(db):
    from zhengwu.core import sweeps

    order = list(sweeps.ordered())
    assert order.index("hotline.orders") < order.index("notifications.deliver")


def test_a_closed_order_is_not_swept(operator, market, market_staff):
    row = handling(operator, market, market_staff)
    moved(row.number, market_staff, at(2026, 12, 8), action="answer", reply="已处理。")
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="satisfied")
    moved(row.number, operator, at(2026, 12, 8), action="close")
    services.orders_sweep(at(2027, 1, 30))
    assert not WorkOrderEvent.objects.filter(order=row, action__in=["warn", "card"]).exists()


def test_closed_orders_train_the_model_labelled_by_the_answering_department(
        operator, market, market_staff, tmp_path, capsys):
    from django.core.management import call_command

    from zhengwu.hotline import classifier, selectors

    row = handling(operator, market, market_staff)
    moved(row.number, market_staff, at(2026, 12, 8), action="answer", reply="已责令下架。")
    moved(row.number, operator, at(2026, 12, 8), action="callback", resolved=True,
          satisfaction="satisfied")
    assert selectors.closed_training_rows() == []  # answered, not closed yet
    moved(row.number, operator, at(2026, 12, 8, 11), action="close")
    secret = opened(operator, at(2026, 12, 7, 9), kind="report", confidential=True)
    assert secret.confidential
    assert selectors.closed_training_rows() == [
        ("超市销售过期食品 蔡子池街道某超市货架上有过期牛奶，请市场监管部门查处。", market.name)]
    out = tmp_path / "model.joblib"
    call_command("hotline_train", "--with-closed", "--no-eval", "--out", str(out))
    assert "已办结的真实工单 1 条加入训练" in capsys.readouterr().out
    assert classifier.load(out) is not None


def test_sweep_urges_an_order_not_signed_within_two_working_hours(operator, market,
                                                                  market_staff):
    row = opened(operator, at(2026, 12, 7, 9))
    row = moved(row.number, operator, at(2026, 12, 7, 9), action="dispatch",
                department_id=market.pk, by="rule")
    assert row.sign_due_at == at(2026, 12, 7, 11)
    assert services.orders_sweep(at(2026, 12, 7, 10, 59)).urged == 0
    assert services.orders_sweep(at(2026, 12, 7, 11, 1)).urged == 1
    assert services.orders_sweep(at(2026, 12, 7, 15)).urged == 0  # once per dispatch
    urge = WorkOrderEvent.objects.filter(order=row, action="urge").get()
    assert urge.actor is None and "签收" in urge.data["note"]
    assert OutboxItem.objects.filter(subject__contains=f"催办：{row.number}").exists()
    row = moved(row.number, market_staff, at(2026, 12, 7, 15), action="sign")
    assert WorkOrderEvent.objects.filter(order=row, action="sign").get().data["on_time"] is False
