"""The 中介超市 and credit supervision (issue 15 §3): a sanction that blacklists writes a
失信记录 against the agency's USCC (one transaction with the sanction, its log entries and
audit rows); an enterprise graded D (严重失信) may not register, nor be drawn or chosen."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.cases import credit
from zhengwu.cases.models import CreditKind, CreditRecord, CreditSource
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.departments.models import Department
from zhengwu.ledger.models import LedgerEntry
from zhengwu.market import agencies
from zhengwu.market.selectors import selectable_agencies
from zhengwu.market.tests.helpers import agency_in, enterprise, listed, service_type

ON = dt.date(2026, 12, 7)


def _serious(uscc: str) -> CreditRecord:
    """立案查处 after an inspection: 严重失信 (D) on its own."""
    with transaction.atomic():
        return credit.record_write(
            source=CreditSource.INSPECTION, kind=CreditKind.INSPECTION_CASE,
            subject_id_number=uscc, subject_name="x",
            department=Department.objects.get(short_name="市市场监督管理局"),
            number="CC202600001", reason="立案查处", ref="inspections.Inspection:1",
            actor=SYSTEM, at=clock.now())


def test_a_blacklisting_writes_a_credit_record(db: Any) -> None:
    item = service_type()
    agency = listed(item, "91430481MA4L01014X")
    admin = User.objects.get(username="catalog")
    agencies.agency_move(uscc=agency.uscc, user=admin, move=agencies.AgencyMoveIn(
        "sanction", reason="迟延交付", blacklist=False))
    assert not CreditRecord.objects.filter(subject_id_number=agency.uscc).exists()
    agencies.agency_move(uscc=agency.uscc, user=admin, move=agencies.AgencyMoveIn(
        "sanction", reason="出具虚假报告", blacklist=True))
    record = CreditRecord.objects.get(subject_id_number=agency.uscc)
    assert (record.source, record.kind, record.case) == (
        CreditSource.MARKET, CreditKind.MARKET_BLACKLIST, None)
    assert record.department.short_name == "市审改办"
    assert record.ref.startswith("market.Sanction:")
    data = json.loads(bytes(LedgerEntry.objects.get(ref=f"cases.CreditRecord:{record.pk}").entry))["data"]
    assert data["subject"] == agency.uscc and data["type"] == "中介机构列入黑名单"
    assert AuditEvent.objects.filter(action="cases.credit_record.record",
                                     object_id=str(record.pk)).exists()
    event = agency.events.filter(action="sanction").order_by("-pk").first()
    assert event is not None and event.data["credit_record"] == record.pk


def test_an_enterprise_graded_d_may_not_register(db: Any) -> None:
    item = service_type()
    uscc = "91430481MA4L010063"
    _serious(uscc)
    with pytest.raises(NotAllowed, match="严重失信"):
        agencies.agency_register(user=enterprise(uscc), data=agency_in(item))


def test_an_agency_graded_d_is_not_selectable_until_repaired(db: Any) -> None:
    item = service_type()
    agency = listed(item, "91430481MA4L01022Q")
    assert [a.uscc for a in selectable_agencies(item.pk, ON)] == [agency.uscc]
    record = _serious(agency.uscc)
    assert selectable_agencies(item.pk, ON) == []
    CreditRecord.objects.filter(pk=record.pk).update(repaired_at=clock.now())
    assert [a.uscc for a in selectable_agencies(item.pk, ON)] == [agency.uscc]


def test_the_shengaiban_decides_the_repair_of_its_blacklisting(db: Any, settings: Any) -> None:
    settings.ZHENGWU_CREDIT_REPAIR_MIN_DAYS = 0
    item = service_type()
    agency = listed(item, "91430481MA4L01030K")
    admin = User.objects.get(username="catalog")
    agencies.agency_move(uscc=agency.uscc, user=admin, move=agencies.AgencyMoveIn(
        "sanction", reason="出具虚假报告", blacklist=True))
    record = CreditRecord.objects.get(subject_id_number=agency.uscc)
    repair = credit.repair_submit(user=enterprise(agency.uscc), record_id=record.pk,
                                  correction="已撤回虚假报告并整改", pledged=True)
    assert not credit.repairs_for_staff(User.objects.get(username="reviewer")).exists()
    assert list(credit.repairs_for_staff(admin)) == [repair]
    credit.repair_decide(number=repair.number, user=admin, move=credit.RepairMoveIn("repair"))
    record.refresh_from_db()
    assert record.repaired_at is not None
