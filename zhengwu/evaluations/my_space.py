"""待评价 in 我的空间 (core.personal_space): the person's services still to rate, newest first,
each linking to its rating page; their ratings are a link away (我的评价)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import clock, personal_space
from zhengwu.evaluations import rules
from zhengwu.evaluations.events import KINDS
from zhengwu.evaluations.selectors import rateable_events


def to_rate_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    if getattr(user, "is_staff_user", False):
        return None
    events = rateable_events(user)
    return personal_space.SectionData(
        items=[{"title": f"{KINDS.get(e.kind, e.kind)} {e.key} · {e.item_name}",
                "meta": "请于 " + f"{rules.rate_until(e.closed_at).astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"
                        + " 前评价",
                "url": reverse("evaluations:rate", args=[e.kind, e.key])}
               for e in events[offset:offset + limit]],
        count=len(events), url=reverse("evaluations:mine"), url_label="我的评价")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="evaluations", title="待评价", order=28, provide=to_rate_section,
        empty="没有待评价的服务。办件作出决定或一件事办结后，可在这里评价。"))
