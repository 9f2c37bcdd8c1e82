"""Every API error is `{"code", "detail"}`, 4xx, with a Chinese detail (architecture.md, API
conventions) — including the two kinds ninja and pydantic answer on their own:

- D7: a method an operation does not accept (`GET` on the POST-only progress lookup, `DELETE`
  or `OPTIONS` on the case list) was a 405 `text/html` "Method not allowed";
- D8: `invalid_input` details carried pydantic's English ("String should have at most 32
  characters", "Field required", "Input should be less than or equal to …").
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhengwu.core.input_errors import input_error_detail, reason

pytestmark = pytest.mark.django_db

API = "/api/v1"
# pydantic's own words; none may reach a detail.
ENGLISH = re.compile(r"\b(should|field|required|input|string|characters?|valid|value|error|"
                     r"less|greater|equal|must|parsing|expected|extra|permitted|list|"
                     r"dictionary|object|integer|number|date|datetime|json)\b", re.I)


def json_error(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body: dict[str, str] = response.json()
    assert set(body) == {"code", "detail"}, body
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]), body
    return body


# --- D7: 405 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("get", "/cases/progress", {"POST"}),
    ("delete", "/cases", {"GET", "POST"}),
    ("options", "/cases", {"GET", "POST"}),
    ("put", "/catalog/themes", {"GET"}),
])
def test_a_method_not_allowed_is_a_json_405(client, method, path, allowed):
    response = getattr(client, method)(API + path)
    body = json_error(response, 405)
    assert body["code"] == "method_not_allowed"
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
    assert method.upper() in body["detail"]
    assert all(m in body["detail"] for m in allowed), body


def test_the_405_detail_names_the_method_and_the_allowed_ones(client):
    body = client.get(f"{API}/cases/progress").json()
    assert body["detail"] == "该接口不支持 GET 方法，请使用 POST。"


def test_a_405_outside_the_api_stays_as_it_was(client):
    # Pages keep Django's own answer: only the JSON API promises {"code", "detail"}.
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")


# --- D8: invalid_input in Chinese ------------------------------------------------------------


def field_reason(detail: str, field: str) -> str:
    """The part of `detail` about `field`, without the field's own (English) name."""
    part = next(p for p in detail.removeprefix("输入有误：").split("；") if p.startswith(field))
    return part.removeprefix(field).strip()


@pytest.mark.parametrize(("body", "field", "expected"), [
    ({"number": "12", "id_number": "x" * 31}, "id_number", "最多 30 个字符"),
    ({"id_number": "x"}, "number", "必须填写"),
    ({"number": "12", "id_number": ""}, "id_number", "至少 1 个字符"),
    ({"number": 12, "id_number": "x"}, "number", "应为字符串"),
    ({"number": "abc", "id_number": "x"}, "number", "格式不正确"),
])
def test_progress_lookup_input_errors_are_chinese(client, body, field, expected):
    detail = json_error(client.post(f"{API}/cases/progress", body,
                                    content_type="application/json"), 422)["detail"]
    assert detail.startswith("输入有误：")
    assert not ENGLISH.search(detail.replace(field, "")), detail
    assert field_reason(detail, field) == expected, detail


@pytest.mark.parametrize(("query", "field", "expected"), [
    ({"limit": 0}, "limit", "不能小于 1"),
    ({"limit": 101}, "limit", "不能大于 100"),
    ({"limit": "many"}, "limit", "应为整数"),
    ({"department": 2**63}, "department", "不能大于 9223372036854775807"),
    ({"card": "green"}, "card", "取值应为以下之一：yellow、red"),
])
def test_staff_list_query_errors_are_chinese(client_for, clerk, query, field, expected):
    detail = json_error(client_for(clerk).get(f"{API}/cases", query), 422)["detail"]
    assert not ENGLISH.search(detail.replace(field, "")), detail
    assert field_reason(detail, field) == expected, detail


def test_a_too_long_path_number_is_chinese(client_for, clerk):
    detail = json_error(client_for(clerk).get(f"{API}/cases/{'1' * 40}"), 422)["detail"]
    assert "最多 32 个字符" in detail, detail
    assert not ENGLISH.search(detail.replace("number", "")), detail


# The mapping itself, for the kinds no endpoint above reaches.
@pytest.mark.parametrize(("error", "expected"), [
    ({"type": "missing", "loc": ("body", "body", "number")}, "必须填写"),
    ({"type": "less_than", "ctx": {"lt": 5}}, "应小于 5"),
    ({"type": "greater_than", "ctx": {"gt": 0}}, "应大于 0"),
    ({"type": "float_parsing"}, "应为数字"),
    ({"type": "int_type"}, "应为整数"),
    ({"type": "bool_parsing"}, "应为布尔值（true 或 false）"),
    ({"type": "json_invalid", "ctx": {"error": "EOF while parsing a value"}},
     "不是有效的 JSON"),
    ({"type": "list_type"}, "应为列表"),
    ({"type": "dict_type"}, "应为对象"),
    ({"type": "model_type"}, "应为对象"),
    ({"type": "model_attributes_type"}, "应为对象"),
    ({"type": "enum", "ctx": {"expected": "'1', '2' or '3'"}}, "取值应为以下之一：1、2、3"),
    ({"type": "value_error", "ctx": {"error": ValueError("证件号码校验位不正确")}},
     "证件号码校验位不正确"),
    ({"type": "value_error", "ctx": {"error": "Value error, 手机号码应为 11 位"}},
     "手机号码应为 11 位"),
    ({"type": "value_error", "ctx": {"error": "bad thing"}}, "取值无效"),
    ({"type": "extra_forbidden"}, "是不允许的字段"),
    ({"type": "too_long", "ctx": {"max_length": 20}}, "最多 20 项"),
    ({"type": "too_short", "ctx": {"min_length": 1}}, "至少 1 项"),
    ({"type": "date_from_datetime_parsing"}, "应为日期（如 2026-01-31）"),
    ({"type": "datetime_parsing"}, "应为日期时间（如 2026-01-31T09:30:00+08:00）"),
    ({"type": "something_new", "msg": "Some new English message"}, "取值无效"),
])
def test_every_pydantic_kind_has_a_chinese_reason(error, expected):
    assert reason(error) == expected


def test_the_detail_names_each_field_once():
    detail = input_error_detail([
        {"type": "string_too_long", "loc": ("body", "body", "number"), "ctx": {"max_length": 32}},
        {"type": "missing", "loc": ("query", "limit")},
        {"type": "missing", "loc": ("payload", "materials", 0, "name")},
        {"type": "missing", "loc": ("body", "body")},
    ])
    assert detail == ("输入有误：number 最多 32 个字符；limit 必须填写；"
                      "payload.materials.0.name 必须填写；请求内容 必须填写")
    assert input_error_detail([]) == "输入有误。"
