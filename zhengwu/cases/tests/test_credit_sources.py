"""A 失信记录 from any source (issue 15 §3): the one writer, in the caller's transaction, with
its transparency-log entry and audit row; every reader — 告知承诺 (commitment_refusal), the
staff list, the public enterprise page, 我的信用记录 with the grade, 信用修复 decided by the
record's department — works for a record with no case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.cases import credit
from zhengwu.cases.credit_grades import Consequence, Grade
from zhengwu.cases.models import CreditKind, CreditRecord, CreditRepair, CreditSource
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM
from zhengwu.core.models import AuditEvent
from zhengwu.departments.models import Department
from zhengwu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
CANYIN = "91430481MA4L00003J"
ZHANGSAN = "43048119900101123X"
MARKET_DEPT = "市市场监督管理局"


def write(code: str = CANYIN, kind: CreditKind = CreditKind.NOT_REMEDIED,
          name: str = "耒阳某某餐饮有限公司") -> CreditRecord:
    with transaction.atomic():
        return credit.record_write(
            source=CreditSource.INSPECTION, kind=kind, subject_id_number=code,
            subject_name=name, department=Department.objects.get(short_name=MARKET_DEPT),
            number="CC202600001", reason="食品经营许可后监督检查：责令整改逾期未改正",
            ref="inspections.Inspection:1", actor=SYSTEM,
            at=clock.now())


def _u(name: str) -> User:
    return User.objects.get(username=name)


def test_the_writer_logs_and_audits_in_one_transaction() -> None:
    record = write()
    entry = LedgerEntry.objects.get(ref=f"cases.CreditRecord:{record.pk}")
    assert entry.index == record.ledger_index and entry.kind == "credit.record"
    data = json.loads(bytes(entry.entry))["data"]
    assert data["source"] == "inspection" and data["type"] == "责令整改逾期未改正"
    assert data["subject"] == CANYIN and data["department"] == record.department.name
    assert "case" not in data and "reason" not in data
    assert AuditEvent.objects.filter(action="cases.credit_record.record",
                                     object_id=str(record.pk)).exists()


def test_a_person_is_never_named_in_the_entry() -> None:
    record = write(ZHANGSAN, name="张三")
    content = bytes(LedgerEntry.objects.get(ref=f"cases.CreditRecord:{record.pk}").entry)
    assert ZHANGSAN.encode() not in content and "张三".encode() not in content
    assert json.loads(content)["data"]["subject_kind"] == "person"


def test_any_source_takes_the_commitment_option_away() -> None:
    impl = ItemImplementation.objects.filter(commitment_allowed=True).first()
    assert impl is not None
    assert credit.commitment_refusal(impl, CANYIN) is None
    record = write()
    refused = credit.commitment_refusal(impl, CANYIN)
    assert refused is not None and "信用修复前不适用告知承诺制" in refused and "C（失信）" in refused
    assert credit.refusal(CANYIN, Consequence.NO_MARKET) is None  # C keeps the market
    write(kind=CreditKind.MARKET_BLACKLIST)
    assert credit.grade_of(CANYIN) == Grade.D
    assert credit.refusal(CANYIN, Consequence.NO_MARKET) is not None
    CreditRecord.objects.filter(subject_id_number=CANYIN).exclude(pk=record.pk) \
        .update(repaired_at=record.recorded_at)
    assert credit.grade_of(CANYIN) == Grade.C


def test_pages_show_the_record_and_the_grade(client_for: Any) -> None:
    page = client_for(None).get(f"/cases/credit/enterprises/{CANYIN}/").content.decode()
    assert "A 守信" in page
    write()
    page = client_for(None).get(f"/cases/credit/enterprises/{CANYIN}/").content.decode()
    assert "C 失信" in page and "责令整改逾期未改正" in page and "CC202600001" in page
    assert "不适用告知承诺制" in page and "/api/v1/ledger/entries/" in page
    mine = client_for(_u("canyin")).get("/cases/credit/").content.decode()
    assert "C 失信" in mine and "责令整改逾期未改正" in mine and "不适用告知承诺制" in mine
    assert f"/cases/credit/enterprises/{CANYIN}/" in mine  # an enterprise's page is public
    assert "/cases/credit/enterprises/" not in client_for(_u("zhangsan")).get(
        "/cases/credit/").content.decode()  # a person has none
    staff = client_for(_u("reviewer")).get("/cases/staff/credit-records/")
    assert staff.status_code == 200 and "CC202600001" in staff.content.decode()
    # Another department's staff does not see it; 电子监察 does.
    assert "CC202600001" not in client_for(_u("renshe")).get(
        "/cases/staff/credit-records/").content.decode()
    assert "CC202600001" in client_for(_u("supervisor")).get(
        "/cases/staff/credit-records/").content.decode()


def test_a_record_with_no_case_is_repaired_by_its_department(settings: Any, client_for: Any
                                                           ) -> None:
    settings.ZHENGWU_CREDIT_REPAIR_MIN_DAYS = 0
    record = write()
    canyin = User.objects.get(username="canyin")
    repair = credit.repair_submit(user=canyin, record_id=record.pk, correction="已整改到位",
                                  pledged=True)
    with pytest.raises(CreditRepair.DoesNotExist):  # absent for another department
        credit.repair_decide(number=repair.number, user=User.objects.get(username="renshe"),
                             move=credit.RepairMoveIn("repair"))
    credit.repair_decide(number=repair.number, user=User.objects.get(username="reviewer"),
                         move=credit.RepairMoveIn("repair"))
    record.refresh_from_db()
    assert record.repaired_at is not None and credit.grade_of(CANYIN) == Grade.B
    # The public page says nothing of what the repair took down; the enterprise reads B.
    public = client_for(None).get(f"/cases/credit/enterprises/{CANYIN}/").content.decode()
    assert "A 守信" in public and "基本守信" not in public.split("等级规则")[0]
    assert "B 基本守信" in client_for(canyin).get("/cases/credit/").content.decode()
    entry = LedgerEntry.objects.get(kind="credit.repair")
    data = json.loads(bytes(entry.entry))["data"]
    assert data["number"] == "CC202600001" and "case" not in data


def test_the_migration_fills_existing_rows_from_their_case(submit: Any, food: Any) -> None:
    """cases.0018 on a row as 0017 left it: department, number, ref, basis, log index."""
    import importlib

    from django.apps import apps

    from zhengwu.ledger.services import ledger_append

    migration = importlib.import_module("zhengwu.cases.migrations.0018_credit_record_sources")
    case = submit(food)
    record = CreditRecord.objects.create(
        subject_id_number=ZHANGSAN, subject_name="张三", case=case, reason="告知承诺不实：x",
        department=Department.objects.get(short_name=MARKET_DEPT), recorded_at=clock.now())
    entry = ledger_append(kind="credit.record", data={"record": record.pk},
                          ref=f"cases.CreditRecord:{record.pk}")
    migration.existing_rows(apps, None)
    record.refresh_from_db()
    assert (record.department_id, record.number, record.ref, record.ledger_index) == (
        case.department_id, case.number, f"cases.Case:{case.pk}", entry.index)
    assert record.source == CreditSource.COMMITMENT and "42号" in record.basis
    assert credit.grade_of(ZHANGSAN) == Grade.C


def test_a_false_commitment_writes_its_record_in_the_verifications_transaction(
        submit: Any, clerk: User, staff_of: Any) -> None:
    from unittest import mock

    import time_machine

    from zhengwu.cases.models import CaseStatus
    from zhengwu.cases.services import MoveIn, case_transition
    from zhengwu.cases.tests.test_credit import ITEM, _by_commitment, at
    from zhengwu.cases.verification import verification_record

    officer = staff_of("市卫健局")
    with time_machine.travel(at(2025, 9, 26), tick=False):
        impl = ItemImplementation.objects.get(item__name=ITEM, level=4)
        case = submit(impl, materials=_by_commitment(impl))
        for action in ("accept", "grant"):
            case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action=action))
        with mock.patch("zhengwu.cases.credit.ledger_append",
                        side_effect=RuntimeError("log down")), pytest.raises(RuntimeError):
            verification_record(case_id=case.pk, user=officer, truthful=False, finding="不实")
        case.refresh_from_db()
        assert case.status != CaseStatus.REVOKED
        assert not CreditRecord.objects.filter(case=case).exists()
        verification_record(case_id=case.pk, user=officer, truthful=False, finding="不实")
    record = CreditRecord.objects.get(case=case)
    assert (record.source, record.kind, record.department_id, record.number) == (
        CreditSource.COMMITMENT, CreditKind.FALSE_COMMITMENT, case.department_id, case.number)
    assert record.ledger_index is not None
    assert AuditEvent.objects.filter(action="cases.credit_record.record",
                                     object_id=str(record.pk)).count() == 1


def test_many_grades_at_once_agree_with_one_at_a_time(django_assert_num_queries: Any) -> None:
    """grades_of (a candidate list) is grade_of for each, in one query."""
    other = "91430481MA4L01014X"
    write()
    write(code=other, kind=CreditKind.INSPECTION_CASE, name="耒阳示例建材有限公司")
    codes = [CANYIN, other, "91430481MA4L01022Q"]
    with django_assert_num_queries(1):
        grades = credit.grades_of(codes)
    assert grades == {code: credit.grade_of(code) for code in codes}
    assert grades == {CANYIN: Grade.C, other: Grade.D, "91430481MA4L01022Q": Grade.A}
