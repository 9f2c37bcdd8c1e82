"""Credit supervision (issue 15 §3): a false 告知承诺 makes a 失信记录 that takes the 告知承诺
option away from the applicant — on the form, at submission and at a supplement — until the
recording department repairs it (信用修复: conditions, working-day limit, reason to refuse,
the repair in the transparency log); an enterprise's unrepaired records are public with their
log entries, a person's are not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.cases import credit
from zhengwu.cases.models import CaseStatus, CreditRecord, CreditRepair
from zhengwu.cases.services import MaterialIn, case_transition
from zhengwu.cases.services import MoveIn as CaseMoveIn
from zhengwu.cases.tests.conftest import FORM, by_commitment
from zhengwu.cases.verification import verification_record
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.errors import FieldsInvalid, InvalidInput
from zhengwu.ledger.models import LedgerEntry
from zhengwu.notifications.models import OutboxItem
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
ITEM = "公共场所卫生许可"


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def _by_commitment(impl: ItemImplementation) -> list[MaterialIn]:
    return by_commitment(impl)


def _false_commitment(submit: Any, clerk: User, inspector: User) -> CreditRecord:
    impl = ItemImplementation.objects.get(item__name=ITEM, level=4)
    case = submit(impl, materials=_by_commitment(impl))
    for action in ("accept", "grant"):
        case = case_transition(case_id=case.pk, user=clerk, move=CaseMoveIn(action=action))
    verification_record(case_id=case.pk, user=inspector, truthful=False,
                        finding="场所未取得卫生检测报告")
    case.refresh_from_db()
    assert case.status == CaseStatus.REVOKED
    return CreditRecord.objects.get(case=case)


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_a_false_commitment_takes_the_option_away_until_repaired(
        submit: Any, clerk: User, staff_of: Any, applicant: User, settings: Any) -> None:
    officer = staff_of("市卫健局")
    record = _false_commitment(submit, clerk, officer)
    impl = ItemImplementation.objects.get(item__name=ITEM, level=4)
    refused = credit.commitment_refusal(impl, FORM["id_number"])
    assert refused is not None and "失信记录" in refused
    with pytest.raises(InvalidInput, match="信用修复前不适用告知承诺制"):
        submit(impl, materials=_by_commitment(impl))
    assert submit(impl).status == CaseStatus.SUBMITTED  # with its materials it may apply
    client = Client()
    client.force_login(applicant)
    page = client.get(f"/cases/apply/{impl.code}/").content.decode()
    assert 'id="commitment-refused"' in page and "以书面承诺代替" not in page

    # 信用修复: not before the minimum period; then the conditions, all named at once.
    with pytest.raises(FieldsInvalid) as early:
        credit.repair_submit(user=applicant, record_id=record.pk, correction="已补交",
                             pledged=True)
    assert "最早可于 2025-12-25 申请" in early.value.fields[""]
    settings.ZHENGWU_CREDIT_REPAIR_MIN_DAYS = 0
    with pytest.raises(FieldsInvalid) as incomplete:
        credit.repair_submit(user=applicant, record_id=record.pk, correction=" ",
                             pledged=False)
    assert set(incomplete.value.fields) == {"correction", "pledged"}
    repair = credit.repair_submit(user=applicant, record_id=record.pk,
                                  correction="已取得卫生检测报告并提交", pledged=True)
    assert repair.due_on == dt.date(2025, 10, 10)  # 5 working days across 国庆 2025
    with pytest.raises(Exception, match="待审核"):
        credit.repair_submit(user=applicant, record_id=record.pk, correction="再申请",
                             pledged=True)

    # Decided by the recording department only; a refusal needs its reason.
    other = staff_of("市市场监督管理局")
    with pytest.raises(CreditRepair.DoesNotExist):  # absent for another department
        credit.repair_decide(number=repair.number, user=other,
                             move=credit.RepairMoveIn("repair"))
    with pytest.raises(FieldsInvalid):
        credit.repair_decide(number=repair.number, user=officer,
                             move=credit.RepairMoveIn("refuse", reason=""))
    credit.repair_decide(number=repair.number, user=officer, move=credit.RepairMoveIn("repair"))
    record.refresh_from_db()
    assert record.repaired_at is not None
    assert credit.commitment_refusal(impl, FORM["id_number"]) is None
    assert LedgerEntry.objects.filter(kind="credit.repair",
                                      ref=f"cases.CreditRepair:{repair.pk}").exists()
    told = OutboxItem.objects.get(recipient=applicant, category="credit")
    assert "已获准予" in told.body
    mine = client.get("/cases/credit/").content.decode()
    assert "已修复" in mine and repair.number in mine


def test_an_enterprise_credit_page_shows_its_unrepaired_records_with_their_entries(
        submit: Any, clerk: User, staff_of: Any) -> None:
    uscc = "91430481MA4L00003J"
    with time_machine.travel(at(2025, 9, 26), tick=False):
        record = _false_commitment(submit, clerk, staff_of("市卫健局"))
    CreditRecord.objects.filter(pk=record.pk).update(subject_id_number=uscc,
                                                     subject_name="耒阳某某餐饮有限公司")
    LedgerEntry.objects.filter(ref=f"cases.CreditRecord:{record.pk}").update(
        ref=f"cases.CreditRecord:{record.pk}")
    page = Client().get(f"/cases/credit/enterprises/{uscc}/")
    text = page.content.decode()
    assert page.status_code == 200 and "耒阳某某餐饮有限公司" in text and "告知承诺不实" in text
    assert "/api/v1/ledger/entries/" in text
    assert "场所未取得卫生检测报告" not in text  # the finding stays with the case
    assert Client().get(f"/cases/credit/enterprises/{FORM['id_number']}/").status_code == 404
    CreditRecord.objects.filter(pk=record.pk).update(repaired_at=at(2026, 1, 5))
    assert "没有该企业未修复的失信记录" in Client().get(
        f"/cases/credit/enterprises/{uscc}/").content.decode()
