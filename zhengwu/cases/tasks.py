"""Background tasks of case handling (Django Tasks API). Pre-rendering notice PDFs lives with
the notices it renders (cases.notices), so the services that issue a notice can enqueue it;
the name stays importable here for tasks already queued under it."""

from __future__ import annotations

from zhengwu.cases.notices import notice_render_task

__all__ = ["notice_render_task"]
