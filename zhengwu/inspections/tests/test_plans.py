"""抽查计划 and the two draws of 双随机 (issue 15 §3): the pool from the platform's own grants,
fixed when the plan is published; the targets drawn verifiably; per target two inspectors
drawn from those without a declared conflict, the exclusion counted publicly; the inspection
due in working days."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.cases.models import Case
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.errors import Conflict, FieldsInvalid, InvalidInput, NotAllowed
from zhengwu.draws import protocol
from zhengwu.draws.models import Draw, DrawStatus
from zhengwu.draws.services import DrawMoveIn, draw_move
from zhengwu.inspections import plans, rules, services
from zhengwu.inspections.models import (
    Inspection,
    InspectionStatus,
    Inspector,
    PlanStatus,
    SupervisionItem,
)
from zhengwu.notifications.models import OutboxItem
from zhengwu.workdays.selectors import calendar_get

pytestmark = pytest.mark.django_db
FOOD = "食品经营许可证核发（新办）"
LOCAL = {"91430481MA4L01014X": "耒阳示例建材有限公司", "91430481MA4L010063": "耒阳示例机械制造有限公司",
         "91430481MA4L01022Q": "耒阳示例物流有限公司", "91430481MA4L01030K": "耒阳示例软件有限公司",
         "91430481MA4L00003J": "耒阳某某餐饮有限公司"}
BEIJING = "91110000100005220B"
NUMBERS: list[int] = []  # case numbers unique across the tests of this module


def _u(name: str) -> User:
    return User.objects.get(username=name)


def _granted(uscc: str, name: str, *, decision: str = "granted") -> Case:
    NUMBERS.append(len(NUMBERS) + 1)
    impl = ItemImplementation.objects.filter(item__name=FOOD, level=4).first()
    assert impl is not None
    canyin, now = _u("canyin"), clock.now()
    return Case.objects.create(
        number=f"T{len(NUMBERS):08d}", implementation=impl, item_version=1,
        department=impl.department, region=impl.region, accepting_region=impl.region,
        applicant=canyin, submitted_by=canyin, applicant_kind="enterprise",
        applicant_name=name, applicant_id_number=uscc, applicant_phone="13800000002",
        channel="online", status="decided", promised_workdays=Decimal(10), submitted_at=now,
        decision=decision, decided_at=now)


def test_the_pool_is_the_enterprises_granted_under_the_region_prefix() -> None:
    rows = [("91430481MA4L01014X", "", "甲"), ("43048119900101123X", "", "个人"),
            ("", "91430481MA4L010063", "新设乙"), (BEIJING, "", "北京丙"),
            ("91430481MA4L01014X", "", "甲（更名）")]
    assert plans.pool_filter(rows, "430481") == {"91430481MA4L01014X": "甲（更名）",
                                                 "91430481MA4L010063": "新设乙"}
    assert BEIJING in plans.pool_filter(rows, "")
    assert plans.pool_filter(rows, "11") == {BEIJING: "北京丙"}


def test_the_pool_counts_granted_cases_of_the_supervised_items_only() -> None:
    _granted("91430481MA4L01014X", "甲")
    _granted("91430481MA4L010063", "乙", decision="denied")
    _granted("91430481MA4L01022Q", "丙", decision="deemed_approved")
    _granted(BEIJING, "北京丙")
    item = SupervisionItem.objects.get(code="LY-JG-001")
    assert set(plans.pool_of(item, "430481")) == {"91430481MA4L01014X", "91430481MA4L01022Q"}


def _plan(**kw: Any) -> Any:
    data = {"name": "2026年第四季度食品经营双随机抽查", "item_code": "LY-JG-001", "percent": "40",
            "due_workdays": 10, "region_prefix": "430481", **kw}
    return plans.plan_create(user=_u("reviewer"), data=plans.PlanIn(**data))


def test_a_plan_with_bad_figures_is_refused_field_by_field() -> None:
    with pytest.raises(FieldsInvalid) as refused:
        _plan(name="", item_code="NOPE", percent="0", due_workdays=0, region_prefix="4304")
    assert set(refused.value.fields) == {"name", "item", "percent", "due_workdays"}
    with pytest.raises(FieldsInvalid, match="区划码"):
        _plan(region_prefix="43a")
    with pytest.raises(FieldsInvalid, match="本部门的监管事项"):  # another department's item
        plans.plan_create(user=_u("renshe"), data=plans.PlanIn("x", "LY-JG-001", "10", 5))
    with pytest.raises(NotAllowed):
        plans.plan_create(user=_u("supervisor"), data=plans.PlanIn("x", "LY-JG-001", "10", 5))


def test_an_empty_pool_is_not_published() -> None:
    row = _plan()
    with pytest.raises(InvalidInput, match="名录为空"):
        plans.plan_publish(user=_u("reviewer"), number=row.number)


def _run(draw: Draw, organiser: User) -> Draw:
    """The organiser and 电子监察 commit and reveal; the draw finishes."""
    parties = [(organiser, secrets.token_hex(32)), (_u("supervisor"), secrets.token_hex(32))]
    for user, secret in parties:
        draw_move(number=draw.number, user=user,
                  move=DrawMoveIn("commit", protocol.commitment(secret)))
    for user, secret in parties:
        draw_move(number=draw.number, user=user, move=DrawMoveIn("reveal", secret))
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    return draw


def test_publish_draw_targets_then_two_inspectors_each_without_the_conflicted(
        client_for: Any) -> None:
    for uscc, name in LOCAL.items():
        _granted(uscc, name)
    officer = _u("reviewer")
    certificates = []
    for n, username in enumerate(("reviewer", "chief"), start=1):
        services.inspector_register(user=officer, username=username, certificate=f"ZF0{n}")
        certificates.append(f"ZF0{n}")
    # A third and fourth inspector of the department (staff accounts made for the test).
    from zhengwu.accounts.models import RoleAssignment
    from zhengwu.departments.models import Department
    market = Department.objects.get(short_name="市市场监督管理局")
    for n in (3, 4):
        staff = User.objects.create(username=f"insp{n}", is_staff=True, display_name=f"检查{n}")
        RoleAssignment.objects.create(user=staff, role="reviewer", department=market)
        services.inspector_register(user=officer, username=staff.username,
                                    certificate=f"ZF0{n}")
    for uscc in LOCAL:  # ZF01 may inspect none of them: a conflict with each
        services.conflict_declare(user=officer, certificate="ZF01", uscc=uscc, reason="interest")

    row = _plan()
    with pytest.raises(Conflict):
        plans.plan_draw(user=officer, number=row.number)  # not yet published
    row = plans.plan_publish(user=officer, number=row.number)
    assert set(row.pool) == set(LOCAL) and row.target_count == 2  # 40% of 5
    assert "430481" in row.pool_rule
    with pytest.raises(NotAllowed):
        plans.plan_draw(user=_u("renshe"), number=row.number)
    row = plans.plan_draw(user=officer, number=row.number)
    assert row.status == PlanStatus.DRAWING and row.target_draw is not None
    assert sorted(row.target_draw.candidates) == sorted(LOCAL)
    assert [p.role for p in row.target_draw.parties.all()] == ["organiser", "platform",
                                                               "supervisor"]
    _run(row.target_draw, officer)

    row.refresh_from_db()
    assert row.status == PlanStatus.DRAWN
    inspections = list(Inspection.objects.filter(plan=row))
    assert sorted(i.uscc for i in inspections) == sorted(row.target_draw.drawn)
    for inspection in inspections:
        draw = inspection.inspector_draw
        assert draw is not None and inspection.excluded == 1
        assert sorted(draw.candidates) == ["ZF02", "ZF03", "ZF04"]  # ZF01 excluded BEFORE
        assert draw.count == rules.INSPECTORS_PER_INSPECTION
        assert "回避排除1名" in draw.purpose
        assert not any("检查" in label or "赵" in label for label in draw.labels.values())
        _run(draw, officer)
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.ASSIGNED
        assert sorted(i.certificate for i in inspection.inspectors.all()) == sorted(draw.drawn)
        assert inspection.due_on == rules.due_after(calendar_get(), clock.today(), 10)
        assert list(inspection.events.values_list("action", flat=True)) == ["open", "assign"]
        # Each drawn inspector is told where and by when; nobody else is.
        told = OutboxItem.objects.filter(dedupe_key__startswith=f"inspection-drawn:{inspection.pk}:")
        assert sorted(Inspector.objects.filter(user_id__in=told.values("recipient_id"))
                      .values_list("certificate", flat=True)) == sorted(draw.drawn)
        for note in told:
            assert row.number in note.subject and inspection.enterprise in note.body
            assert f"{inspection.due_on:%Y年%m月%d日}" in note.body
            assert note.link == "/inspections/staff/mine/"
    page = client_for(None).get("/inspections/plans/").content.decode()
    assert row.target_draw.number in page and row.number in page
    assert "赵首席" not in page and "王审核" not in page
    public = client_for(None).get(f"/api/v1/inspections/plans/{row.number}").json()
    assert [i["excluded"] for i in public["inspections"]] == [1, 1]
    staff = client_for(_u("supervisor")).get(f"/inspections/staff/plans/{row.number}/")
    assert staff.status_code == 200 and "ZF0" in staff.content.decode()


def test_too_few_inspectors_leave_the_target_waiting_until_the_register_has_enough(
        ) -> None:
    _granted("91430481MA4L01014X", "甲")
    officer = _u("reviewer")
    services.inspector_register(user=officer, username="reviewer", certificate="ZF01")
    services.inspector_register(user=officer, username="chief", certificate="ZF02")
    services.conflict_declare(user=officer, certificate="ZF02", uscc="91430481MA4L01014X",
                              reason="relative")
    row = plans.plan_publish(user=officer, number=_plan(percent="100").number)
    row = plans.plan_draw(user=officer, number=row.number)
    assert row.target_draw is not None
    _run(row.target_draw, officer)
    row.refresh_from_db()
    assert row.status == PlanStatus.DRAWN  # the targets stand
    inspection = Inspection.objects.get(plan=row)
    assert inspection.status == InspectionStatus.DRAWING and inspection.inspector_draw is None
    with pytest.raises(InvalidInput, match="不足2名"):
        plans.inspectors_redraw(user=officer, pk=inspection.pk)
    from zhengwu.accounts.models import RoleAssignment
    from zhengwu.departments.models import Department
    staff = User.objects.create(username="insp3", is_staff=True)
    RoleAssignment.objects.create(user=staff, role="reviewer",
                                  department=Department.objects.get(short_name="市市场监督管理局"))
    services.inspector_register(user=officer, username="insp3", certificate="ZF03")
    with pytest.raises(NotAllowed):
        plans.inspectors_redraw(user=_u("renshe"), pk=inspection.pk)
    inspection = plans.inspectors_redraw(user=officer, pk=inspection.pk)
    assert inspection.inspector_draw is not None and inspection.excluded == 1
    assert sorted(inspection.inspector_draw.candidates) == ["ZF01", "ZF03"]
    with pytest.raises(Conflict):
        plans.inspectors_redraw(user=officer, pk=inspection.pk)


def test_an_aborted_inspectors_draw_aborts_the_inspection() -> None:
    _granted("91430481MA4L01014X", "甲")
    officer = _u("reviewer")
    services.inspector_register(user=officer, username="reviewer", certificate="ZF01")
    services.inspector_register(user=officer, username="chief", certificate="ZF02")
    row = plans.plan_draw(user=officer, number=plans.plan_publish(
        user=officer, number=_plan(percent="100").number).number)
    assert row.target_draw is not None
    _run(row.target_draw, officer)
    inspection = Inspection.objects.get(plan=row)
    assert inspection.inspector_draw is not None
    from zhengwu.draws.services import overdue_abort
    overdue_abort(inspection.inspector_draw.commit_due + dt.timedelta(seconds=1))
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ABORTED
    assert list(inspection.events.values_list("action", flat=True)) == ["open", "abort"]
