"""我的预约 in 我的空间 (core.personal_space): the person's appointments, the latest first,
each linking to its page (with its booking code and the cancel button while it may be
cancelled)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import personal_space
from zhengwu.hall.models import Appointment
from zhengwu.hall.selectors import appointments_of
from zhengwu.workdays.calendar import SHANGHAI


def appointment_row(row: Appointment) -> dict[str, Any]:
    start = row.start.astimezone(SHANGHAI)
    return {"code": row.code, "title": row.service.implementation.item.name,
            "meta": f"{row.hall.name} · {start:%Y-%m-%d %H:%M} · {row.get_status_display()}",
            "status": row.status, "url": reverse("hall:appointment", args=[row.code])}


def appointments_section(user: Any, limit: int, offset: int
                         ) -> personal_space.SectionData | None:
    rows = appointments_of(user)
    return personal_space.SectionData(
        items=[appointment_row(r) for r in rows[offset:offset + limit]], count=rows.count(),
        url=reverse("hall:mine"))


def register() -> None:
    personal_space.register(personal_space.Section(
        key="appointments", title="我的预约", order=27, provide=appointments_section,
        empty="还没有预约。可在“服务大厅”网上预约到大厅办事的时间。"))
