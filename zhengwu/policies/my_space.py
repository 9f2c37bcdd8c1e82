"""政策兑现 in an enterprise's or a verified person's 我的空间 (core.personal_space): the grants
received without applying (免申即享: 惠企 benefits, 人才住房补贴 …), newest first, linking to 我能享受的政策 where every benefit is explained."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.policies.models import SubjectKind
from zhengwu.policies.selectors import grants_received


def grants_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "is_staff_user", False):
        return None
    kind = getattr(user, "kind", "")
    code = getattr(user, "uscc", "") if kind == SubjectKind.ENTERPRISE \
        else getattr(user, "citizen_id", "") if kind == SubjectKind.PERSON else ""
    if not code:
        return None
    rows = grants_received(code, kind)
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
        key="policies", title="政策兑现", order=45, provide=grants_section,
        empty="暂无免申即享的兑现。可在“我能享受的政策”中查看符合哪些政策及判定依据。"))
