"""`zhengwu hotline_import`: the same file twice is the same orders; a bad file writes none."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhengwu.hotline.models import WorkOrder

pytestmark = pytest.mark.django_db
ROW = {"external_id": "SJ-CLI-1", "kind": "help", "title": "路灯不亮", "content": "路灯坏了",
       "caller_name": "李四", "caller_phone": "13812345678"}


def test_import_twice_is_one_order(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps({"orders": [ROW]}, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("hotline_import", str(path), "--user", "hotline", stdout=out)
    assert "新增 1" in out.getvalue()
    out = StringIO()
    call_command("hotline_import", str(path), stdout=out)
    assert "新增 0，已存在 1" in out.getvalue()
    assert WorkOrder.objects.filter(external_id="SJ-CLI-1").count() == 1


def test_bad_rows_write_nothing(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([dict(ROW, external_id="SJ-CLI-2"), {"kind": "help"}]),
                    encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 行有误"):
        call_command("hotline_import", str(path), stderr=err)
    assert "第2行" in err.getvalue()
    assert not WorkOrder.objects.filter(external_id="SJ-CLI-2").exists()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        call_command("hotline_import", str(path))
