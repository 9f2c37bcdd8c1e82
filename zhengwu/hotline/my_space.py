"""我的12345诉求 in 我的空间 (core.personal_space): the signed-in person's work orders, newest
first, each with its state and linking to its page. Registered from HotlineConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.hotline.selectors import mine


def orders_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "is_staff_user", False):
        return None
    rows = mine(user)
    return personal_space.SectionData(
        items=[{"title": f"工单 {row.number} · {row.title}",
                "meta": f"{row.get_status_display()} · 提交于 "
                        f"{row.accepted_at.astimezone(clock.SHANGHAI):%Y-%m-%d}",
                "url": reverse("hotline:order", args=[row.number])}
               for row in rows[offset:offset + limit]],
        count=rows.count(), url=reverse("hotline:mine"), url_label="我的12345诉求")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="hotline", title="12345诉求", order=32, provide=orders_section,
        empty="没有12345诉求记录。咨询、求助、投诉、建议可在“12345我要反映”中提出。"))
    personal_space.register_link("hotline", personal_space.Link("12345我要反映", "hotline:new"))
