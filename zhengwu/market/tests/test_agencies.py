"""中介机构入驻: register, 审改办 verification or return, selectable only with a 资质 valid
on the day, sanctions in the transparency log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError, FieldsInvalid
from zhengwu.ledger.models import LedgerEntry
from zhengwu.market import agencies
from zhengwu.market.models import AgencyEvent, AgencyStatus
from zhengwu.market.selectors import agency_credit, selectable_agencies
from zhengwu.market.tests.helpers import agency_in, listed, service_type

CANYIN = "91430481MA4L00003J"


def test_an_enterprise_registers_and_the_shengaiban_verifies(db: Any) -> None:
    item = service_type()
    canyin = User.objects.get(username="canyin")
    agency = agencies.agency_register(user=canyin, data=agency_in(item))
    assert agency.uscc == CANYIN and agency.status == AgencyStatus.PENDING
    assert selectable_agencies(item.pk, dt.date(2026, 12, 7)) == []  # not verified yet
    with pytest.raises(DomainError):  # not the 审改办
        agencies.agency_move(uscc=CANYIN, user=User.objects.get(username="renshe"),
                             move=agencies.AgencyMoveIn("verify"))
    with pytest.raises(DomainError):  # registered once
        agencies.agency_register(user=canyin, data=agency_in(item))
    agency = agencies.agency_move(uscc=CANYIN, user=User.objects.get(username="catalog"),
                                  move=agencies.AgencyMoveIn("verify"))
    assert agency.status == AgencyStatus.LISTED
    assert [a.uscc for a in selectable_agencies(item.pk, dt.date(2026, 12, 7))] == [CANYIN]
    assert list(AgencyEvent.objects.filter(agency=agency).values_list("action", flat=True)) \
        == ["register", "verify"]


def test_returned_with_a_reason_then_submitted_again(db: Any) -> None:
    item = service_type()
    canyin = User.objects.get(username="canyin")
    agencies.agency_register(user=canyin, data=agency_in(item))
    admin = User.objects.get(username="catalog")
    with pytest.raises(DomainError):
        agencies.agency_move(uscc=CANYIN, user=admin, move=agencies.AgencyMoveIn("return"))
    agency = agencies.agency_move(uscc=CANYIN, user=admin,
                                  move=agencies.AgencyMoveIn("return", reason="资质证书不清晰"))
    assert agency.status == AgencyStatus.RETURNED and agency.return_reason == "资质证书不清晰"
    agency = agencies.agency_register(user=canyin, data=agency_in(item, name="耒阳示例餐饮咨询"))
    assert agency.status == AgencyStatus.PENDING and agency.name == "耒阳示例餐饮咨询"


def test_what_was_typed_is_checked_field_by_field(db: Any) -> None:
    item = service_type()
    data = agency_in(item, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2025, 1, 1))
    data.name, data.staff_count, data.service_type_ids = "", 0, [item.pk + 100000]
    with pytest.raises(FieldsInvalid) as caught:
        agencies.agency_register(user=User.objects.get(username="canyin"), data=data)
    assert set(caught.value.fields) == {"name", "staff_count", "service_types", "q1_valid_to"}
    with pytest.raises(DomainError):  # a person cannot register an agency
        agencies.agency_register(user=User.objects.get(username="zhangsan"),
                                 data=agency_in(item))


@pytest.mark.parametrize(("valid_from", "valid_to", "selectable"), [
    (dt.date(2025, 1, 1), dt.date(2026, 12, 6), False),   # expired yesterday
    (dt.date(2025, 1, 1), dt.date(2026, 12, 7), True),    # last valid day
    (dt.date(2026, 12, 7), dt.date(2028, 1, 1), True),    # first valid day
    (dt.date(2026, 12, 8), dt.date(2028, 1, 1), False),   # not yet valid
])
def test_selectable_only_with_a_qualification_valid_on_the_day(
        db: Any, valid_from: dt.date, valid_to: dt.date, selectable: bool) -> None:
    item = service_type()
    listed(item, "91430481MA4L010063", valid_from=valid_from, valid_to=valid_to)
    on = dt.date(2026, 12, 7)
    assert bool(selectable_agencies(item.pk, on)) is selectable
    # The same agency, a year later, is hidden without anyone doing anything.
    assert selectable_agencies(item.pk, dt.date(2029, 1, 1)) == []


def test_a_sanction_is_logged_and_may_blacklist(db: Any) -> None:
    item = service_type()
    agency = listed(item, "91430481MA4L01014X")
    admin = User.objects.get(username="catalog")
    agency = agencies.agency_move(uscc=agency.uscc, user=admin, move=agencies.AgencyMoveIn(
        "sanction", reason="出具虚假报告", blacklist=True))
    assert agency.blacklisted and agency_credit(agency).score == 80
    assert selectable_agencies(item.pk, dt.date(2026, 12, 7)) == []
    row = LedgerEntry.objects.filter(kind="market.sanction").get()
    data = json.loads(bytes(row.entry))["data"]
    assert data["agency"] == agency.uscc and data["blacklist"] is True
    assert set(data) == {"agency", "agency_name", "sanction", "blacklist", "reason"}
