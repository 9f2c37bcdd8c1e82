"""django-tasks-db (the worker's task queue) as an installed app under a Chinese name.

Its own AppConfig names it "Tasks Database Backend" in a plain string, so the admin's heading
could not be translated; its fields and statuses are translated in locale/zh_Hans (issue 16:
Chinese wherever a person reads). Kept out of core/apps.py: a second AppConfig there would
stop Django picking CoreConfig by default.
"""

from __future__ import annotations

from django_tasks_db.apps import TasksAppConfig


class TaskResultsConfig(TasksAppConfig):
    verbose_name = "后台任务"
