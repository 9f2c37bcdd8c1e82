"""我的公开申请 in 我的空间 (core.personal_space): the signed-in requester's 依申请公开
requests, newest first, each with its state and linking to its page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.openness.selectors import mine


def requests_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "is_staff_user", False):
        return None
    rows = mine(user)
    return personal_space.SectionData(
        items=[{"title": f"公开申请 {row.number} · {row.information[:30]}",
                "meta": f"{row.get_status_display()} · 申请于 "
                        f"{row.submitted_at.astimezone(clock.SHANGHAI):%Y-%m-%d}",
                "url": reverse("openness:detail", args=[row.number])}
               for row in rows[offset:offset + limit]],
        count=rows.count(), url=reverse("openness:mine"), url_label="我的公开申请")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="openness", title="政府信息公开申请", order=34, provide=requests_section,
        empty="没有政府信息公开申请。可在“政务公开”中在线申请公开政府信息。"))
