"""The plan's step and material limits for utility hook-ups (耒阳市 2021 方案措施[17]):
stored on the basic item, carried by the catalogue file and the data pack, and checked by
事项要素质检."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from zhengwu.catalog import export, selectors
from zhengwu.catalog.importing import import_file
from zhengwu.catalog.models import ItemImplementation, ServiceItem
from zhengwu.catalog.quality import GuideFacts, MaterialFacts, check
from zhengwu.catalog.rows import COLUMNS, LABEL, parse_row
from zhengwu.core.audit import Actor
from zhengwu.packs.loader import PackError, catalog_rows

ACTOR = Actor(label="测试导入", role="catalog_admin")
HEADER = [label for _, label in COLUMNS]
FOUR_STEPS = ("受理", "现场勘查", "审核", "装表接电")


def facts(**overrides):
    values = {"legal_basis": "《湖南省工程建设领域市政公用服务报装接入办法》（示例）",
              "legal_limit": None, "promised_limit": Decimal(3), "online_depth": 3, "trips": 1,
              "materials": (MaterialFacts("用电申请表", "applicant", False),), "fees": (),
              "approval_chain": ("承办", "审核", "批准")}
    values.update(overrides)
    return GuideFacts(**values)


def rules(f):
    return [finding.rule for finding in check(f)]


# --- 事项要素质检 ------------------------------------------------------------------------------


def test_without_limits_any_number_of_steps_and_materials_passes():
    many = tuple(MaterialFacts(f"材料{i}", "applicant", False) for i in range(6))
    assert check(facts(approval_chain=FOUR_STEPS, materials=many)) == []


def test_more_steps_than_the_plan_allows_is_a_finding_with_the_numbers():
    findings = check(facts(approval_chain=FOUR_STEPS, steps_limit=3))
    assert [f.rule for f in findings] == ["over_plan_steps"]
    reason = findings[0].reason
    assert "4" in reason and "3" in reason, reason
    assert "受理、现场勘查、审核、装表接电" in reason, reason
    assert "耒阳市 2021 方案措施[17]" in reason, reason


def test_steps_at_the_limit_pass():
    assert rules(facts(approval_chain=FOUR_STEPS, steps_limit=4)) == []
    assert rules(facts(steps_limit=3)) == []


def test_more_applicant_materials_than_the_plan_allows_is_a_finding_with_the_numbers():
    materials = (MaterialFacts("用水申请表", "applicant", False),
                 MaterialFacts("房屋产权证明", "applicant", False),
                 MaterialFacts("用水设计图纸", "applicant", False))
    findings = check(facts(materials=materials, materials_limit=2))
    assert [f.rule for f in findings] == ["over_plan_materials"]
    reason = findings[0].reason
    assert "3" in reason and "2" in reason, reason
    assert "用水申请表、房屋产权证明、用水设计图纸" in reason, reason
    assert "耒阳市 2021 方案措施[17]" in reason, reason


def test_only_required_materials_the_applicant_provides_count():
    materials = (MaterialFacts("用气申请表", "applicant", False),
                 MaterialFacts("营业执照", "e_license", True),
                 MaterialFacts("不动产权证书", "shared_data", True),
                 MaterialFacts("产权承诺书", "commitment", False),
                 MaterialFacts("委托书", "applicant", False, required=False),
                 MaterialFacts("旧户号", "not_required", False),
                 MaterialFacts("居民身份证", "applicant", False))
    assert rules(facts(materials=materials, materials_limit=2)) == []
    assert rules(facts(materials=materials, materials_limit=1)) == ["over_plan_materials"]


def test_the_rules_have_plain_labels():
    from zhengwu.catalog.quality import RULES

    assert RULES["over_plan_steps"] == "环节数超过规定上限"
    assert RULES["over_plan_materials"] == "申请材料超过规定上限"


# --- catalogue rows --------------------------------------------------------------------------


def raw_row(**overrides):
    row = {"name": "测试事项：供水报装", "item_type": "20", "department": "市住房和城乡建设局",
           "region_code": "430481000000", "level": "4", "promised_limit_workdays": "3",
           "online_depth": "3", "trips": "1"}
    row.update(overrides)
    return row


def test_a_row_carries_the_limits_and_empty_means_no_limit():
    parsed = parse_row(2, raw_row(plan_steps_limit="3", plan_materials_limit="2"))
    assert not isinstance(parsed, list), parsed
    assert (parsed.item.plan_steps_limit, parsed.item.plan_materials_limit) == (3, 2)
    parsed = parse_row(2, raw_row(plan_steps_limit="", plan_materials_limit=None))
    assert not isinstance(parsed, list), parsed
    assert (parsed.item.plan_steps_limit, parsed.item.plan_materials_limit) == (None, None)


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "三", "abc", "100"])
def test_a_limit_that_is_not_a_positive_integer_is_refused_with_row_and_column(value):
    problems = parse_row(7, raw_row(plan_steps_limit=value, plan_materials_limit=value))
    assert isinstance(problems, list)
    texts = [p.as_text() for p in problems]
    assert any(t.startswith("第7行「规定环节上限」") and "正整数" in t for t in texts), texts
    assert any(t.startswith("第7行「规定材料上限」") and "正整数" in t for t in texts), texts


def test_the_columns_have_chinese_headers():
    assert LABEL["plan_steps_limit"] == "规定环节上限"
    assert LABEL["plan_materials_limit"] == "规定材料上限"


# --- import, export, quality report ----------------------------------------------------------


def good_row(**overrides):
    row = {
        "事项名称": "测试事项：用水报装", "事项类型": "公共服务", "服务对象": "企业法人",
        "设定依据": "《湖南省工程建设领域市政公用服务报装接入办法》（示例）",
        "实施主体": "市公安局", "行政区划代码": "430481000000", "行使层级": "4",
        "承诺办结时限(工作日)": "3", "网上办理深度": "3", "到办事现场次数": "1",
        "办件类型": "2", "办理形式": "1;2",
        "申请材料(名称|来源|形式|份数|必要|出具单位|政府核发|说明)":
            "用水申请表|申请人提供|原件|1|是||否\n房屋产权证明|申请人提供|原件|1|是||否\n"
            "委托书|申请人提供|原件|1|否||否",
        "规定环节上限": "2", "规定材料上限": "1",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


@pytest.mark.django_db
def test_import_export_import_keeps_the_limits():
    result = import_file(file_name="limits.csv", content=csv_bytes([good_row()]), actor=ACTOR)
    assert result.ok, result.problems
    item = ServiceItem.objects.get(name="测试事项：用水报装")
    assert (item.plan_steps_limit, item.plan_materials_limit) == (2, 1)

    implementations = ItemImplementation.objects.filter(item=item)
    content = export.to_csv(implementations.prefetch_related("materials", "item__themes"))
    exported = next(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert (exported["规定环节上限"], exported["规定材料上限"]) == ("2", "1")

    again = import_file(file_name="round.csv", content=content, actor=ACTOR)
    assert again.ok, again.problems
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    cleared = import_file(file_name="clear.csv", actor=ACTOR, content=csv_bytes(
        [good_row(**{"规定环节上限": "", "规定材料上限": ""})]))
    assert cleared.ok, cleared.problems
    item.refresh_from_db()
    assert (item.plan_steps_limit, item.plan_materials_limit) == (None, None)


@pytest.mark.django_db
def test_a_bad_limit_imports_nothing_and_names_the_row():
    rows = [good_row(), good_row(**{"事项名称": "测试事项：用气报装", "规定材料上限": "0"})]
    result = import_file(file_name="bad.csv", content=csv_bytes(rows), actor=ACTOR)
    assert not result.ok
    texts = [p.as_text() for p in result.problems]
    assert any(t.startswith("第3行「规定材料上限」") for t in texts), texts
    assert not ServiceItem.objects.filter(name="测试事项：用水报装").exists()


@pytest.mark.django_db
def test_a_file_without_the_columns_still_imports():
    header = [h for h in HEADER if h not in ("规定环节上限", "规定材料上限")]
    row = {k: v for k, v in good_row().items() if k in header}
    result = import_file(file_name="old.csv", content=csv_bytes([row], header), actor=ACTOR)
    assert result.ok, result.problems
    item = ServiceItem.objects.get(name="测试事项：用水报装")
    assert (item.plan_steps_limit, item.plan_materials_limit) == (None, None)


@pytest.mark.django_db
def test_the_quality_report_shows_items_over_the_plans_limits():
    result = import_file(file_name="limits.csv", content=csv_bytes([good_row()]), actor=ACTOR)
    assert result.ok, result.problems
    implementation = ItemImplementation.objects.get(item__name="测试事项：用水报装")
    for rule, numbers in (("over_plan_steps", ("3", "2")), ("over_plan_materials", ("2", "1"))):
        rows = [r for r in selectors.quality_report(rule=rule)
                if r.implementation.pk == implementation.pk]
        assert len(rows) == 1, rule
        [finding] = rows[0].findings
        assert all(n in finding.reason for n in numbers), finding.reason


# --- data pack -------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def small_pack(tmp_path: Path, **item_columns: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    write_csv(pack / "items.csv", [{"name": "测试事项：燃气报装", "item_type": "20",
                                    "legal_basis": "示例依据", **item_columns}])
    write_csv(pack / "implementations.csv", [{
        "item_name": "测试事项：燃气报装", "department": "市住房和城乡建设局",
        "region_code": "430481000000", "level": "4", "promised_limit_workdays": "3",
        "online_depth": "3", "trips": "1"}])
    write_csv(pack / "materials.csv", [{"item_name": "测试事项：燃气报装", "name": "用气申请表"}])
    return pack


def test_a_pack_without_the_limit_columns_still_parses(tmp_path):
    [row] = catalog_rows(small_pack(tmp_path))
    assert (row.item.plan_steps_limit, row.item.plan_materials_limit) == (None, None)


def test_a_pack_reads_the_limits_from_items_csv(tmp_path):
    [row] = catalog_rows(small_pack(tmp_path, steps_limit="3", materials_limit="2"))
    assert (row.item.plan_steps_limit, row.item.plan_materials_limit) == (3, 2)


def test_a_pack_with_a_bad_limit_names_its_file_row_and_column(tmp_path):
    with pytest.raises(PackError, match=re.escape("items.csv 第2行「steps_limit」：应为 1–99 的正整数")):
        catalog_rows(small_pack(tmp_path, steps_limit="0", materials_limit=""))


def test_the_default_pack_parses_with_or_without_the_columns():
    rows = catalog_rows(Path(settings.ZHENGWU_DEFAULT_PACK))
    assert rows
    for row in rows:
        for limit in (row.item.plan_steps_limit, row.item.plan_materials_limit):
            assert limit is None or limit >= 1


@pytest.mark.parametrize(("override", "expected"), [
    ({"name": "x" * 201}, "第9行「事项名称」：最多 200 个字符"),
    ({"name": "x"}, "第9行「事项名称」：至少 2 个字符"),
    ({"legal_limit_workdays": "1000"}, "第9行「本级法定时限(工作日)」：不能大于 999"),
    ({"promised_limit_workdays": "-1"}, "第9行「承诺办结时限(工作日)」：不能小于 0"),
])
def test_what_pydantic_refuses_in_a_row_is_said_in_chinese(override, expected):
    """core.input_errors words the problem from pydantic's type and limits, never from its
    English text ("内容过长：200 characters" before)."""
    problems = parse_row(9, raw_row(**override))
    assert isinstance(problems, list)
    assert [p.as_text() for p in problems] == [expected]
