"""The Leiyang pack's 中介超市 demo (示例): three qualified agencies registered for a closed
project, one agency hidden by its expired 资质 — the owner can draw at once."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.market import projects
from zhengwu.market.models import Agency, Project, ProjectStatus
from zhengwu.market.selectors import selectable_agencies


def test_the_demo_project_is_ready_for_a_random_draw(db: Any) -> None:
    project = Project.objects.get(illustrative=True)
    assert project.status == ProjectStatus.OPEN and project.registrations.count() == 3
    selectable = {a.uscc for a in selectable_agencies(project.service_type_id, clock.today())}
    assert "91430481MA4L20047J" not in selectable  # its 资质 expired on 2025-12-31
    assert Agency.objects.filter(illustrative=True).count() == 4
    row = projects.project_move(number=project.number, user=User.objects.get(
        username="renshe"), move=projects.ProjectMoveIn("draw"))
    assert row.status == ProjectStatus.DRAWING and row.draw_number


def test_the_demo_expert_pool_draws_five_for_a_scored_project(db: Any) -> None:
    import datetime as dt
    from decimal import Decimal

    from zhengwu.market import experts
    from zhengwu.market.models import Expert, Method

    demo = Project.objects.get(illustrative=True)
    assert Expert.objects.filter(illustrative=True).count() == 6
    scored = projects.project_post(user=User.objects.get(username="renshe"),
                                   data=projects.ProjectIn(
        service_type_id=demo.service_type_id, title="示例综合评分项目", budget=Decimal("50000"),
        requirements="示例", service_workdays=10,
        registration_closes=clock.today() + dt.timedelta(days=3), method=Method.SCORED))
    codes, excluded = experts.panel_candidates(scored, [
        "91430481MA4L200120", "91430481MA4L20020T", "91430481MA4L20039P"])
    # PS-0006 declared a conflict with the first agency: left out before the draw.
    assert (codes, excluded) == (["PS-0001", "PS-0002", "PS-0003", "PS-0004", "PS-0005"], 1)
