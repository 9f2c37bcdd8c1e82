"""The plan loaded from the Leiyang pack (plan/measures.csv, plan/targets.csv): 32 measures
with their tasks and departments, targets bound to figures; loading again changes nothing; a
bad row refuses the load and keeps nothing; a pack without a plan loads without one."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.audit import SYSTEM
from zhengwu.plan.models import Measure, ProgressReport, Target, Task
from zhengwu.plan.pack import PlanPackError, plan_load


def test_the_pack_loads_32_measures_with_their_tasks(db: Any) -> None:
    assert Measure.objects.count() == 32
    task = Task.objects.get(measure__number=12)
    assert sorted(task.lead_departments.values_list("short_name", flat=True)) == [
        "市市场监督管理局", "市政务服务中心"]
    co = set(task.co_departments.values_list("short_name", flat=True))
    assert {"市公安局", "市税务局", "人民银行耒阳支行"} <= co
    # A unit that is not one of the pack's departments stays in the plan's wording only.
    assert "衡阳市住房公积金管理中心耒阳市管理部" in task.co_units
    assert str(task.deadline) == "2021-08-31"
    ongoing = Task.objects.get(measure__number=22)
    assert ongoing.deadline is None and ongoing.deadline_text == "长期坚持"


def test_targets_name_figures_and_thresholds(db: Any) -> None:
    days = Target.objects.get(measure__number=12, figure="bundle_longest_days:LY-QYKB")
    assert (days.comparison, days.threshold) == ("<=", Decimal("1.00"))
    assert Target.objects.filter(measure__number=4, figure="").exists()  # reported by departments


def test_loading_again_changes_nothing(db: Any) -> None:
    before = list(Target.objects.values_list("pk", "text", "figure", "threshold"))
    result = plan_load(Path(settings.ZHENGWU_DEFAULT_PACK), actor=SYSTEM)
    assert (result.measures, result.targets) == (0, 0)
    assert list(Target.objects.values_list("pk", "text", "figure", "threshold")) == before


def _copy(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(Path(settings.ZHENGWU_DEFAULT_PACK) / "plan", pack / "plan")
    return pack


@pytest.mark.parametrize(("line", "message"), [
    ("12,目标,no_such_figure,>=,1", "未知的实时指标“no_such_figure”"),
    ("12,目标,bundle_steps,<=,3", "需要参数"),
    ("12,目标,speed_up,>,90", "comparison 应为 >= 或 <="),
    ("12,目标,speed_up,>=,九十", "threshold 应为数值"),
    ("99,目标,,,", "举措 99 不在 plan/measures.csv 中"),
])
def test_a_bad_target_refuses_the_load_and_keeps_nothing(db: Any, tmp_path: Path, line: str,
                                                         message: str) -> None:
    pack = _copy(tmp_path)
    targets = pack / "plan" / "targets.csv"
    bad_line = len(targets.read_text(encoding="utf-8").splitlines()) + 1
    with targets.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    Target.objects.filter(measure__number=5).update(text="改过的目标")
    with pytest.raises(PlanPackError, match=message) as refused, transaction.atomic():
        plan_load(pack, actor=SYSTEM)
    assert f"plan/targets.csv 第{bad_line}行" in refused.value.message
    assert Target.objects.filter(text="改过的目标").count() == 2


def test_a_pack_without_a_plan_loads_nothing(db: Any, tmp_path: Path) -> None:
    result = plan_load(tmp_path, actor=SYSTEM)
    assert (result.measures, result.targets) == (0, 0)
    assert Measure.objects.count() == 32


def test_a_measure_with_several_tasks_has_each_with_its_own_lead(db: Any) -> None:
    """Measure 20 of the plan's task table is split 一是…四是, each named with its own lead
    unit (plan/tasks.csv); the others keep the measure's row as their one task."""
    tasks = list(Task.objects.filter(measure__number=20).order_by("number"))
    assert [t.number for t in tasks] == [1, 2, 3, 4]
    assert [list(t.lead_departments.values_list("short_name", flat=True)) for t in tasks] == [
        ["市政务服务中心"], ["市自然资源局"], ["市住建局"], ["市住建局"]]
    assert tasks[0].text.startswith("由市政务服务中心制定工程建设项目联合踏勘工作方案")
    assert all(str(t.deadline) == "2021-09-30" for t in tasks)
    assert Task.objects.get(measure__number=12).text == ""  # the measure's own text says it


@pytest.mark.parametrize(("line", "message"), [
    ("99,1,任务,市住建局,,,", "举措 99 不在 plan/measures.csv 中"),
    ("20,1,重复的任务,市住建局,,,", "任务 20-1 重复"),
    ("20,5,,市住建局,,,", "text 和 lead 必填"),
    ("20,5,任务,市住建局,,2021-13-01,", "deadline 应为 YYYY-MM-DD"),
])
def test_a_bad_task_refuses_the_load_and_keeps_nothing(db: Any, tmp_path: Path, line: str,
                                                       message: str) -> None:
    pack = _copy(tmp_path)
    tasks = pack / "plan" / "tasks.csv"
    bad_line = len(tasks.read_text(encoding="utf-8").splitlines()) + 1
    with tasks.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    Target.objects.filter(measure__number=5).update(text="改过的目标")
    with pytest.raises(PlanPackError, match=message) as refused, transaction.atomic():
        plan_load(pack, actor=SYSTEM)
    assert f"plan/tasks.csv 第{bad_line}行" in refused.value.message
    assert Target.objects.filter(text="改过的目标").count() == 2


def test_a_task_dropped_from_the_file_is_removed_unless_reported_on(db: Any,
                                                                    tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    tasks = pack / "plan" / "tasks.csv"
    lines = tasks.read_text(encoding="utf-8").splitlines()
    tasks.write_text("\n".join(line for line in lines if not line.startswith("20,4,")) + "\n",
                     encoding="utf-8")
    reported = Task.objects.get(measure__number=20, number=4)
    ProgressReport.objects.create(
        task=reported, month=dt.date(2026, 11, 1), text="联合验收办法已印发。",
        department=reported.lead_departments.get(), created_at=clock.now(),
        author=User.objects.get(username="supervisor"))
    with pytest.raises(PlanPackError, match="任务 20-4 已有进展报告") as refused, \
            transaction.atomic():
        plan_load(pack, actor=SYSTEM)
    assert "plan/tasks.csv" in refused.value.message
    reported.reports.all().delete()
    plan_load(pack, actor=SYSTEM)
    assert list(Task.objects.filter(measure__number=20).values_list("number", flat=True)) == [
        1, 2, 3]
