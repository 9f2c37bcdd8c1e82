"""惠企政策 in an enterprise's 我的空间 (core.personal_space): the grants it received without
applying (免申即享), newest first, linking to 我能享受的政策 where every benefit is explained."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.policies.selectors import grants_received


def grants_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    uscc = getattr(user, "uscc", "")
    if getattr(user, "is_staff_user", False) or getattr(user, "kind", "") != "enterprise" \
            or not uscc:
        return None
    rows = grants_received(uscc)
    return personal_space.SectionData(
        items=[{"title": f"{grant.grant_list.benefit.name}（免申即享）",
                "meta": f"{grant.amount if grant.amount is not None else '—'} 元 · 确认于 "
                        f"{grant.grant_list.confirmed_at.astimezone(clock.SHANGHAI):%Y-%m-%d}"
                        if grant.grant_list.confirmed_at else "",
                "url": reverse("policies:mine")}
               for grant in rows[offset:offset + limit]],
        count=rows.count(), url=reverse("policies:mine"), url_label="我能享受的政策")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="policies", title="惠企政策", order=45, provide=grants_section,
        empty="暂无免申即享的兑现。可在“我能享受的政策”中查看贵单位符合哪些政策及判定依据。"))
