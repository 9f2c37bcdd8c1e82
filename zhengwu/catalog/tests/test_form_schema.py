"""The JSON Schema of an item's form (catalog.form_schema), checked with jsonschema_rs, and the
API that serves it with the definition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.catalog import services
from zhengwu.catalog.application_form import FormDefinition, Option
from zhengwu.catalog.form_answers import validate
from zhengwu.catalog.form_schema import DIALECT, json_schema
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.tests.test_form_answers import CODE_SETS, REGIONS, TODAY, good, sample
from zhengwu.core.audit import SYSTEM
from zhengwu.packs.loader import catalog_rows

FOOD = "食品经营许可证核发（新办）"


def schema_of(definition: FormDefinition | None = None) -> dict[str, Any]:
    return json_schema(definition or sample(), CODE_SETS)


def valid(answers: Any, definition: FormDefinition | None = None) -> bool:
    return bool(jsonschema_rs.Draft202012Validator(schema_of(definition)).is_valid(answers))


def canonical() -> dict[str, Any]:
    cleaned, errors = validate(sample(), good(), code_sets=CODE_SETS, regions=REGIONS,
                               today=TODAY)
    assert errors == {}
    return cleaned


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = schema_of()
    assert schema["$schema"] == DIALECT
    assert jsonschema_rs.meta.is_valid(schema)
    assert schema["title"] == "食品经营许可申请书（测试样例）"
    assert "示例定义" in schema["description"]


def test_fields_carry_chinese_titles_enums_and_maps_to() -> None:
    props = schema_of()["properties"]
    assert props["operator_name"]["title"] == "经营者名称"
    assert props["operator_name"]["description"].startswith("与营业执照上的名称一致")
    assert props["operator_name"]["x-maps-to"] == "enterprise.name"
    assert props["main_business"]["enum"] == ["shop", "restaurant"]
    assert props["main_business"]["x-enum-labels"] == ["食品销售经营者", "餐饮服务经营者"]
    assert props["items"]["items"]["enum"] == ["prepackaged", "bulk", "hot"]
    assert "单位：平方米" in props["area"]["description"]
    assert props["staff"]["minItems"] == 1 and props["staff"]["maxItems"] == 5


def test_canonical_answers_pass_and_mistakes_fail() -> None:
    answers = canonical()
    assert valid(answers)
    assert not valid({k: v for k, v in answers.items() if k != "operator_name"})
    assert not valid(answers | {"main_business": "bank"})
    assert not valid(answers | {"unknown": 1})
    assert not valid(answers | {"area": "12.345"})
    assert not valid(answers | {"area": -1})
    assert valid(answers | {"area": 12.5})
    assert not valid(answers | {"opened_on": "2026/12/31"})
    assert not valid(answers | {"staff": []})
    assert not valid(answers | {"floor_plan": {"name": "a.exe", "token": "t"}})
    assert valid(answers | {"floor_plan": {"name": "a.PDF", "token": "t"}})
    assert valid(answers | {"floor_plan": "t"})


def test_shows_if_becomes_if_then() -> None:
    answers = canonical()
    assert valid(answers | {"has_online": False})
    assert not valid(answers | {"has_online": True})  # then the address is required
    assert valid(answers | {"has_online": True, "online_url": "https://a.cn"})
    staff = [{"name": "张三", "has_certificate": True}]
    assert not valid(answers | {"staff": staff})
    assert valid(answers | {"staff": [{**staff[0], "health_certificate": "JK"}]})


def test_condition_on_a_multiple_choice() -> None:
    definition = FormDefinition.model_validate({"title": "表", "fields": [
        {"key": "kind", "kind": "choice", "label": "类型", "multiple": True,
         "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
        {"key": "why", "kind": "text", "label": "说明",
         "shows_if": {"field": "kind", "in": ["b"]}}]})
    assert jsonschema_rs.meta.is_valid(schema_of(definition))
    assert valid({"kind": ["a"]}, definition)
    assert not valid({"kind": ["a", "b"]}, definition)
    assert valid({"kind": ["a", "b"], "why": "因为"}, definition)


answers_strategy = st.fixed_dictionaries({
    "area": st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
    "items": st.lists(st.sampled_from(["prepackaged", "bulk", "hot"]), min_size=1,
                      unique=True),
    "has_online": st.booleans(),
    "online_url": st.text(alphabet="abc./:", min_size=1, max_size=20),
    "investment": st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    "term": st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1),
                                          max_value=dt.date(2030, 1, 1)).map(
        lambda day: {"start": day.isoformat(), "end": day.isoformat()})),
    "staff": st.lists(st.fixed_dictionaries({
        "name": st.text(alphabet="张三李四王五", min_size=1, max_size=4),
        "has_certificate": st.sampled_from(["是", "否", True, False]),
        "health_certificate": st.text(alphabet="JK0123", min_size=1, max_size=6)}),
        min_size=1, max_size=5),
})


@given(answers_strategy)
def test_what_the_server_keeps_satisfies_the_schema(changes: dict[str, Any]) -> None:
    answers = good() | {key: value for key, value in changes.items() if value is not None}
    cleaned, errors = validate(sample(), answers, code_sets=CODE_SETS, regions=REGIONS,
                               today=TODAY)
    assert errors == {}
    assert valid(cleaned)


def test_unknown_code_set_gives_a_plain_string() -> None:
    definition = FormDefinition.model_validate({"title": "表", "fields": [
        {"key": "t", "kind": "choice", "label": "类型", "code_set": "nope"}]})
    assert json_schema(definition, {})["properties"]["t"]["type"] == "string"
    assert "enum" not in json_schema(definition, {"x": [Option(value="a", label="甲")]})[
        "properties"]["t"]


# --- API -----------------------------------------------------------------------------------

@pytest.fixture
def food_with_form(db: Any) -> ItemImplementation:
    rows = [row for row in catalog_rows(Path(settings.ZHENGWU_DEFAULT_PACK))
            if row.item.name == FOOD]
    from django.db import transaction

    from zhengwu.catalog.application_form import CodeSet

    with transaction.atomic():
        services.form_code_sets_replace(code_sets={"food_business_type": CodeSet(
            title="主体业态", options=CODE_SETS["food_business_type"])}, actor=SYSTEM)
    services.catalog_import_rows(rows=rows, actor=SYSTEM, item_forms={FOOD: sample()})
    return ItemImplementation.objects.filter(item__name=FOOD)[:1].get()


def test_api_serves_the_form_and_its_schema(food_with_form: ItemImplementation) -> None:
    client = Client()
    code = food_with_form.code
    response = client.get(reverse("api-v1:catalog_form", kwargs={"code": code}))
    assert response.status_code == 200
    assert FormDefinition.model_validate(response.json()) == sample()
    response = client.get(reverse("api-v1:catalog_form_schema", kwargs={"code": code}))
    assert response.status_code == 200
    schema = response.json()
    assert jsonschema_rs.meta.is_valid(schema)
    assert schema["$id"].endswith(f"/implementations/{code}/form-schema")
    assert jsonschema_rs.Draft202012Validator(schema).is_valid(canonical())
    response = client.get(reverse("api-v1:catalog_form", kwargs={"code": code}),
                          {"version": food_with_form.version})
    assert response.status_code == 200


def test_api_without_a_form_is_404(db: Any) -> None:
    implementation = ItemImplementation.objects.exclude(item__name=FOOD).filter(
        item__form__isnull=True, form__isnull=True, status="published")[:1].get()
    response = Client().get(reverse("api-v1:catalog_form_schema",
                                    kwargs={"code": implementation.code}))
    assert response.status_code == 404
    assert response.json()["code"] == "catalog.no_form"


def test_every_pack_form_has_a_valid_schema_and_checks_an_empty_answer() -> None:
    """The pack's own definitions (packs/leiyang/forms): each schema is a valid draft 2020-12
    schema, and an empty answer gives only "please fill in" errors, one per required field."""
    import csv
    import json

    pack = Path(settings.ZHENGWU_DEFAULT_PACK)
    code_sets = {name: [Option.model_validate(o) for o in body["options"]]
                 for name, body in json.loads(
                     (pack / "form_code_sets.json").read_text(encoding="utf-8")).items()}
    with (pack / "items.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    files = sorted((pack / "forms").glob("*.json"))
    assert files
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["item"] in names
        definition = FormDefinition.model_validate(data["form"])
        assert jsonschema_rs.meta.is_valid(json_schema(definition, code_sets)), path.name
        _, errors = validate(definition, {}, code_sets=code_sets, regions=set(), today=TODAY)
        required = {f.key for f in definition.fields if f.required and f.shows_if is None}
        assert set(errors) == required, path.name
        assert all(message.startswith(("请填写", "请选择", "请上传"))
                   for message in errors.values()), path.name
