"""投诉: filed by an owner, an agency or the public; decided 成立/不成立 by the 审改办 with a
reason within ten working days; an upheld one against an agency lowers its credit by 10 and
is in the transparency log without the complaint's text or the complainant."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError, FieldsInvalid, NotAllowed
from zhengwu.ledger.models import LedgerEntry
from zhengwu.market import complaints
from zhengwu.market.models import ComplainantRole, ComplaintEvent, ComplaintStatus
from zhengwu.market.selectors import agency_credit
from zhengwu.market.tests.helpers import USCCS, enterprise, listed, service_type


@pytest.fixture
def day(settings: Any) -> Any:
    def at(moment: str) -> None:
        settings.ZHENGWU_NOW = moment
    at("2026-09-28T09:00:00+08:00")  # Monday before 国庆
    return at


def test_an_upheld_complaint_counts_in_the_credit_and_the_log(db: Any, day: Any) -> None:
    item = service_type()
    uscc = next(iter(USCCS))
    agency = listed(item, uscc)
    zhangsan = User.objects.get(username="zhangsan")
    with pytest.raises(FieldsInvalid) as caught:
        complaints.complaint_file(user=zhangsan, data=complaints.ComplaintIn(
            text="", agency="91430481MA4L0XXXXX"))
    assert set(caught.value.fields) == {"agency", "text"}
    row = complaints.complaint_file(user=zhangsan, data=complaints.ComplaintIn(
        text="收费超出公示的收费标准", agency=uscc))
    assert row.complainant_role == ComplainantRole.PUBLIC
    # ten working days from Mon 28 Sep 2026 over 国庆 (1–8 Oct off, Sat 10 Oct worked)
    assert row.due_on == dt.date(2026, 10, 16)
    catalog = User.objects.get(username="catalog")
    with pytest.raises(NotAllowed):
        complaints.complaint_move(number=row.number, user=zhangsan,
                                  move=complaints.ComplaintMoveIn("uphold", "自己说成立"))
    with pytest.raises(DomainError):
        complaints.complaint_move(number=row.number, user=catalog,
                                  move=complaints.ComplaintMoveIn("uphold", ""))
    assert agency_credit(agency).score == Decimal("100.0")
    day("2026-10-19T09:00:00+08:00")  # after the due date: still decided, marked late
    row = complaints.complaint_move(number=row.number, user=catalog,
                                    move=complaints.ComplaintMoveIn(
                                        "uphold", "经核查，收费超出其公示标准。"))
    assert row.status == ComplaintStatus.UPHELD
    assert agency_credit(agency).complaints == Decimal(-10)
    assert agency_credit(agency).score == Decimal("90.0")
    entry = json.loads(bytes(LedgerEntry.objects.get(kind="market.complaint").entry))["data"]
    assert entry == {"complaint": row.number, "agency": uscc, "agency_name": agency.name,
                     "project": "", "reason": "经核查，收费超出其公示标准。"}
    assert [e.action for e in ComplaintEvent.objects.filter(complaint=row)] == ["file", "uphold"]
    assert ComplaintEvent.objects.get(complaint=row, action="uphold").data["late"] is True
    with pytest.raises(DomainError):  # decided once
        complaints.complaint_move(number=row.number, user=catalog,
                                  move=complaints.ComplaintMoveIn("dismiss", "再议"))


def test_a_dismissed_complaint_changes_nothing(db: Any, day: Any) -> None:
    item = service_type()
    first, second = list(USCCS)[:2]
    agency = listed(item, first)
    listed(item, second)
    row = complaints.complaint_file(user=enterprise(second), data=complaints.ComplaintIn(
        text="该机构低价竞争", agency=first))
    assert row.complainant_role == ComplainantRole.AGENCY
    with pytest.raises(FieldsInvalid) as caught:  # not about itself
        complaints.complaint_file(user=enterprise(first), data=complaints.ComplaintIn(
            text="测试", agency=first))
    assert "agency" in caught.value.fields
    row = complaints.complaint_move(number=row.number, user=User.objects.get(username="catalog"),
                                    move=complaints.ComplaintMoveIn("dismiss", "报价未低于成本，不成立。"))
    assert row.status == ComplaintStatus.DISMISSED
    assert agency_credit(agency).score == Decimal("100.0")
    assert not LedgerEntry.objects.filter(kind="market.complaint").exists()
