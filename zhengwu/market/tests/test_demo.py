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
