"""A failed inspection writes a 失信记录 (issue 15 §3, docs/credit.md): 立案查处 at once, and
责令整改 when the 复查 finds it not remedied — in the same transaction as the result, with its
transparency-log entry and audit row, against the enterprise's USCC, with no inspector and no
findings in what is public. A passed inspection, or a remedied one, writes none."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest

from zhengwu.cases import credit
from zhengwu.cases.credit_grades import Grade
from zhengwu.cases.models import CreditKind, CreditRecord, CreditSource
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.inspections import results
from zhengwu.inspections.tests.test_results import CANYIN, _assigned, _u
from zhengwu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _public(record: CreditRecord) -> str:
    entry = LedgerEntry.objects.get(ref=f"cases.CreditRecord:{record.pk}")
    assert entry.kind == "credit.record" and entry.index == record.ledger_index
    return bytes(entry.entry).decode()


def test_case_opened_writes_a_record_with_its_entry_and_audit_row(client_for: Any) -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="case_opened",
                          findings="超范围经营，王某某当场承认")
    record = CreditRecord.objects.get(ref=f"inspections.Inspection:{row.pk}")
    assert (record.source, record.kind, record.subject_id_number, record.case) == (
        CreditSource.INSPECTION, CreditKind.INSPECTION_CASE, CANYIN, None)
    assert record.department.name == row.plan.department.name
    assert record.number == row.plan.number and "35号" in record.basis
    assert "王某某" not in record.reason  # the findings stay with the inspection
    content = _public(record)
    data = json.loads(content)["data"]
    assert data["subject"] == CANYIN and data["source"] == "inspection"
    assert data["type"] == "抽查检查立案查处" and data["number"] == row.plan.number
    for secret in ("王某某", "超范围经营", "赵首席", "王审核", "ZF01", "ZF02"):
        assert secret not in content
    assert AuditEvent.objects.filter(action="cases.credit_record.record",
                                     object_id=str(record.pk)).count() == 1
    event = row.events.get(action="record")
    assert event.data["credit_record"] == record.pk
    assert credit.grade_of(CANYIN) == Grade.D  # 立案查处 unrepaired: 严重失信
    page = client_for(None).get(f"/cases/credit/enterprises/{CANYIN}/").content.decode()
    assert "抽查检查立案查处" in page and row.plan.number in page and "王某某" not in page
    assert "严重失信" in page


def test_rectify_then_not_remedied_writes_one() -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="rectify", findings="后厨卫生",
                          rectify_workdays=3)
    assert not CreditRecord.objects.filter(subject_id_number=CANYIN).exists()
    results.recheck_record(user=_u("reviewer"), pk=row.pk, findings="仍未整改",
                           remedied=False)
    record = CreditRecord.objects.get(ref=f"inspections.Inspection:{row.pk}")
    assert record.kind == CreditKind.NOT_REMEDIED
    assert "仍未整改" not in _public(record)
    assert credit.grade_of(CANYIN) == Grade.C


def test_remedied_writes_none() -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="rectify", findings="x",
                          rectify_workdays=3)
    results.recheck_record(user=_u("reviewer"), pk=row.pk, findings="已改", remedied=True)
    assert not CreditRecord.objects.filter(subject_id_number=CANYIN).exists()


def test_the_record_rolls_back_with_the_result() -> None:
    """One transaction: if writing the record fails, the result is not recorded either."""
    row = _assigned(clock.today())
    with mock.patch("zhengwu.cases.credit.ledger_append", side_effect=RuntimeError("boom")), \
            pytest.raises(RuntimeError):
        results.result_record(user=_u("chief"), pk=row.pk, result="case_opened", findings="x")
    row.refresh_from_db()
    assert row.result == "" and row.status == "assigned"
    assert not CreditRecord.objects.filter(subject_id_number=CANYIN).exists()
    assert not row.events.exists()


def test_passed_writes_nothing() -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="passed", findings="正常")
    assert not CreditRecord.objects.filter(subject_id_number=CANYIN).exists()


def test_the_recheck_page_asks_for_the_verdict_keeping_the_findings(client_for: Any) -> None:
    row = _assigned(clock.today())
    results.result_record(user=_u("chief"), pk=row.pk, result="rectify", findings="后厨卫生",
                          rectify_workdays=3)
    chief = client_for(_u("chief"))
    url = f"/inspections/staff/inspections/{row.pk}/result/"
    page = chief.get(url).content.decode()
    assert "整改到位" in page and "逾期未改正" in page
    refused = chief.post(url, {"findings": "后厨仍有积水"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "后厨仍有积水" in text and "请选择复查结论" in text
    assert not CreditRecord.objects.filter(subject_id_number=CANYIN).exists()
    assert chief.post(url, {"findings": "后厨仍有积水", "remedied": "no"}).status_code == 302
    assert CreditRecord.objects.get(subject_id_number=CANYIN).kind == CreditKind.NOT_REMEDIED


def test_the_result_page_names_the_missing_findings(client_for: Any) -> None:
    """Found by the browser walk: an empty 检查情况 was refused with Django's generic
    "这个字段是必填项。"; the message now says what to fill."""
    row = _assigned(clock.today())
    page = client_for(_u("chief")).post(f"/inspections/staff/inspections/{row.pk}/result/",
                                        {"result": "case_opened", "findings": ""})
    assert page.status_code == 422
    text = page.content.decode()
    assert "请填写检查情况。" in text and "这个字段是必填项" not in text
    assert 'value="case_opened" selected' in text
