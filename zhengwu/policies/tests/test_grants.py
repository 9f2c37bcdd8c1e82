"""免申即享 end to end on the Leiyang pack's illustrative 稳岗返还 (WG-2026): facts from the
departments' files and the platform's credit list, the explanation, the department's list,
four-eyes confirmation, the enterprise told, the payment — and the API that answers it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.cases.models import CreditRecord
from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent
from zhengwu.departments.models import Department
from zhengwu.notifications.models import OutboxItem
from zhengwu.policies import grants, services
from zhengwu.policies.fact_files import fact_file_import
from zhengwu.policies.models import Benefit, FactBatch, FactRecord, GrantListStatus

CANYIN = "91430481MA4L00003J"
MACHINERY, BUILDING, LOGISTICS = "91430481MA4L010063", "91430481MA4L01014X", "91430481MA4L01022Q"
SOFTWARE, GARMENTS = "91430481MA4L01030K", "91430481MA4L01049G"
ON = dt.date(2026, 12, 1)


@pytest.fixture
def wg(db: Any) -> Benefit:
    return Benefit.objects.get(code="WG-2026")


def _answer(benefit: Benefit, uscc: str) -> services.Answer:
    answer = services.eligibility(benefit=benefit, code=uscc, on=ON)
    assert answer is not None
    return answer


def test_canyin_qualifies_and_every_condition_is_explained(wg: Benefit) -> None:
    verdict = _answer(wg, CANYIN).verdict
    assert verdict.status == "eligible"
    assert verdict.amount == Decimal("2160.00")  # 3600 元 × 60 %
    assert [item.text for item in verdict.items] == [
        "符合：在耒阳市登记注册", "符合：属于中型、小型或微型企业", "符合：上年度依法缴纳失业保险费",
        "符合：上年度裁员率不高于5.5%", "符合：未列入失信名单"]
    sources = {key: fact.source for key, fact in verdict.used.items()}
    assert sources["layoff_rate"].startswith("市人社局")
    assert sources["dishonest"] == "本平台信用记录"


def test_failures_and_missing_facts_are_said_not_guessed(wg: Benefit) -> None:
    building = _answer(wg, BUILDING).verdict
    assert building.status == "not_eligible"
    assert "不符合：属于中型、小型或微型企业（企业规模：大型）" in [i.text for i in building.items]
    logistics = _answer(wg, LOGISTICS).verdict
    assert logistics.status == "not_eligible"
    assert any("8.3" in i.text and i.met is False for i in logistics.items)
    software = _answer(wg, SOFTWARE).verdict
    assert software.status == "needs_facts"
    assert set(software.missing) == {"unemployment_insurance_paid", "layoff_rate"}


def test_a_credit_record_on_this_platform_makes_it_not_eligible(wg: Benefit, submit: Any,
                                                               food: Any) -> None:
    case = submit(food)
    CreditRecord.objects.create(subject_id_number=CANYIN, subject_name="耒阳某某餐饮有限公司",
                                case=case, department=case.department, reason="告知承诺不实（测试）",
                                recorded_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    verdict = _answer(wg, CANYIN).verdict
    assert verdict.status == "not_eligible"
    assert verdict.used["dishonest"].as_of == dt.date(2026, 11, 2)


def test_a_repaired_record_lists_the_enterprise_no_longer(wg: Benefit, submit: Any,
                                                          food: Any) -> None:
    """信用修复 ends the listing from the day repaired: before it, still 失信 as of then."""
    case = submit(food)
    CreditRecord.objects.create(subject_id_number=CANYIN, subject_name="耒阳某某餐饮有限公司",
                                case=case, department=case.department, reason="告知承诺不实（测试）",
                                recorded_at=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
                                repaired_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    assert _answer(wg, CANYIN).verdict.status == "eligible"  # asked as of 12-01
    before = services.eligibility(benefit=wg, code=CANYIN, on=dt.date(2026, 11, 10))
    assert before is not None and before.verdict.status == "not_eligible"


def test_the_departments_list_is_the_eligible_ones(wg: Benefit) -> None:
    found = {a.subject.code for a in services.eligible_answers(benefit=wg, on=ON)}
    assert found == {CANYIN, MACHINERY, GARMENTS}


def test_four_eyes_confirm_tells_the_enterprise_and_records_payment(wg: Benefit) -> None:
    renshe, chief = User.objects.get(username="renshe"), User.objects.get(username="chief_renshe")
    row = grants.grant_list_prepare(user=renshe, benefit_id=wg.pk)
    assert row.status == GrantListStatus.PREPARED
    assert {g.subject for g in row.grants.all()} == {CANYIN, MACHINERY, GARMENTS}
    with pytest.raises(NotAllowed):
        grants.grant_list_move(number=row.number, user=renshe,
                               move=grants.ListMoveIn("confirm"))
    with pytest.raises(Exception, match="待复核"):
        grants.grant_list_prepare(user=chief, benefit_id=wg.pk)
    grants.grant_list_move(number=row.number, user=chief, move=grants.ListMoveIn("confirm"))
    row.refresh_from_db()
    assert row.status == GrantListStatus.CONFIRMED and row.confirmed_by == chief
    canyin = User.objects.get(username="canyin")
    told = OutboxItem.objects.filter(recipient=canyin, category="policy")
    assert told.count() == 1 and "2160.00" in told.get().body
    assert list(row.events.values_list("action", flat=True)) == ["prepare", "confirm"]
    assert AuditEvent.objects.filter(action="policies.grant_list.confirm",
                                     object_id=str(row.pk)).exists()
    grant = row.grants.get(subject=CANYIN)
    # Eligible since its newest fact (the 市场监管 file of 30 June), not since the day the
    # credit list was asked (its silence is dated that day).
    assert grant.eligible_since == dt.date(2026, 6, 30)
    with pytest.raises(InvalidInput):
        grants.grant_paid(user=chief, grant_id=grant.pk, reference="",
                          paid_on=row.as_of)
    grants.grant_paid(user=chief, grant_id=grant.pk, reference="ZF20261205001",
                      paid_on=row.as_of)
    grant.refresh_from_db()
    assert grant.payment_reference == "ZF20261205001"
    # Granted once under the same rule version: a new list leaves them out.
    with pytest.raises(Exception, match="没有新的"):
        grants.grant_list_prepare(user=renshe, benefit_id=wg.pk)


def test_another_department_cannot_prepare(wg: Benefit) -> None:
    with pytest.raises(Benefit.DoesNotExist):
        grants.grant_list_prepare(user=User.objects.get(username="reviewer"), benefit_id=wg.pk)


def test_a_bad_fact_file_stores_nothing(db: Any) -> None:
    before = FactRecord.objects.count(), FactBatch.objects.count()
    content = ("统一社会信用代码,名称,截至日期,上年度营收,未知列\n"
               f"{CANYIN},餐饮,2026-01-31,abc,1\n"
               "91430481MA4L00003X,坏码,2026-01-31,10,\n").encode()
    with pytest.raises(InvalidInput) as refused:
        fact_file_import(actor=SYSTEM, user=None, department=Department.objects.first(),
                         source="测试", file_name="bad.csv", content=content)
    message = refused.value.message
    assert "未知的信息项“未知列”" in message and "第3行" in message
    assert (FactRecord.objects.count(), FactBatch.objects.count()) == before


def test_overlapping_rule_version_is_refused_and_changes_nothing(wg: Benefit) -> None:
    chief = User.objects.get(username="chief_renshe")
    with pytest.raises(InvalidInput, match="重叠"):
        services.rule_version_add(user=chief, benefit_id=wg.pk, rule=services.RuleIn(
            "layoff_rate lte 5 | 裁员率不高于5%", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert wg.rules.count() == 1 and wg.rules.get().effective_to is None


def test_a_new_version_closes_the_open_one_and_decides_from_its_day(wg: Benefit) -> None:
    chief = User.objects.get(username="chief_renshe")
    services.rule_version_add(user=chief, benefit_id=wg.pk, rule=services.RuleIn(
        "layoff_rate lte 1 | 上年度裁员率不高于1%", dt.date(2026, 12, 2)))
    first, second = wg.rules.order_by("version")
    assert first.effective_to == dt.date(2026, 12, 1) and second.version == 2
    # 机械 (2.1 %) qualified on 1 December under version 1, not on 2 December under version 2.
    assert _answer(wg, MACHINERY).verdict.status == "eligible"
    later = services.eligibility(benefit=wg, code=MACHINERY, on=dt.date(2026, 12, 2))
    assert later is not None and later.verdict.status == "not_eligible"
    assert later.verdict.version == 2


def test_api_answers_the_enterprise_itself_and_refuses_others(wg: Benefit) -> None:
    client = Client()
    client.force_login(User.objects.get(username="canyin"))
    url = f"/api/v1/policies/benefits/{wg.code}/eligibility"
    answer = client.get(url, {"enterprise": CANYIN, "on": ON.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["eligible"] is True and body["amount"] == "2160.00"
    assert body["conditions"][0] == {"label": "在耒阳市登记注册", "met": True,
                                     "text": "符合：在耒阳市登记注册"}
    other = client.get(url, {"enterprise": MACHINERY})
    assert other.status_code == 403 and other.json()["code"] == "policies.forbidden"
    bad = client.get(url, {"enterprise": "123"})
    assert bad.status_code == 422 and "18位" in bad.json()["detail"]
    staff = Client()
    staff.force_login(User.objects.get(username="renshe"))
    missing = staff.get(url, {"enterprise": SOFTWARE, "on": ON.isoformat()}).json()
    assert missing["status"] == "needs_facts" and "上年度失业保险缴费" in missing["missing"]
    assert Client().get(url, {"enterprise": CANYIN}).status_code == 401
    assert staff.get("/api/v1/policies/benefits/NOPE/eligibility",
                     {"enterprise": CANYIN}).status_code == 404


def test_api_moves_four_eyes_and_other_departments_find_nothing(wg: Benefit) -> None:
    preparer, confirmer, stranger = (Client() for _ in range(3))
    preparer.force_login(User.objects.get(username="renshe"))
    confirmer.force_login(User.objects.get(username="chief_renshe"))
    stranger.force_login(User.objects.get(username="chief"))  # 市场监管's 首席代表
    assert stranger.post(f"/api/v1/policies/benefits/{wg.code}/grant-lists").status_code == 404
    made = preparer.post(f"/api/v1/policies/benefits/{wg.code}/grant-lists")
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    moves = f"/api/v1/policies/grant-lists/{number}/moves"
    own = preparer.post(moves, {"action": "confirm"}, content_type="application/json")
    assert own.status_code == 403 and own.json()["code"] == "grant_list.four_eyes"
    assert stranger.post(moves, {"action": "confirm"},
                         content_type="application/json").status_code == 404
    done = confirmer.post(moves, {"action": "confirm"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    grant_id = done.json()["grants"][0]["id"]
    pay = f"/api/v1/policies/grants/{grant_id}/payment"
    body = {"reference": "ZF1", "paid_on": done.json()["as_of"]}
    assert stranger.post(pay, body, content_type="application/json").status_code == 404
    paid = preparer.post(pay, body, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["payment_reference"] == "ZF1"
    again = preparer.post(pay, body, content_type="application/json")
    assert again.status_code == 409


def test_kpis_count_working_days_from_eligibility_to_confirmation(wg: Benefit) -> None:
    import time_machine

    from zhengwu.policies.kpis import benefit_figures
    from zhengwu.workdays.selectors import calendar_get

    renshe, chief = User.objects.get(username="renshe"), User.objects.get(username="chief_renshe")
    # Friday 10 July 2026: 8 working days after 30 June (the newest fact), 1–10 July.
    with time_machine.travel(dt.datetime(2026, 7, 10, 10, tzinfo=dt.timezone(
            dt.timedelta(hours=8))), tick=False):
        row = grants.grant_list_prepare(user=renshe, benefit_id=wg.pk)
        assert benefit_figures(calendar_get()) == []  # nothing granted before confirmation
        grants.grant_list_move(number=row.number, user=chief, move=grants.ListMoveIn("confirm"))
        grants.grant_paid(user=chief, grant_id=row.grants.get(subject=CANYIN).pk,
                          reference="ZF2", paid_on=dt.date(2026, 7, 10))
    (figures,) = benefit_figures(calendar_get())
    assert (figures.code, figures.granted, figures.paid) == ("WG-2026", 3, 1)
    # 2160 (canyin) + 86400 × 0.6 (机械) + 15800 × 0.6 (服装)
    assert figures.amount == Decimal("2160.00") + Decimal("51840.00") + Decimal("9480.00")
    assert figures.paid_amount == Decimal("2160.00")
    assert figures.median_workdays == 8 and figures.max_workdays == 8
    public = Client().get("/api/v1/policies/kpis").json()
    assert public[0]["amount"] == "63480.00" and public[0]["median_workdays"] == 8
