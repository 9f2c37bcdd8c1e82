"""Catalogue import: all or nothing, every bad row reported in Chinese, idempotent, round trip."""

import io
import json

import pytest
from openpyxl import Workbook

from zhengwu.catalog import export, selectors
from zhengwu.catalog.importing import import_file
from zhengwu.catalog.models import ImplementationVersion, ItemImplementation, ServiceItem
from zhengwu.catalog.rows import COLUMNS
from zhengwu.core.audit import Actor
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ACTOR = Actor(label="测试导入", role="catalog_admin")
HEADER = [label for _, label in COLUMNS]


def good_row(**overrides):
    row = {
        "事项名称": "测试事项：犬只登记", "事项类型": "行政确认", "服务对象": "自然人",
        "设定依据": "《湖南省犬类管理办法》（示例）", "实施主体": "市公安局",
        "行政区划代码": "430481000000", "行使层级": "4", "承诺办结时限(工作日)": "1",
        "本级法定时限(工作日)": "10", "网上办理深度": "3", "到办事现场次数": "1",
        "办件类型": "2", "办理形式": "1;2",
        "申请材料(名称|来源|形式|份数|必要|出具单位|政府核发|说明)": "申请表|申请人提供|原件|1|是||否;居民身份证|电子证照调用|电子|1|是|公安机关|是",
    }
    row.update(overrides)
    return row


def csv_bytes(rows):
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def test_a_good_csv_creates_a_published_implementation_with_a_version():
    result = import_file(file_name="new.csv", content=csv_bytes([good_row()]), actor=ACTOR)
    assert result.ok, result.problems
    assert result.created == 1
    impl = ItemImplementation.objects.get(item__name="测试事项：犬只登记")
    assert impl.status == "published"
    assert impl.version == 1
    assert impl.code.endswith(impl.item.basic_code)
    assert impl.code.startswith(impl.department.uscc + "4")
    assert impl.item.basic_code.startswith("4307")  # province 43, 事项类型 07 行政确认
    assert [m.name for m in impl.materials.all()] == ["申请表", "居民身份证"]
    assert ImplementationVersion.objects.filter(implementation=impl, number=1).exists()
    assert AuditEvent.objects.filter(action="catalog.publish", object_id=str(impl.pk)).exists()


def test_importing_the_same_file_twice_changes_nothing():
    content = csv_bytes([good_row()])
    import_file(file_name="a.csv", content=content, actor=ACTOR)
    again = import_file(file_name="a.csv", content=content, actor=ACTOR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_one_bad_row_imports_nothing_and_every_problem_has_a_row_and_reason():
    rows = [
        good_row(),
        good_row(**{"事项名称": "测试事项二", "事项类型": "99"}),
        good_row(**{"事项名称": "测试事项三", "实施主体": "不存在的局"}),
        good_row(**{"事项名称": "测试事项四", "承诺办结时限(工作日)": "abc", "网上办理深度": "7"}),
        good_row(**{"事项名称": "测试事项五", "行政区划代码": "999999999999"}),
    ]
    before = ServiceItem.objects.count(), ItemImplementation.objects.count()
    result = import_file(file_name="bad.csv", content=csv_bytes(rows), actor=ACTOR)
    assert not result.ok
    texts = [p.as_text() for p in result.problems]
    assert any(t.startswith("第3行「事项类型」") and "GB/T 39046" in t for t in texts), texts
    assert any(t.startswith("第5行「承诺办结时限(工作日)」") and "abc" in t for t in texts), texts
    # Lookups are checked only when every row parses, so fix the parse errors and retry.
    assert (ServiceItem.objects.count(), ItemImplementation.objects.count()) == before
    rows[1]["事项类型"] = "行政许可"
    rows[3].update({"承诺办结时限(工作日)": "2", "网上办理深度": "3"})
    result = import_file(file_name="bad.csv", content=csv_bytes(rows), actor=ACTOR)
    texts = [p.as_text() for p in result.problems]
    assert "第4行「实施主体」：部门“不存在的局”不存在" in texts
    assert "第6行「行政区划代码」：区划代码 999999999999 不存在" in texts
    assert (ServiceItem.objects.count(), ItemImplementation.objects.count()) == before


def test_xlsx_and_json_are_read_too():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = good_row(**{"事项名称": "测试事项：表格导入"})
    sheet.append([row.get(h, "") for h in HEADER])
    out = io.BytesIO()
    workbook.save(out)
    assert import_file(file_name="x.xlsx", content=out.getvalue(), actor=ACTOR).created == 1
    payload = json.dumps({"rows": [good_row(**{"事项名称": "测试事项：JSON导入"})]},
                         ensure_ascii=False).encode()
    assert import_file(file_name="x.json", content=payload, actor=ACTOR).created == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.txt", b"x", "文件类型不支持"),
    ("a.xlsx", b"not a zip", "不是有效的 xlsx 文件"),
    ("a.json", b"{broken", "JSON 格式错误"),
    ("a.json", b"[1, 2]", "JSON 应为对象数组"),
    ("a.csv", "事项名称\n".encode(), "没有数据行"),
    ("a.csv", "名字,年龄\n张三,3\n".encode(), "无法识别的列"),
    ("a.csv", b"\xff\xfe\x00\x00garbage", "CSV"),
])
def test_bad_files_are_refused_with_a_reason(name, content, message):
    result = import_file(file_name=name, content=content, actor=ACTOR)
    assert not result.ok
    assert message in result.problems[0].message


def test_export_then_import_is_a_round_trip():
    rows = selectors.implementation_list(list_kind="public")[:30]
    content = export.to_csv(rows.prefetch_related("materials", "item__themes"))
    result = import_file(file_name="round.csv", content=content, actor=ACTOR)
    assert result.ok, result.problems[:3]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 30)
