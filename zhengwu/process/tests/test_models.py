"""The shared process models (process.models): the timelines, notices, materials and
supplement requests of cases, bundles and joint reviews are one shape, declared once; each
concrete table keeps its own FK, Meta and the few fields that are truly its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models

from zhengwu.cases.models import Notice, NoticeKind
from zhengwu.core.audit import Actor
from zhengwu.core.checkpoints import sealed_models
from zhengwu.core.context import reset_request_id, set_request_id
from zhengwu.core.models import AccessRecord, SealedRecord
from zhengwu.jointreviews.models import JointReviewEvent
from zhengwu.process.models import (
    ProcessEvent,
    ProcessMaterial,
    ProcessNotice,
    ProcessSupplement,
)
from zhengwu.process.timeline import TimelineRow, timeline_rows

# Which concrete models take each base, and the base fields each redeclares (with why).
CONCRETE = {
    ProcessEvent: {"cases.CaseEvent": set(), "bundles.BundleEvent": set(),
                   # 操作部门: apart from the invited department the event is about.
                   "jointreviews.JointReviewEvent": {"department_label"},
                   "hall.AppointmentEvent": set(), "hall.TicketEvent": set(),
                   "evaluations.RectificationEvent": set(), "unresolved.TicketEvent": set(),
                   "openness.RequestEvent": set(), "policies.GrantListEvent": set(), "draws.DrawEvent": set(),
                   "cases.CreditRepairEvent": set(), "inspections.InspectionEvent": set(),
                   "hotline.WorkOrderEvent": set(),
                   # 中介超市: agencies and projects.
                   "market.AgencyEvent": set(), "market.ProjectEvent": set(),
                   "market.ComplaintEvent": set()},
    ProcessNotice: {"cases.Notice": {"kind"}, "bundles.BundleNotice": {"kind"},
                    "openness.RequestNotice": {"kind"}},
    ProcessMaterial: {"cases.CaseMaterial": {"kind"}, "bundles.BundleMaterial": set()},
    # 告知时间: the case's request is the notice itself.
    ProcessSupplement: {"cases.Supplement": {"requested_at"},
                        "bundles.SupplementRequest": set()},
    # 好差评: the rectification officer's reads of the rater's contact (evaluations).
    AccessRecord: {"cases.CaseAccess": set(), "bundles.BundleAccess": set(),
                   "evaluations.ContactRead": set(),
                   # 办不成事反映: staff opening a ticket with the person's name and phone.
                   "unresolved.TicketRead": set(), "openness.RequestRead": set(),
                   # 12345: staff seeing a caller's name and phone unmasked.
                   "hotline.WorkOrderRead": set(),
                   # 人才 benefits: staff shown the persons on a benefit's lists.
                   "policies.SubjectRead": set()},
}


def _concrete(base: type[models.Model]) -> set[str]:
    return {m._meta.label for m in apps.get_models() if issubclass(m, base)}


def _column(field: models.Field[Any, Any]) -> tuple[Any, ...]:
    """What the database holds of a field (its column), not its labels or choices."""
    return (field.column, field.db_type(connection), field.null, field.unique)


@pytest.mark.parametrize("base", list(CONCRETE), ids=lambda b: b.__name__)
def test_each_base_has_its_concrete_models_with_the_same_columns(base):
    assert _concrete(base) == set(CONCRETE[base])
    own = [f for f in base._meta.get_fields() if f.name != "audit_seal"]
    for field in own:
        # The columns are alike in every table, whatever a model redeclares.
        columns = {label: _column(apps.get_model(label)._meta.get_field(field.name))
                   for label in CONCRETE[base]}
        assert len(set(columns.values())) == 1, (field.name, columns)
        for label, redeclared in CONCRETE[base].items():
            if field.name not in redeclared:
                concrete = apps.get_model(label)._meta.get_field(field.name)
                assert concrete.deconstruct()[1:] == field.deconstruct()[1:], (label, field.name)


def test_every_timeline_and_access_log_is_sealed():
    """The audit seal (ADR 0010) finds its journals by SealedRecord: every concrete timeline
    and access log is one, and no other model slipped in."""
    assert issubclass(ProcessEvent, SealedRecord)
    expected = _concrete(ProcessEvent) | _concrete(AccessRecord)
    assert {m._meta.label for m in sealed_models()} == expected
    for model in sealed_models():  # the partial index the seal finds its unsealed rows by
        assert any(index.fields == ["audit_seal"] and index.condition is not None
                   for index in model._meta.indexes), model._meta.label


def test_an_event_of_a_move_says_who_from_the_actor():
    actor = Actor(label="李审查", role="reviewer", department_label="耒阳市市场监督管理局")
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    token = set_request_id("req-42")
    try:
        event = JointReviewEvent.of_move(action="answer", before="scheduled", after="scheduled",
                                         actor=actor, reason="同意", data={"n": 1}, at=moment)
    finally:
        reset_request_id(token)
    assert (event.action, event.from_status, event.to_status) == (
        "answer", "scheduled", "scheduled")
    assert (event.actor_id, event.actor_label, event.role, event.department_label) == (
        None, "李审查", "reviewer", "耒阳市市场监督管理局")
    assert (event.reason, event.data, event.at, event.request_id) == (
        "同意", {"n": 1}, moment, "req-42")
    assert event.pk is None  # built, not saved: the caller saves it (or bulk-creates many)


@pytest.mark.django_db
def test_a_notice_is_numbered_per_printed_prefix_and_local_year(food, submit):
    case = submit(food)
    # 16:30 UTC on 31 December is already the new year in Shanghai.
    new_year = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    first = Notice.issue(case=case, kind=NoticeKind.ACCEPTANCE, prefix="测政", mark="受",
                         at=new_year, content={"a": 1})
    second = Notice.issue(case=case, kind=NoticeKind.ACCEPTANCE, prefix="测政", mark="受",
                          at=new_year)
    assert (first.number, second.number) == ("测政受〔2027〕1号", "测政受〔2027〕2号")
    assert first.content == {"a": 1} and second.content == {}
    assert len(first.verify_code) == 20 and first.verify_code != second.verify_code
    assert Notice.objects.get(pk=first.pk).number == first.number


def test_a_public_timeline_shows_what_happened_not_who_did_it():
    actor = Actor(label="李审查", role="reviewer", department_label="耒阳市市场监督管理局")
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    events = [JointReviewEvent.of_move(action="answer", before="scheduled", after="concluded",
                                       actor=actor, reason="同意", at=moment)]
    rows = {with_staff: timeline_rows(events, label=lambda e: e.action.upper(),
                                      status=lambda s: f"[{s}]", roles={"reviewer": "审批部门"},
                                      with_staff=with_staff)
            for with_staff in (True, False)}
    assert rows[True] == [TimelineRow(at=moment, label="ANSWER", status="[concluded]",
                                      who="李审查", role="审批部门",
                                      department="耒阳市市场监督管理局", reason="同意")]
    assert rows[False] == [TimelineRow(at=moment, label="ANSWER", status="[concluded]",
                                       who="", role="", department="", reason="")]
