"""我的反映 in 我的空间 (core.personal_space): the signed-in person's 办不成事 tickets, newest
first, each with its state and linking to its page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.unresolved.selectors import mine


def tickets_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "is_staff_user", False):
        return None
    rows = mine(user)
    return personal_space.SectionData(
        items=[{"title": f"反映单 {row.number} · "
                         f"{row.implementation.item.name if row.implementation else row.asked[:30]}",
                "meta": f"{row.get_status_display()} · 反映于 "
                        f"{row.opened_at.astimezone(clock.SHANGHAI):%Y-%m-%d}",
                "url": reverse("unresolved:detail", args=[row.number])}
               for row in rows[offset:offset + limit]],
        count=rows.count(), url=reverse("unresolved:mine"), url_label="我的反映")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="unresolved", title="办不成事反映", order=30, provide=tickets_section,
        empty="没有反映记录。在窗口或网上被告知“办不成”时，可在“办不成事反映”中提出。"))
