"""core.fields: the one loop that validates an application form field by field (cases'
申请表, a bundle's 一套表单): every field's error in Chinese next to it, the first rule broken
wins, unknown keys refused, values stripped and cleaned."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import fields
from zhengwu.core.fields import FieldInvalid, FieldSpec

TODAY = dt.date(2026, 3, 1)


def _upper(value: str) -> str:
    if value == "bad":
        raise FieldInvalid("不能是 bad")
    return value.upper()


SPECS = (
    FieldSpec("name", "姓名", max_length=5),
    FieldSpec("phone", "电话", pattern=fields.PHONE, message=fields.PHONE_MESSAGE),
    FieldSpec("note", "说明", required=False, max_length=20, multiline=True),
    FieldSpec("code", "代码", required=False, clean=_upper),
)


def test_valid_values_come_back_stripped_and_cleaned():
    cleaned, errors = fields.validate_fields(SPECS, {
        "name": " 张三 ", "phone": "13800000000", "note": "第一行\n第二行", "code": "ab"})
    assert errors == {}
    assert cleaned == {"name": "张三", "phone": "13800000000", "note": "第一行\n第二行",
                       "code": "AB"}


def test_each_rule_has_its_message_next_to_its_field():
    cleaned, errors = fields.validate_fields(SPECS, {
        "name": "张三李四王五", "phone": "12", "note": "不换\x07行", "code": "bad"})
    assert errors["name"] == "姓名不能超过5字"
    assert errors["phone"] == "请填写11位手机号或带区号的固定电话"
    assert "说明" in errors["note"]
    assert errors["code"] == "不能是 bad"
    assert cleaned == {}


def test_a_missing_required_field_is_named_and_an_optional_one_is_left_out():
    cleaned, errors = fields.validate_fields(SPECS, {"name": "", "phone": None, "note": "  "})
    assert errors == {"name": "请填写姓名", "phone": "请填写电话"}
    assert cleaned == {}


def test_only_multiline_fields_may_hold_line_breaks():
    _, errors = fields.validate_fields(SPECS, {"name": "张\n三", "phone": "13800000000"})
    assert "姓名" in errors["name"]


def test_unknown_keys_are_refused_as_a_whole():
    _, errors = fields.validate_fields(SPECS, {"name": "张三", "phone": "13800000000",
                                               "zz": "1", "aa": "2"})
    assert errors == {"__all__": "未知字段：aa、zz"}


def test_errors_follow_the_order_of_the_fields():
    _, errors = fields.validate_fields(SPECS, {"code": "bad", "phone": "1", "name": ""})
    assert list(errors) == ["name", "phone", "code"]


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("person", "11010519491231002x", "11010519491231002X"),
    ("enterprise", "91430481MA4L0XXX1X", None),
])
def test_the_applicant_id_is_checked_by_the_applicants_kind(kind, value, expected):
    clean = fields.applicant_id(kind, today=TODAY)
    if expected is not None:
        assert clean(value) == expected
    else:
        with pytest.raises(FieldInvalid):
            clean(value)
    with pytest.raises(FieldInvalid) as raised:
        fields.applicant_id("enterprise", today=TODAY)("11010519491231002X")
    assert raised.value.message
