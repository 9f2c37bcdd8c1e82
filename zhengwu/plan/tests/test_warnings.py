"""Warnings and escalation of the plan's tasks (plan.services.plan_warn): once a month per
task, late tasks to their lead departments and 电子监察, missing reports asked for; each notice
with its audit row; running again the same month sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from zhengwu.accounts.models import User
from zhengwu.core.models import AuditEvent
from zhengwu.notifications.models import OutboxItem
from zhengwu.plan.models import Task
from zhengwu.plan.services import plan_warn, report_submit
from zhengwu.workdays.calendar import SHANGHAI

NOW = dt.datetime(2026, 12, 8, 10, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
def test_late_tasks_are_escalated_and_missing_reports_asked_for_once_a_month(db: Any) -> None:
    chief = User.objects.get(username="chief")  # 首席代表 of 市市场监督管理局
    report_submit(task=Task.objects.get(measure__number=22), user=chief, month="2026-11",
                  text="双随机、一公开监管按月推进。")
    asked, escalated = plan_warn(NOW)
    # 31 tasks are past their 2021 dates (28 measures, measure 20 in four tasks); of the 4
    # ongoing ones, measure 22 reported.
    assert (asked, escalated) == (3, 31)
    mine = OutboxItem.objects.filter(recipient=chief, category="plan")
    late_12 = f"plan:task:{Task.objects.get(measure__number=12).pk}:late:2026-12:"
    assert mine.filter(dedupe_key__startswith=late_12).exists()
    assert not mine.filter(dedupe_key__contains=":report:").exists()
    supervisor = User.objects.get(username="supervisor")
    told = OutboxItem.objects.filter(recipient=supervisor, category="plan")
    assert told.filter(dedupe_key__contains=":late:").count() == 31
    # 市政务服务中心 has no 首席代表: its staff (the supervisor among them) are asked for the
    # reports of the ongoing measures it leads (24, 29, 30).
    assert told.filter(dedupe_key__contains=":report:").count() == 3
    assert AuditEvent.objects.filter(action="plan.escalate").count() == 31
    assert plan_warn(NOW + dt.timedelta(days=3)) == (0, 0)
    assert AuditEvent.objects.filter(action="plan.escalate").count() == 31
    # A new month: escalated again.
    assert plan_warn(dt.datetime(2027, 1, 4, 10, tzinfo=SHANGHAI))[1] == 31
