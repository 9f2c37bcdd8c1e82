"""Background tasks of the catalogue (Django Tasks API): running an uploaded import."""

from __future__ import annotations

from django_tasks import task

from zhengwu.catalog.importing import import_run
from zhengwu.core.audit import Actor


@task()
def run_catalog_import(import_id: int, user_id: int | None, user_label: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    import_run(import_id=import_id, actor=Actor(user=user, label=user_label, role="catalog_admin"))
