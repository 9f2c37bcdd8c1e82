"""Background tasks of case handling (Django Tasks API): pre-rendering notice PDFs."""

from __future__ import annotations

from django_tasks import task

from zhengwu.cases.models import Notice
from zhengwu.cases.notices import notice_pdf


@task()
def notice_render_task(notice_id: int) -> int:
    """Render and cache one notice's PDF; returns its size in bytes (0 when gone)."""
    notice = Notice.objects.select_related(
        "case__department", "case__implementation__item").filter(pk=notice_id).first()
    if notice is None:
        return 0
    return len(notice_pdf(notice))
