"""Entering a later year's schedule: validated, all or nothing; and the CLI."""

import pytest
from django.core.management import CommandError, call_command

from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.workdays.models import ScheduleYear
from zhengwu.workdays.services import parse_schedule, schedule_year_enter

pytestmark = pytest.mark.django_db


def test_every_bad_line_is_reported():
    with pytest.raises(InvalidInput) as error:
        parse_schedule("2027-13-01,放假\n2027-01-04,上班\n2027-01-02,休息\n2027-01-05\n")
    message = error.value.message
    assert "第1行：日期“2027-13-01”无效" in message
    assert "第2行：2027-01-04 是工作日" in message
    assert "第3行：类型“休息”无效" in message
    assert "第4行" in message


def test_a_year_is_entered_once_with_its_document():
    rows = parse_schedule("2027-01-01,放假,元旦\n")
    with pytest.raises(InvalidInput, match="依据文件"):
        schedule_year_enter(year=2027, rows=rows, document=" ", actor=SYSTEM)
    with pytest.raises(InvalidInput, match="不在2028年"):
        schedule_year_enter(year=2028, rows=rows, document="x", actor=SYSTEM)
    schedule_year_enter(year=2027, rows=rows, document="国办发明电〔2026〕示例号", actor=SYSTEM)
    with pytest.raises(Conflict):
        schedule_year_enter(year=2027, rows=rows, document="x", actor=SYSTEM)
    assert ScheduleYear.objects.get(year=2027).days.count() == 1


def test_cli_add_and_between(capsys):
    call_command("workdays", "add", "2025-09-26", "20")
    call_command("workdays", "add", "2026-12-31", "1")
    call_command("workdays", "between", "2025-09-26", "2025-10-30")
    call_command("workdays", "add", "2025-10-10", "0.5")
    out = capsys.readouterr().out.splitlines()
    assert out == ["2025-10-30", "2027-01-01 provisional", "20", "2025-10-10"]


def test_cli_refuses_bad_input():
    with pytest.raises(CommandError, match="日期"):
        call_command("workdays", "add", "2025-02-30", "1")
    with pytest.raises(CommandError, match="半天"):
        call_command("workdays", "add", "2025-02-03", "0.3")


def test_cli_import(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text("日期,类型,节日\n2027-01-01,放假,元旦\n", encoding="utf-8")
    call_command("workdays", "import", "2027", str(path), "--document", "国办发明电〔2026〕示例号")
    assert "已录入2027年" in capsys.readouterr().out
    call_command("workdays", "add", "2026-12-31", "1")
    assert capsys.readouterr().out.strip() == "2027-01-04"
