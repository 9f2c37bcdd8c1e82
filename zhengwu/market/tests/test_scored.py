"""综合评分: a panel drawn from the 评审专家库 by the verifiable draw (conflicts excluded
first), each member's marks sealed until the panel is complete, the scores and the ranking in
the transparency log (expert codes, no names), the highest total wins, a tie is drawn."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.accounts.tests.consented import consented
from zhengwu.core.errors import Conflict, DomainError, FieldsInvalid, NotAllowed
from zhengwu.draws import protocol
from zhengwu.draws import services as draws
from zhengwu.ledger.models import LedgerEntry
from zhengwu.market import experts, projects
from zhengwu.market.models import Method, PanelMember, Project, ProjectStatus
from zhengwu.market.projects import ProjectMoveIn
from zhengwu.market.tests.helpers import USCCS, enterprise, listed, service_type

AGENCIES = list(USCCS)[:3]
PRICES = {AGENCIES[0]: Decimal("80000"), AGENCIES[1]: Decimal("96000"),
          AGENCIES[2]: Decimal("100000")}


@pytest.fixture
def day(settings: Any) -> Any:
    def at(moment: str) -> None:
        settings.ZHENGWU_NOW = moment
    at("2026-12-07T09:00:00+08:00")
    return at


def expert_user(n: int) -> User:
    return consented(User.objects.create(username=f"expert{n}", display_name=f"示例专家{n}"))


def pool(item: Any, count: int = 7) -> list[str]:
    """`count` experts of the service type; the sixth declared a conflict with the first
    agency, the seventh works in the owner's department: both left out of the draw."""
    catalog = User.objects.get(username="catalog")
    owner_department = projects.owner_departments(User.objects.get(username="renshe"))[0]
    codes = []
    for n in range(1, count + 1):
        expert = experts.expert_add(user=catalog, data=experts.ExpertIn(
            username=expert_user(n).username, code=f"ZJ-{n:04d}", employer="示例工程咨询协会",
            department_id=owner_department.pk if n == 7 else None, specialty_ids=[item.pk]))
        codes.append(expert.code)
    if count >= 6:
        experts.conflict_declare(user=catalog, data=experts.ConflictIn(
            code="ZJ-0006", uscc=AGENCIES[0], reason="former", note="曾在该机构任职"))
    return codes


def scored_project(item: Any) -> Project:
    project = projects.project_post(user=User.objects.get(username="renshe"),
                                    data=projects.ProjectIn(
        service_type_id=item.pk, title="耒阳市示例项目可行性研究", budget=Decimal("100000"),
        requirements="编制可行性研究报告", service_workdays=10,
        registration_closes=dt.date(2026, 12, 9), method=Method.SCORED))
    for uscc in AGENCIES:
        listed(item, uscc)
        projects.project_move(number=project.number, user=enterprise(uscc),
                              move=ProjectMoveIn("register", amount=PRICES[uscc]))
    return project


def run_draw(number: str) -> None:
    owner, supervisor = User.objects.get(username="renshe"), User.objects.get(
        username="supervisor")
    held = {owner.pk: secrets.token_hex(32), supervisor.pk: secrets.token_hex(32)}
    for user in (owner, supervisor):
        draws.draw_move(number=number, user=user, move=draws.DrawMoveIn(
            "commit", protocol.commitment(held[user.pk])))
    for user in (owner, supervisor):
        draws.draw_move(number=number, user=user, move=draws.DrawMoveIn("reveal",
                                                                          held[user.pk]))


# Each member's (技术方案, 服务质量保障) for agencies 0, 1, 2 (the golden case of test_scoring).
MARKS = [((30, 20), (38, 28), (40, 30)), ((32, 22), (36, 26), (39, 29)),
         ((28, 20), (37, 27), (20, 10)), ((30, 21), (35, 25), (40, 30)),
         ((31, 19), (40, 30), (38, 28))]


def panelled(item: Any, day: Any) -> Project:
    pool(item)
    project = scored_project(item)
    day("2026-12-10T09:00:00+08:00")
    project = projects.project_move(number=project.number,
                                    user=User.objects.get(username="renshe"),
                                    move=ProjectMoveIn("panel"))
    assert project.status == ProjectStatus.PANEL
    run_draw(project.panel_draw_number)
    return Project.objects.get(pk=project.pk)


def test_the_panel_is_drawn_without_conflicted_experts(db: Any, day: Any) -> None:
    item = service_type()
    project = panelled(item, day)
    assert project.status == ProjectStatus.SCORING
    panel = list(PanelMember.objects.filter(project=project).values_list("expert__code",
                                                                         flat=True))
    # 7 in the pool, one conflicted, one of the owner's department: the other five drawn.
    assert sorted(panel) == ["ZJ-0001", "ZJ-0002", "ZJ-0003", "ZJ-0004", "ZJ-0005"]
    opened = [json.loads(bytes(e.entry))["data"] for e in LedgerEntry.objects.filter(
        kind="draw.open").order_by("index")]
    assert opened[-1]["candidates"] == sorted(panel)
    assert "示例专家" not in json.dumps(opened, ensure_ascii=False)


def test_too_few_experts_refuse_the_panel(db: Any, day: Any) -> None:
    item = service_type()
    pool(item, count=5)  # five experts, then one declares a conflict: four left
    catalog = User.objects.get(username="catalog")
    experts.conflict_declare(user=catalog, data=experts.ConflictIn(
        code="ZJ-0001", uscc=AGENCIES[1], reason="relative"))
    project = scored_project(item)
    day("2026-12-10T09:00:00+08:00")
    with pytest.raises(Conflict) as caught:
        projects.project_move(number=project.number, user=User.objects.get(username="renshe"),
                              move=ProjectMoveIn("panel"))
    assert caught.value.code == "project.too_few_experts"
    assert "4名" in caught.value.message


def _marks(row: tuple[tuple[int, int], ...]) -> dict[str, tuple[int | None, int | None]]:
    return dict(zip(AGENCIES, row, strict=True))


def test_scores_are_sealed_until_the_panel_is_complete_then_logged(db: Any, day: Any) -> None:
    item = service_type()
    project = panelled(item, day)
    members = list(PanelMember.objects.filter(project=project).select_related(
        "expert__user").order_by("expert__code"))
    with pytest.raises(NotAllowed):  # not on the panel
        projects.score_submit(number=project.number, user=User.objects.get(username="renshe"),
                              marks=_marks(MARKS[0]))
    bad = _marks(MARKS[0]) | {AGENCIES[1]: (41, None)}
    with pytest.raises(FieldsInvalid) as caught:
        projects.score_submit(number=project.number, user=members[0].expert.user, marks=bad)
    assert set(caught.value.fields) == {f"{AGENCIES[1]}_technical", f"{AGENCIES[1]}_quality"}
    for member, row in zip(members[:4], MARKS[:4], strict=True):
        project = projects.score_submit(number=project.number, user=member.expert.user,
                                        marks=_marks(row))
        assert project.status == ProjectStatus.SCORING
    assert not LedgerEntry.objects.filter(kind__startswith="market.score").exists()
    with pytest.raises(DomainError) as again:
        projects.score_submit(number=project.number, user=members[0].expert.user,
                              marks=_marks(MARKS[0]))
    assert again.value.code == "project.scored"
    with pytest.raises(DomainError):  # not before the scores are complete
        projects.project_move(number=project.number, user=User.objects.get(username="renshe"),
                              move=ProjectMoveIn("award"))
    project = projects.score_submit(number=project.number, user=members[4].expert.user,
                                    marks=_marks(MARKS[4]))
    assert project.status == ProjectStatus.SCORED
    logged = [json.loads(bytes(e.entry))["data"] for e in LedgerEntry.objects.filter(
        kind="market.score").order_by("index")]
    assert [d["expert"] for d in logged] == [m.expert.code for m in sorted(
        members, key=lambda m: m.position)]
    result = json.loads(bytes(LedgerEntry.objects.get(kind="market.score_result").entry))
    totals = {r["agency"]: r["total"] for r in result["data"]["ranking"]}
    # the golden case: A 80.33, B 89.00, C 92.00 (the marks are in code order here)
    assert totals == {AGENCIES[0]: "80.33", AGENCIES[1]: "89.00", AGENCIES[2]: "92.00"}
    assert result["data"]["leaders"] == [AGENCIES[2]]
    assert "示例专家" not in json.dumps(result, ensure_ascii=False)
    project = projects.project_move(number=project.number,
                                    user=User.objects.get(username="renshe"),
                                    move=ProjectMoveIn("award"))
    assert project.status == ProjectStatus.SELECTED
    assert project.winner is not None and project.winner.uscc == AGENCIES[2]


def test_a_tie_on_the_highest_total_is_drawn(db: Any, day: Any) -> None:
    item = service_type()
    project = panelled(item, day)
    members = PanelMember.objects.filter(project=project).select_related("expert__user")
    # equal price scores need equal prices: A and B tie if A's marks make up for its price
    # (A 30.00 + 50 = 80.00, B 25.00 + 55 = 80.00, C 24.00 + 40 = 64.00)
    for member in members:
        projects.score_submit(number=project.number, user=member.expert.user, marks=_marks(
            ((30, 20), (30, 25), (20, 20))))
    owner = User.objects.get(username="renshe")
    with pytest.raises(Conflict) as caught:
        projects.project_move(number=project.number, user=owner, move=ProjectMoveIn("award"))
    assert caught.value.code == "project.tied_scores"
    project = projects.project_move(number=project.number, user=owner,
                                    move=ProjectMoveIn("draw"))
    assert project.status == ProjectStatus.DRAWING
    run_draw(project.draw_number)
    project = Project.objects.get(pk=project.pk)
    assert project.status == ProjectStatus.SELECTED
    assert project.winner is not None and project.winner.uscc in AGENCIES[:2]
