"""Answers to an item's own form, validated without a database (catalog.form_answers)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Option
from zhengwu.catalog.form_answers import validate

SAMPLE = Path(__file__).parent / "data" / "forms" / "food_business.json"
TODAY = dt.date(2026, 12, 6)
REGIONS = {"430000000000", "430400000000", "430481000000", "430481001000",
           "430481001001"}
CODE_SETS = {"food_business_type": [Option(value="shop", label="食品销售经营者"),
                                    Option(value="restaurant", label="餐饮服务经营者")]}


def sample() -> FormDefinition:
    return FormDefinition.model_validate(json.loads(SAMPLE.read_text())["form"])


def good() -> dict[str, Any]:
    return {
        "operator_name": "耒阳某某餐饮有限公司", "operator_uscc": "91430481MA4L00003J",
        "legal_rep_id": "43048119900101123X", "phone": "13800000002",
        "premises_region": "430481001000", "premises_address": "蔡子池街道某路1号",
        "main_business": "restaurant", "items": ["hot", "prepackaged"], "has_online": "否",
        "area": "120.5", "staff": [{"name": "张三", "has_certificate": "true",
                                    "health_certificate": "JK-001"}],
    }


def check(answers: Any, definition: FormDefinition | None = None) -> tuple[
        dict[str, Any], dict[str, str]]:
    return validate(definition or sample(), answers, code_sets=CODE_SETS, regions=REGIONS,
                    today=TODAY)


def form(*fields: dict[str, Any]) -> FormDefinition:
    return FormDefinition.model_validate({"title": "表", "fields": list(fields)})


def test_good_answers_are_cleaned() -> None:
    cleaned, errors = check(good())
    assert errors == {}
    assert cleaned["area"] == "120.50"
    assert cleaned["has_online"] is False
    assert cleaned["items"] == ["hot", "prepackaged"]
    assert cleaned["staff"] == [{"name": "张三", "has_certificate": True,
                                 "health_certificate": "JK-001"}]
    assert "email" not in cleaned and "online_url" not in cleaned


def test_required_fields_name_the_field() -> None:
    _, errors = check({})
    assert errors["operator_name"] == "请填写经营者名称"
    assert errors["main_business"] == "请选择主体业态"
    assert errors["has_online"] == "请选择是否网络经营"
    assert errors["staff"].startswith("请填写从业人员")
    assert "email" not in errors and "online_url" not in errors


def test_hidden_field_is_dropped_and_shown_field_required() -> None:
    answers = good() | {"online_url": "https://shop.example.com"}
    cleaned, errors = check(answers)
    assert errors == {} and "online_url" not in cleaned
    cleaned, errors = check(good() | {"has_online": True})
    assert errors == {"online_url": "请填写网站或网店地址"}
    cleaned, errors = check(good() | {"has_online": "是", "online_url": " https://a.cn "})
    assert errors == {} and cleaned["online_url"] == "https://a.cn"


def test_unknown_keys_are_one_error() -> None:
    _, errors = check(good() | {"foo": 1, "bar": 2})
    assert errors == {"__all__": "申请表中没有这些字段：foo、bar"}
    answers = good()
    answers["staff"][0]["age"] = 30
    _, errors = check(answers)
    assert errors == {"__all__": "申请表中没有这些字段：staff.0.age"}


def test_not_a_mapping() -> None:
    _, errors = check(["x"])
    assert set(errors) == {"__all__"}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("operator_uscc", "91430481MA4L00003K", "统一社会信用代码："),
    ("legal_rep_id", "430481199001011234", "法定代表人身份证号码：公民身份号码有误（校验码不符），请逐位核对"),
    ("phone", "12345", "联系电话：请填写11位手机号"),
    ("email", "not-an-email", "电子邮箱应为电子邮箱地址"),
    ("main_business", "bank", "主体业态没有“bank”这一项"),
    ("items", ["hot", "wine"], "经营项目没有“wine”这一项"),
    ("main_business", ["shop", "restaurant"], "主体业态只能选一项"),
    ("has_online", "也许", "是否网络经营请选择“是”或“否”"),
    ("area", "12.345", "经营场所面积最多保留2位小数"),
    ("area", "-1", "经营场所面积不能小于0平方米"),
    ("area", "abc", "经营场所面积应填写数字"),
    ("area", "NaN", "经营场所面积应填写数字"),
    ("area", True, "经营场所面积的格式不对"),
    ("investment", "10.001", "投资总额以元为单位，最多填到分"),
    ("investment", "-5", "投资总额不能小于0元"),
    ("opened_on", "2026-12-05", "拟开业日期不能早于今天（2026-12-06）"),
    ("opened_on", "2026/12/31", "拟开业日期应为“年-月-日”格式"),
    ("opened_on", "2026-02-30", "拟开业日期应为“年-月-日”格式"),
    ("premises_region", "430481001001", "经营场所所在区划只需选到乡镇（街道）"),
    # "Down to the township": a county with townships under it is not an answer.
    ("premises_region", "430481000000", "经营场所所在区划请选到乡镇（街道）"),
    ("premises_region", "430481999000", "经营场所所在区划的区划代码 430481999000 不存在"),
    ("premises_region", "4304", "经营场所所在区划应为12位统计用区划代码"),
    ("premises_address", "某路\u202e1号", "经营场所第3个字符"),
    ("operator_name", "名" * 101, "经营者名称不能超过100字"),
    ("operator_name", 5, "经营者名称的格式不对：应填写文字"),
    ("floor_plan", {"name": "图.exe", "token": "abc"}, "经营场所平面图只接受 pdf、jpg 格式"),
    ("floor_plan", "bad token!", "经营场所平面图的上传凭据无效"),
    ("floor_plan", {"token": "abc", "path": "/etc"}, "经营场所平面图的格式不对"),
    ("staff", "张三", "从业人员的格式不对"),
    ("staff", [{"name": "x", "has_certificate": False}] * 6, "从业人员最多填写5项，现有6项"),
])
def test_field_errors(key: str, value: Any, message: str) -> None:
    cleaned, errors = check(good() | {key: value})
    assert list(errors) == [key], errors
    assert errors[key].startswith(message), errors[key]
    assert key not in cleaned


@pytest.mark.parametrize(("key", "value", "stored"), [
    ("operator_uscc", "９１430481ma4l00003j", "91430481MA4L00003J"),
    ("area", 120, "120.00"),
    ("area", 0.1, "0.10"),
    ("area", "1,200", "1200.00"),
    ("investment", "10000.5元", "10000.50"),
    ("investment", 99, "99.00"),
    ("investment", "3.000", "3.00"),
    ("email", "Li@Example.COM", "Li@example.com"),
    ("phone", "0734-4321234", "0734-4321234"),
    ("premises_region", "430481001000", "430481001000"),
    ("main_business", "shop", "shop"),
    ("items", "bulk", ["bulk"]),
    ("items", ["hot", "hot"], ["hot"]),
    ("opened_on", "2027-01-31", "2027-01-31"),
    ("term", {"start": "2026-01-01", "end": "2028-12-31"},
     {"start": "2026-01-01", "end": "2028-12-31"}),
    ("floor_plan", "tok_EN-1", {"name": "", "token": "tok_EN-1"}),
    ("floor_plan", {"name": "平面图.PDF", "token": "abc"}, {"name": "平面图.PDF", "token": "abc"}),
])
def test_values_are_cleaned(key: str, value: Any, stored: Any) -> None:
    cleaned, errors = check(good() | {key: value})
    assert errors == {}
    assert cleaned[key] == stored


def test_date_range_errors_by_end() -> None:
    _, errors = check(good() | {"term": {"start": "2027-01-01", "end": "2026-01-01"}})
    assert errors == {"term.end": "场所租赁期限的结束日期不能早于开始日期"}
    _, errors = check(good() | {"term": {"start": "2027-01-01", "end": ""}})
    assert errors == {"term.end": "请填写场所租赁期限的结束日期"}
    _, errors = check(good() | {"term": {"start": "x", "end": "2026-01-01"}})
    assert list(errors) == ["term.start"]
    _, errors = check(good() | {"term": "2026-01-01"})
    assert list(errors) == ["term"]
    cleaned, errors = check(good() | {"term": {"start": "", "end": ""}})
    assert errors == {} and "term" not in cleaned


def test_group_rows_are_validated_by_path() -> None:
    answers = good() | {"staff": [
        {"name": "张三", "has_certificate": "false", "health_certificate": "dropped"},
        {"name": "", "has_certificate": "", "health_certificate": ""},  # a spare row
        {"name": "", "has_certificate": "true"},
    ]}
    cleaned, errors = check(answers)
    assert errors == {"staff.2.name": "请填写从业人员第3项的姓名",
                      "staff.2.health_certificate": "请填写从业人员第3项的健康证明编号"}
    answers["staff"][2] |= {"name": "李四", "health_certificate": "JK-2"}
    cleaned, errors = check(answers)
    assert errors == {}
    assert cleaned["staff"] == [{"name": "张三", "has_certificate": False},
                                {"name": "李四", "has_certificate": True,
                                 "health_certificate": "JK-2"}]


def test_group_min_items() -> None:
    definition = form({"key": "holders", "kind": "group", "label": "股东", "min_items": 2,
                       "fields": [{"key": "name", "kind": "text", "label": "姓名"}]})
    _, errors = check({"holders": [{"name": "甲"}]}, definition)
    assert errors == {"holders": "股东至少填写2项，现有1项"}
    _, errors = check({"holders": []}, definition)
    assert errors == {"holders": "请填写股东（至少2项）"}


def test_optional_group_may_be_empty() -> None:
    definition = form({"key": "holders", "kind": "group", "label": "股东", "required": False,
                       "fields": [{"key": "name", "kind": "text", "label": "姓名"}]})
    assert check({"holders": []}, definition) == ({}, {})
    assert check({}, definition) == ({}, {})


def test_condition_in_list_and_on_choice() -> None:
    definition = form(
        {"key": "kind", "kind": "choice", "label": "类型",
         "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"},
                     {"value": "c", "label": "丙"}], "multiple": True},
        {"key": "why", "kind": "text", "label": "说明", "shows_if": {"field": "kind",
                                                                   "in": ["b", "c"]}},
        {"key": "more", "kind": "text", "label": "补充", "shows_if": {"field": "why",
                                                                    "equals": "详"}})
    assert check({"kind": ["a"], "why": "x", "more": "y"}, definition) == ({"kind": ["a"]}, {})
    _, errors = check({"kind": ["a", "c"]}, definition)
    assert errors == {"why": "请填写说明"}
    cleaned, errors = check({"kind": ["c"], "why": "详", "more": "好"}, definition)
    assert errors == {} and cleaned == {"kind": ["c"], "why": "详", "more": "好"}


def test_condition_on_a_hidden_field_hides() -> None:
    definition = form(
        {"key": "a", "kind": "yes_no", "label": "甲"},
        {"key": "b", "kind": "yes_no", "label": "乙", "shows_if": {"field": "a", "equals": True}},
        {"key": "c", "kind": "text", "label": "丙", "shows_if": {"field": "b", "equals": True}})
    assert check({"a": False, "b": True, "c": "x"}, definition) == ({"a": False}, {})


def test_missing_code_set_is_reported_not_crashing() -> None:
    definition = form({"key": "t", "kind": "choice", "label": "类型", "code_set": "nope"})
    _, errors = check({"t": "x"}, definition)
    assert "代码集“nope”未定义" in errors["t"]


def test_money_below_a_field_minimum() -> None:
    definition = form({"key": "m", "kind": "money", "label": "注册资本", "min": "30000"})
    _, errors = check({"m": "100"}, definition)
    assert errors == {"m": "注册资本不能小于30000元"}


def test_huge_number_is_refused() -> None:
    _, errors = check(good() | {"area": "1e30"})
    assert errors == {"area": "经营场所面积的数值过大"}
    _, errors = check(good() | {"area": 10**40})
    assert errors == {"area": "经营场所面积的数值过大"}
    cleaned, _ = check(good() | {"area": "-0"})
    assert cleaned["area"] == "0.00"


# --- properties ---------------------------------------------------------------------------

MONEY = form({"key": "m", "kind": "money", "label": "金额"})


@given(st.decimals(min_value=0, max_value=Decimal("1e15"), places=2, allow_nan=False))
def test_money_round_trips_with_two_places(amount: Decimal) -> None:
    cleaned, errors = check({"m": str(amount)}, MONEY)
    assert errors == {}
    text = cleaned["m"]
    assert Decimal(text) == amount and len(text.rpartition(".")[2]) == 2
    assert check({"m": text}, MONEY) == (cleaned, {})  # idempotent


@given(st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text(max_size=10),
                                                        st.integers(), st.booleans(),
                                                        st.lists(st.text(max_size=5))),
                       max_size=6))
def test_any_answers_give_messages_not_exceptions(answers: dict[str, Any]) -> None:
    cleaned, errors = check(answers)
    assert all(isinstance(message, str) and message for message in errors.values())
    assert set(cleaned) <= {field.key for field in sample().fields}


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
       st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_date_range_order(start: dt.date, end: dt.date) -> None:
    cleaned, errors = check(good() | {"term": {"start": start.isoformat(),
                                                "end": end.isoformat()}})
    assert (errors == {}) == (start <= end)
    if start <= end:
        assert cleaned["term"] == {"start": start.isoformat(), "end": end.isoformat()}


def test_cleaned_answers_validate_again_unchanged() -> None:
    cleaned, _ = check(good() | {"term": {"start": "2026-01-01", "end": "2026-02-01"},
                                 "floor_plan": "tok"})
    assert check(cleaned) == (cleaned, {})


def test_field_def_is_reused_for_labels() -> None:
    assert isinstance(sample().fields[0], FieldDef)
