"""帮代办 and 创业管家 in 我的空间 (core.personal_space): an enterprise's 代办项目 with how far
each has come, and its 创业管家 — shown in the space of an enterprise (opened by its legal
representative, accounts.space); a person's own space has neither."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.accounts.models import UserKind
from zhengwu.assistance import selectors
from zhengwu.core import personal_space


def projects_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "kind", "") != UserKind.ENTERPRISE:
        return None
    projects = selectors.projects_of(user)
    if not projects.exists():
        return None
    rows = []
    for project in projects[offset:offset + limit]:
        items = selectors.progress(project)
        done = sum(1 for i in items if i.done)
        rows.append({"id": project.pk, "title": project.name,
                     "meta": f"代办员 {project.agent} · {project.get_status_display()} · "
                             f"已办结 {done}/{len(items)} · 授权{selectors.authorization_state(project)}",
                     "url": reverse("assistance:project", args=[project.pk])})
    return personal_space.SectionData(items=rows, count=projects.count(),
                                      url=reverse("assistance:mine"))


def butler_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "kind", "") != UserKind.ENTERPRISE:
        return None
    butler = selectors.butler_of_space(user)
    if butler is None:
        return None
    state = "服务中" if butler.active else "已结束"
    return personal_space.SectionData(
        items=[{"id": butler.pk, "title": f"创业管家：{butler.manager}",
                "meta": f"{state} · 消息 {butler.messages.count()} 条",
                "url": reverse("assistance:my_butler")}],
        count=1, url=reverse("assistance:my_butler"), url_label="查看消息")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="assistance_projects", title="帮代办项目", order=28, provide=projects_section))
    personal_space.register(personal_space.Section(
        key="butler", title="创业管家", order=29, provide=butler_section))
