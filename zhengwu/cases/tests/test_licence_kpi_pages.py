"""Electronic-licence KPIs on real data (issue 11 item 10): a food licence granted (a licence
issued), a commitment item granted without one, a licence used instead of a material, uses
logged in two months — read in three queries, shown on the staff page and by
`GET /api/v1/licences/kpis`, for 电子监察 and catalogue administrators only; a bad period is
refused in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases import licence_kpis
from zhengwu.cases.models import Case, CaseStatus, Decision
from zhengwu.cases.selectors import licence_kpi_report
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import by_commitment
from zhengwu.cases.tests.test_material_licences import charter_for, file_with_licence
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.licences.models import Licence
from zhengwu.sharing.models import UseBasis, UseKind
from zhengwu.sharing.uselog import use_record

pytestmark = pytest.mark.django_db

API = "/api/v1/licences/kpis"
HYGIENE = "公共场所卫生许可"
# A period after the demo pack's own data: only what these tests make is in it.
JAN, FEB = dt.date(2027, 1, 1), dt.date(2027, 2, 1)
PERIOD = {"start": "2027-01", "end": "2027-02"}


def at(month: dt.date, day: int) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 10, tzinfo=SHANGHAI)


def move(case: Case, user: User, action: str) -> Case:
    return case_transition(case_id=case.pk, user=user, move=MoveIn(action=action))


def _scan(licence: Licence) -> None:
    with transaction.atomic():
        use_record(kind=UseKind.QR_SCAN, holder_ref=licence.holder_ref,
                   actor=SYSTEM, basis=UseBasis.PRESENTED, licence_id=licence.identifier)


@pytest.fixture
def world(food: ItemImplementation, submit: Any, clerk: User, reviewer: User, chief: User,
          db: Any) -> dict[str, Any]:
    """January: a scan of a licence (outside any case). February: a food case granted (its
    licence issued), a hygiene case granted by commitment (no licence type), canyin's food
    application using its 营业执照 instead of an upload. March: another scan (outside)."""
    canyin = User.objects.get(username="canyin")
    hygiene = ItemImplementation.objects.get(item__name=HYGIENE, level=4)
    with time_machine.travel(at(JAN, 20), tick=False):
        charter = charter_for(canyin)
        _scan(charter)
    with time_machine.travel(at(FEB, 3), tick=False):
        granted = move(move(move(move(submit(food), clerk, "accept"), reviewer, "review_pass"),
                            chief, "review_pass"), reviewer, "grant")
        committed = submit(hygiene, materials=by_commitment(hygiene))
        committed = move(move(committed, clerk, "accept"), clerk, "grant")
        replacing = file_with_licence(food, canyin, charter.identifier)
    with time_machine.travel(at(dt.date(2027, 3, 1), 2), tick=False):
        _scan(charter)
    assert (granted.decision, committed.decision) == (Decision.GRANTED, Decision.GRANTED)
    assert Licence.objects.filter(source_case=granted.number).count() == 1
    assert not Licence.objects.filter(source_case=committed.number).exists()
    assert replacing.status == CaseStatus.SUBMITTED
    return {"food": food, "hygiene": hygiene, "granted": granted, "committed": committed,
            "replacing": replacing}


def test_the_report_on_real_data_in_three_queries(world: dict[str, Any],
                                                  django_assert_num_queries: Any) -> None:
    food, hygiene = world["food"], world["hygiene"]
    period = licence_kpis.period_parse("2027-01", "2027-02", today=dt.date(2027, 2, 10))
    with django_assert_num_queries(3):
        report = licence_kpi_report(period)
    # Results: 2 grants, 1 issued a licence → 50%, the target met; the hygiene item misses.
    electronic = report.electronic
    assert (electronic.share.numerator, electronic.share.denominator) == (1, 2)
    assert electronic.share.met is True
    assert (electronic.items.numerator, electronic.items.denominator) == (1, 2)
    assert electronic.misses == (hygiene.pk,)
    # Materials: every material of the three cases submitted in February; one replaced.
    food_total = world["granted"].materials.count() + world["replacing"].materials.count()
    hygiene_total = world["committed"].materials.count()
    materials = report.materials
    assert (materials.total, materials.by_licence, materials.by_shared_data) == (
        food_total + hygiene_total, 1, 0)
    assert [(r.implementation.id, r.total, r.replaced) for r in materials.rows] == [
        (food.pk, food_total, 1), (hygiene.pk, hygiene_total, 0)]
    assert materials.share.value == pytest.approx(1 / (food_total + hygiene_total))
    # Uses: January one scan, February one use in a case; March's scan is outside.
    uses = report.uses
    assert [m.month for m in uses.months] == [JAN, FEB]
    kinds = list(uses.kinds)
    assert kinds[:len(UseKind.values)] == list(UseKind.values)
    scan, in_case = kinds.index(UseKind.QR_SCAN), kinds.index(UseKind.USE_IN_CASE)
    assert [(m.counts[scan], m.counts[in_case], m.total) for m in uses.months] == [
        (1, 0, 1), (0, 1, 1)]
    assert (uses.licences, uses.shared_data) == (2, 0)


def test_a_denial_is_not_a_result_that_could_have_been_a_licence(
        food: ItemImplementation, submit: Any, clerk: User, reviewer: User, chief: User) -> None:
    with time_machine.travel(at(FEB, 3), tick=False):
        case = move(move(move(submit(food), clerk, "accept"), reviewer, "review_pass"),
                    chief, "review_pass")
        case_transition(case_id=case.pk, user=reviewer,
                        move=MoveIn(action="deny", reason="不符合条件"))
    period = licence_kpis.period_parse("2027-02", "2027-02", today=FEB)
    assert licence_kpi_report(period).electronic.share.denominator == 0


def test_a_use_just_after_beijing_midnight_counts_in_its_beijing_month(db: Any) -> None:
    charter = charter_for(User.objects.get(username="canyin"))
    # 2027-02-01 00:30 in Beijing is still 31 January in UTC.
    with time_machine.travel(dt.datetime(2027, 2, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        _scan(charter)
    both = licence_kpis.period_parse("2027-01", "2027-02", today=FEB)
    assert [m.total for m in licence_kpi_report(both).uses.months] == [0, 1]
    january = licence_kpis.period_parse("2027-01", "2027-01", today=FEB)
    assert licence_kpi_report(january).uses.total == 0


# --- the API ---------------------------------------------------------------------------------


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_api_for_supervisors_and_catalogue_administrators(
        world: dict[str, Any], supervisor: User, catalog_admin: User) -> None:
    for user in (supervisor, catalog_admin):
        response = client_of(user).get(API, PERIOD)
        assert response.status_code == 200, response.content.decode()[:300]
    body = response.json()
    assert body["period"] == {"start": "2027-01", "end": "2027-02",
                              "label": "2027年1月至2027年2月"}
    share = body["electronic_results"]
    assert (share["numerator"], share["denominator"], share["value"], share["target"],
            share["met"]) == (1, 2, 0.5, 0.5, True)
    assert body["electronic_items"]["value"] == 0.5
    missed = [row for row in body["electronic_by_item"] if row["missed"]]
    assert [row["code"] for row in missed] == [world["hygiene"].code]
    assert missed[0]["names_licence_type"] is False
    assert missed[0]["url"] == reverse("catalog:guide", args=[world["hygiene"].code])
    materials = body["materials_replaced"]
    assert (materials["replaced"], materials["by_licence"], materials["by_shared_data"]) == (
        1, 1, 0)
    assert body["materials_by_item"][0]["code"] == world["food"].code
    months = body["uses_by_month"]
    assert [(m["month"], m["licences"], m["shared_data"]) for m in months] == [
        ("2027-01", 1, 0), ("2027-02", 1, 0)]
    assert months[0]["by_kind"]["qr_scan"] == 1 and months[1]["by_kind"]["use_in_case"] == 1
    assert body["uses"]["total"] == 2
    assert {k["kind"]: k["label"] for k in body["uses"]["by_kind"]}["qr_scan"] == "扫码核验"


def test_the_api_refuses_others(clerk: User, applicant: User) -> None:
    response = Client().get(API)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    for user in (clerk, applicant):
        response = client_of(user).get(API)
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "forbidden" and "电子监察" in body["detail"]


@pytest.mark.parametrize(("params", "code", "words"), [
    ({"start": "2027-13"}, "licence_kpi.bad_period", "月份格式"),
    ({"start": "2027-03", "end": "2027-01"}, "licence_kpi.bad_period", "不能晚于"),
    ({"start": "2020-01", "end": "2027-01"}, "licence_kpi.bad_period", "最长36个月"),
    ({"start": "2027-01-01-2027"}, "invalid_input", ""),
])
def test_the_api_refuses_a_bad_period_in_chinese(supervisor: User, params: dict[str, str],
                                                 code: str, words: str) -> None:
    response = client_of(supervisor).get(API, params)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "detail"} and body["code"] == code
    assert words in body["detail"] and not body["detail"].isascii()


def test_the_default_period_is_the_last_twelve_months(supervisor: User) -> None:
    with time_machine.travel(at(FEB, 10), tick=False):
        body = client_of(supervisor).get(API).json()
    assert body["period"]["start"] == "2026-03" and body["period"]["end"] == "2027-02"
    assert len(body["uses_by_month"]) == 12


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_the_figures_to_supervisors(world: dict[str, Any],
                                                   supervisor: User) -> None:
    page = client_of(supervisor).get(reverse("cases:licence_kpis"), PERIOD)
    assert page.status_code == 200
    text = page.content.decode()
    assert "电子证照出证率" in text and "50.0%" in text and "达标" in text
    assert world["hygiene"].item.name in text and "未配置证照类型" in text
    assert reverse("catalog:guide", args=[world["hygiene"].code]) in text
    assert "扫码核验" in text and "2027年1月" in text
    assert 'value="2027-01"' in text
    assert reverse("catalog:kpis") in text


def test_the_page_is_for_staff_who_may_see_it(client_for: Any, clerk: User,
                                              applicant: User, catalog_admin: User) -> None:
    url = reverse("cases:licence_kpis")
    assert client_for(None).get(url).status_code == 302
    assert client_for(clerk).get(url).status_code == 403
    assert client_for(applicant).get(url).status_code == 403
    assert client_for(catalog_admin).get(url).status_code == 200


def test_the_page_keeps_a_bad_period_and_says_why(supervisor: User) -> None:
    page = client_of(supervisor).get(reverse("cases:licence_kpis"),
                                     {"start": "2027-05", "end": "2027-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "开始月份不能晚于结束月份" in text
    assert 'value="2027-05"' in text and 'value="2027-01"' in text
    assert 'aria-invalid="true"' in text


def test_the_workbench_links_the_page(supervisor: User, clerk: User) -> None:
    url = reverse("cases:licence_kpis")
    assert url in client_of(supervisor).get(reverse("staff:workbench")).content.decode()
    assert url not in client_of(clerk).get(reverse("staff:workbench")).content.decode()

