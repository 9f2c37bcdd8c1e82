"""中介服务项目: 报名, 随机抽取 with at least three candidates through a verifiable draw,
直接选取 only on a listed ground, delivery on working days (国庆 2026), evaluation and credit."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.core.errors import Conflict, DomainError, FieldsInvalid
from zhengwu.draws import protocol
from zhengwu.draws import services as draws
from zhengwu.draws.models import Draw, DrawStatus
from zhengwu.ledger.models import LedgerEntry
from zhengwu.market import projects
from zhengwu.market.models import Method, Project, ProjectEvent, ProjectStatus
from zhengwu.market.projects import ProjectMoveIn
from zhengwu.market.selectors import agency_credit
from zhengwu.market.tests.helpers import USCCS, enterprise, listed, service_type


@pytest.fixture
def day(settings: Any) -> Any:
    def at(moment: str) -> None:
        settings.ZHENGWU_NOW = moment
    at("2026-12-07T09:00:00+08:00")
    return at


def _post(item: Any, method: str = Method.RANDOM, reason: str = "") -> Project:
    return projects.project_post(user=User.objects.get(username="renshe"), data=projects.ProjectIn(
        service_type_id=item.pk, title="耒阳市示例项目环境影响评价", budget=Decimal("80000"),
        requirements="编制报告书并通过评审", service_workdays=5,
        registration_closes=dt.date(2026, 12, 9), method=method, direct_reason=reason))


def _move(number: str, user: User, action: str, **kw: Any) -> Project:
    return projects.project_move(number=number, user=user, move=ProjectMoveIn(action, **kw))


def _registered(item: Any, count: int) -> Project:
    project = _post(item)
    for uscc in list(USCCS)[:count]:
        listed(item, uscc)
        _move(project.number, enterprise(uscc), "register")
    return project


def _run_draw(draw_number: str) -> Draw:
    owner, supervisor = User.objects.get(username="renshe"), User.objects.get(
        username="supervisor")
    secrets_of = {owner.pk: secrets.token_hex(32), supervisor.pk: secrets.token_hex(32)}
    for user in (owner, supervisor):
        draws.draw_move(number=draw_number, user=user, move=draws.DrawMoveIn(
            "commit", protocol.commitment(secrets_of[user.pk])))
    for user in (owner, supervisor):
        draws.draw_move(number=draw_number, user=user,
                        move=draws.DrawMoveIn("reveal", secrets_of[user.pk]))
    return Draw.objects.get(number=draw_number)


def test_random_selection_needs_three_and_records_the_drawn_winner(db: Any, day: Any) -> None:
    item = service_type()
    project = _registered(item, 2)
    renshe = User.objects.get(username="renshe")
    with pytest.raises(DomainError):  # the window is still open
        _move(project.number, renshe, "draw")
    day("2026-12-10T09:00:00+08:00")
    listed(item, list(USCCS)[2])
    with pytest.raises(DomainError):  # closed: too late to register
        _move(project.number, enterprise(list(USCCS)[2]), "register")
    with pytest.raises(Conflict) as caught:
        _move(project.number, renshe, "draw")
    assert caught.value.code == "project.too_few_candidates"
    project = _move(project.number, renshe, "reopen", on=dt.date(2026, 12, 11))
    _move(project.number, enterprise(list(USCCS)[2]), "register")
    day("2026-12-14T09:00:00+08:00")
    project = _move(project.number, renshe, "draw")
    assert project.status == ProjectStatus.DRAWING
    page = Client().get(f"/market/projects/{project.number}/").content.decode()
    assert project.draw_number in page and "待提交" in page
    draw = _run_draw(project.draw_number)
    assert draw.status == DrawStatus.DRAWN and sorted(draw.candidates) == sorted(
        list(USCCS)[:3])
    project = Project.objects.get(pk=project.pk)
    assert project.status == ProjectStatus.SELECTED
    assert project.winner is not None and project.winner.uscc == draw.drawn[0]
    assert list(ProjectEvent.objects.filter(project=project).values_list(
        "action", flat=True))[-2:] == ["draw", "draw_done"]
    # Found by the market walk: a finished draw no longer asks anyone to commit or reveal,
    # and the supervisor's row does not say 电子监察 twice.
    page = Client().get(f"/market/projects/{project.number}/").content.decode()
    assert "到抽取页提交承诺值或揭示随机数" not in page and "抽取页：结果与复算方法" in page
    assert "监督方（电子监察）</td>" in page and "（电子监察）（电子监察）" not in page


def test_an_agency_sees_on_the_project_page_that_it_registered(db: Any, day: Any) -> None:
    # Found by the market walk: after 报名 the agency's page said only "报名：项目报名中" and,
    # reloaded, nothing showed that it had registered.
    item = service_type()
    project = _registered(item, 1)
    registered, other = list(USCCS)[:2]
    listed(item, other)
    client = Client()
    client.force_login(enterprise(registered))
    assert f"本机构（{USCCS[registered]}）已于" in client.get(
        f"/market/projects/{project.number}/").content.decode()
    client.force_login(enterprise(other))
    assert "本机构" not in client.get(f"/market/projects/{project.number}/").content.decode()


def test_an_aborted_draw_goes_back_to_the_owner(db: Any, day: Any) -> None:
    item = service_type()
    project = _registered(item, 3)
    day("2026-12-10T09:00:00+08:00")
    project = _move(project.number, User.objects.get(username="renshe"), "draw")
    draws.overdue_abort(dt.datetime(2026, 12, 31, tzinfo=dt.UTC))
    project = Project.objects.get(pk=project.pk)
    assert project.status == ProjectStatus.OPEN and project.winner is None
    again = _move(project.number, User.objects.get(username="renshe"), "draw")
    assert again.status == ProjectStatus.DRAWING and again.draw_number != project.draw_number


def test_an_agency_without_a_valid_qualification_cannot_register(db: Any, day: Any) -> None:
    item = service_type()
    project = _post(item)
    uscc = next(iter(USCCS))
    listed(item, uscc, valid_to=dt.date(2026, 12, 1))
    with pytest.raises(DomainError) as caught:
        _move(project.number, enterprise(uscc), "register")
    assert caught.value.code == "project.not_qualified"


def test_direct_selection_only_on_a_listed_ground(db: Any, day: Any) -> None:
    item = service_type()
    with pytest.raises(FieldsInvalid) as caught:
        _post(item, Method.DIRECT)
    assert set(caught.value.fields) == {"direct_reason"}
    with pytest.raises(FieldsInvalid):
        _post(item, Method.DIRECT, "因为方便")
    project = _post(item, Method.DIRECT, "emergency")
    agency = listed(item, next(iter(USCCS)))
    renshe = User.objects.get(username="renshe")
    with pytest.raises(FieldsInvalid):
        _move(project.number, renshe, "choose", agency="91430481MA4L01014X")  # not listed
    project = _move(project.number, renshe, "choose", agency=agency.uscc)
    assert project.status == ProjectStatus.SELECTED and project.winner == agency
    assert project.direct_reason == "emergency"


def test_due_date_in_working_days_across_national_day_2026(db: Any) -> None:
    # Contract on Mon 28 Sep 2026; 国庆 1–7 Oct (and the 调休 Saturday 10 Oct) on the
    # official calendar: 5 working days are 29, 30 Sep, 8, 9 and 10 Oct.
    due, provisional = projects.delivery_due(dt.date(2026, 9, 28), 5)
    assert (due, provisional) == (dt.date(2026, 10, 10), False)


def test_delivery_after_due_is_a_delay_and_the_evaluation_moves_the_credit(
        db: Any, day: Any) -> None:
    item = service_type()
    project = _post(item, Method.DIRECT, "sole")
    agency = listed(item, next(iter(USCCS)))
    renshe = User.objects.get(username="renshe")
    _move(project.number, renshe, "choose", agency=agency.uscc)
    with pytest.raises(FieldsInvalid):
        _move(project.number, renshe, "contract", on=dt.date(2026, 12, 7),
              amount=Decimal("90000"))  # above the budget
    project = _move(project.number, renshe, "contract", on=dt.date(2026, 12, 7),
                    amount=Decimal("75000"))
    assert project.due_on == dt.date(2026, 12, 14)
    winner = enterprise(agency.uscc)
    with pytest.raises(DomainError):  # the owner does not deliver
        _move(project.number, renshe, "deliver")
    assert agency_credit(agency, dt.date(2026, 12, 14)).delays == 0  # due today: not late
    assert agency_credit(agency, dt.date(2026, 12, 15)).delays == -5  # undelivered, overdue
    day("2026-12-15T10:00:00+08:00")
    project = _move(project.number, winner, "deliver")
    assert project.delayed
    project = _move(project.number, renshe, "return_delivery", reason="报告缺少监测数据")
    assert project.status == ProjectStatus.CONTRACTED
    assert agency_credit(agency, dt.date(2026, 12, 16)).delays == -5  # counted once
    project = _move(project.number, winner, "deliver")
    project = _move(project.number, renshe, "accept")
    project = _move(project.number, renshe, "pay", on=dt.date(2026, 12, 15), reference="ZF-001")
    with pytest.raises(FieldsInvalid) as caught:
        _move(project.number, renshe, "evaluate", quality=6, timeliness=3, attitude=None)
    assert set(caught.value.fields) == {"quality", "attitude"}
    project = _move(project.number, renshe, "evaluate", quality=5, timeliness=2, attitude=5,
                    text="质量好，但逾期一天")
    assert project.status == ProjectStatus.EVALUATED
    # 100 + 2×(12/3 − 3) − 5 (one delay)
    assert agency_credit(project.winner).score == Decimal("97.0")  # type: ignore[arg-type]
    row = LedgerEntry.objects.get(kind="market.evaluation")
    data = json.loads(bytes(row.entry))["data"]
    assert data == {"agency": agency.uscc, "project": project.number, "quality": 5,
                    "timeliness": 2, "attitude": 5, "delayed": True}


def test_lowest_price_wins_and_a_tie_is_drawn(db: Any, day: Any) -> None:
    item = service_type()
    renshe = User.objects.get(username="renshe")
    project = projects.project_post(user=renshe, data=projects.ProjectIn(
        service_type_id=item.pk, title="示例造价咨询", budget=Decimal("50000"),
        requirements="编制预算", service_workdays=5, registration_closes=dt.date(2026, 12, 9),
        method=Method.LOWEST))
    first, second, third = list(USCCS)[:3]
    for uscc in (first, second, third):
        listed(item, uscc)
    with pytest.raises(FieldsInvalid):  # a price is required, within the budget
        _move(project.number, enterprise(first), "register", amount=Decimal("60000"))
    _move(project.number, enterprise(first), "register", amount=Decimal("42000"))
    _move(project.number, enterprise(second), "register", amount=Decimal("39000"))
    _move(project.number, enterprise(third), "register", amount=Decimal("39000"))
    day("2026-12-10T09:00:00+08:00")
    with pytest.raises(Conflict) as caught:
        _move(project.number, renshe, "award")
    assert caught.value.code == "project.tied_bids"
    project = _move(project.number, renshe, "draw")
    draw = _run_draw(project.draw_number)
    assert sorted(draw.candidates) == sorted([second, third])
    project = Project.objects.get(pk=project.pk)
    assert project.status == ProjectStatus.SELECTED and project.winner is not None
    assert project.winner.uscc == draw.drawn[0]


def test_a_unique_lowest_price_is_awarded(db: Any, day: Any) -> None:
    item = service_type()
    renshe = User.objects.get(username="renshe")
    project = projects.project_post(user=renshe, data=projects.ProjectIn(
        service_type_id=item.pk, title="示例造价咨询", budget=Decimal("50000"),
        requirements="编制预算", service_workdays=5, registration_closes=dt.date(2026, 12, 9),
        method=Method.LOWEST))
    first, second = list(USCCS)[:2]
    for uscc, price in ((first, "30000"), (second, "31000")):
        listed(item, uscc)
        _move(project.number, enterprise(uscc), "register", amount=Decimal(price))
    day("2026-12-10T09:00:00+08:00")
    with pytest.raises(Conflict):  # no tie: nothing to draw
        _move(project.number, renshe, "draw")
    project = _move(project.number, renshe, "award")
    assert project.winner is not None and project.winner.uscc == first
