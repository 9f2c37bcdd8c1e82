"""A bundle's one form as the union of its members' forms through maps_to
(catalog.form_union), split back per member; and prefill from what is known."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.catalog.application_form import FormDefinition, Option
from zhengwu.catalog.form_answers import validate
from zhengwu.catalog.form_prefill import prefill
from zhengwu.catalog.form_union import (
    UnionConflict,
    errors_to_union,
    key_maps,
    split,
    union,
    union_notes,
)
from zhengwu.catalog.tests.test_form_answers import CODE_SETS, TODAY, good, sample

REGIONS = {"430481000000", "430481001000", "430481001001"}


def form(title: str, *fields: dict[str, Any]) -> FormDefinition:
    return FormDefinition.model_validate({"title": title, "fields": list(fields)})


LICENCE = form(
    "营业执照", {"key": "company_name", "kind": "text", "label": "企业名称",
                 "maps_to": "enterprise.name", "max_length": 100},
    {"key": "region", "kind": "region", "label": "住所区划", "maps_to": "premises.region",
     "region_depth": "county"},
    {"key": "area", "kind": "number", "label": "面积", "min": 1},
    {"key": "capital", "kind": "money", "label": "注册资本", "required": False},
    {"key": "holders", "kind": "group", "label": "股东", "maps_to": "enterprise.shareholders",
     "max_items": 10, "fields": [{"key": "name", "kind": "text", "label": "股东姓名"},
                                 {"key": "share", "kind": "number", "label": "出资比例"}]})
FOOD = form(
    "食品经营许可", {"key": "operator_name", "kind": "long_text", "label": "经营者名称",
                     "maps_to": "enterprise.name", "max_length": 60, "help": "与执照一致"},
    {"key": "premises_region", "kind": "region", "label": "经营场所区划",
     "maps_to": "premises.region", "region_depth": "village"},
    {"key": "area", "kind": "number", "label": "经营面积", "decimals": 2, "max": 1000},
    {"key": "has_online", "kind": "yes_no", "label": "网络经营"},
    {"key": "url", "kind": "text", "label": "网址",
     "shows_if": {"field": "has_online", "equals": True}},
    {"key": "holders", "kind": "group", "label": "投资人", "maps_to": "enterprise.shareholders",
     "min_items": 1, "max_items": 5, "fields": [{"key": "name", "kind": "text", "label": "姓名"},
                                                 {"key": "id", "kind": "id_number",
                                                  "label": "证件号码", "required": False}]})


def test_shared_meanings_are_asked_once_and_keys_stay_unique() -> None:
    merged = union([LICENCE, FOOD])
    keys = [f.key for f in merged.fields]
    assert keys == ["company_name", "region", "area", "capital", "holders", "area_2",
                    "has_online", "url"]
    name = merged.fields[0]
    assert name.kind == "long_text" and name.max_length == 60 and name.help == "与执照一致"
    assert name.label == "企业名称"
    assert merged.fields[1].region_depth == "village"
    holders = merged.fields[4]
    assert holders.min_items == 1 and holders.max_items == 5
    assert [f.key for f in holders.fields] == ["name", "share", "id"]
    assert merged.fields[7].shows_if is not None
    assert merged.fields[7].shows_if.field == "has_online"
    assert key_maps([LICENCE, FOOD])[1]["operator_name"][0] == "company_name"


def test_split_gives_each_member_its_own_answers() -> None:
    members = [LICENCE, FOOD]
    answers = {"company_name": "耒阳某某餐饮有限公司", "region": "430481001001", "area": "50",
               "area_2": "40.5", "has_online": True, "url": "https://a.cn",
               "holders": [{"name": "张三", "share": "100", "id": "43048119900101123X"}]}
    cleaned, errors = validate(union(members), answers, code_sets=CODE_SETS, regions=REGIONS,
                               today=TODAY)
    assert errors == {}
    licence = split(cleaned, LICENCE, members)
    assert licence == {"company_name": "耒阳某某餐饮有限公司", "region": "430481000000",
                       "area": "50", "holders": [{"name": "张三", "share": "100"}]}
    food = split(cleaned, FOOD, members)
    assert food == {"operator_name": "耒阳某某餐饮有限公司", "premises_region": "430481001001",
                    "area": "40.50", "has_online": True, "url": "https://a.cn",
                    "holders": [{"name": "张三", "id": "43048119900101123X"}]}
    for member, own in ((LICENCE, licence), (FOOD, food)):
        assert validate(member, own, code_sets=CODE_SETS, regions=REGIONS,
                        today=TODAY)[1] == {}


def test_member_errors_come_back_on_union_paths() -> None:
    members = [LICENCE, FOOD]
    errors = {"operator_name": "x", "holders.0.id": "y", "area": "z", "__all__": "w"}
    assert errors_to_union(errors, FOOD, members) == {
        "company_name": "x", "holders.0.id": "y", "area_2": "z", "__all__": "w"}


def test_fields_that_cannot_merge_are_asked_apart() -> None:
    first = form("甲", {"key": "name", "kind": "text", "label": "名称",
                       "maps_to": "enterprise.name"})
    second = form("乙", {"key": "n", "kind": "number", "label": "名称",
                        "maps_to": "enterprise.name"})
    third = form("丙", {"key": "name", "kind": "text", "label": "名称", "max_length": 5,
                       "maps_to": "enterprise.name"})
    merged = union([first, second, third])
    assert [(f.key, f.kind, f.max_length) for f in merged.fields] == [
        ("name", "text", 5), ("n", "number", None)]
    assert union_notes([first, second, third]) == [
        "联办申请表中“enterprise.name”无法合并：“甲”、“乙”的字段类型（number、text）不一致，分开询问"]
    assert key_maps([first, second, third])[2]["name"][0] == "name"
    with pytest.raises(UnionConflict) as caught:
        union([first, second], strict=True)
    assert "字段类型" in caught.value.message


def test_code_sets_merge_by_their_common_values() -> None:
    def typed(title: str, code_set: str) -> FormDefinition:
        return form(title, {"key": "t", "kind": "choice", "label": "单位类型",
                            "maps_to": "enterprise.type", "code_set": code_set})
    sets = {"unit": [Option(value="enterprise", label="企业"), Option(value="organ", label="机关")],
            "fund": [Option(value="organ", label="机关"), Option(value="other", label="其他")],
            "company": [Option(value="llc", label="有限责任公司")]}
    members = [typed("社保", "unit"), typed("公积金", "fund"), typed("公司", "company")]
    merged = union(members, code_sets=sets)
    assert [(f.key, f.code_set, [o.value for o in f.options]) for f in merged.fields] == [
        ("t", "", ["organ"]), ("t_3", "company", [])]
    assert len(union_notes(members, code_sets=sets)) == 1
    # Without the code sets, different code sets cannot be compared: asked apart.
    assert len(union(members).fields) == 3


def test_choices_keep_the_common_options() -> None:
    def choice(title: str, *values: str) -> FormDefinition:
        return form(title, {"key": "sex", "kind": "choice", "label": "性别",
                            "maps_to": "person.sex",
                            "options": [{"value": v, "label": v} for v in values]})
    merged = union([choice("甲", "1", "2", "9"), choice("乙", "2", "1")])
    assert [o.value for o in merged.fields[0].options] == ["1", "2"]
    with pytest.raises(UnionConflict, match="没有共同的选项"):
        union([choice("甲", "1"), choice("乙", "2")], strict=True)
    assert len(union([choice("甲", "1"), choice("乙", "2")]).fields) == 2


def test_differing_conditions_make_the_field_optional() -> None:
    first = form("甲", {"key": "a", "kind": "yes_no", "label": "甲"},
                 {"key": "x", "kind": "text", "label": "地址", "maps_to": "applicant.address",
                  "shows_if": {"field": "a", "equals": True}})
    second = form("乙", {"key": "b", "kind": "yes_no", "label": "乙"},
                  {"key": "x", "kind": "text", "label": "地址", "maps_to": "applicant.address",
                   "shows_if": {"field": "b", "equals": True}})
    merged = union([first, second])
    address = next(f for f in merged.fields if f.maps_to == "applicant.address")
    assert address.shows_if is None and not address.required
    third = form("丙", {"key": "x", "kind": "text", "label": "地址",
                       "maps_to": "applicant.address"})
    address = next(f for f in union([first, third]).fields if f.key == "x")
    assert address.shows_if is None and address.required


def test_a_single_member_union_is_the_member() -> None:
    merged = union([sample()])
    assert merged.fields == sample().fields
    assert split(good(), sample(), [sample()]) == {
        k: v for k, v in good().items() if k in {f.key for f in sample().fields}}


KINDS = st.sampled_from(["text", "number", "date", "yes_no"])
MEANINGS = st.sampled_from(["enterprise.name", "premises.address", "premises.area",
                            "applicant.email", ""])


@st.composite
def definitions(draw: Any) -> FormDefinition:
    count = draw(st.integers(min_value=1, max_value=5))
    keys = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), min_size=count,
                         max_size=count, unique=True))
    fields = []
    for key in keys:
        meaning = draw(MEANINGS)
        kind = {"enterprise.name": "text", "premises.address": "text",
                "premises.area": "number", "applicant.email": "email"}.get(meaning) \
            or draw(KINDS)
        fields.append({"key": key, "kind": kind, "label": key, "maps_to": meaning,
                       "required": draw(st.booleans())})
    return form("表", *fields)


@given(st.lists(definitions(), min_size=1, max_size=4))
def test_union_properties(members: list[FormDefinition]) -> None:
    merged = union(members)
    keys = [f.key for f in merged.fields]
    assert len(keys) == len(set(keys))
    meanings = [f.maps_to for f in merged.fields if f.maps_to]
    wanted = {f.maps_to for m in members for f in m.fields if f.maps_to}
    # Each meaning once, unless one member asks it twice.
    most = max((sum(1 for f in m.fields if f.maps_to == x) for m in members for x in wanted),
               default=0)
    assert set(meanings) == wanted
    assert all(meanings.count(x) <= most for x in wanted)
    maps = key_maps(members)
    for member, keymap in zip(members, maps, strict=True):
        assert set(keymap) == {f.key for f in member.fields}
        assert {target for target, _ in keymap.values()} <= set(keys)
        # Required somewhere → required in the union.
        for f in member.fields:
            union_field = next(u for u in merged.fields if u.key == keymap[f.key][0])
            assert union_field.required or not f.required


# --- prefill -------------------------------------------------------------------------------

def test_prefill_by_maps_to() -> None:
    known = {"enterprise.name": "耒阳某某餐饮有限公司", "enterprise.uscc": "91430481MA4L00003J",
             "premises.area": 120, "applicant.phone": "13800000002",
             "premises.region": "430481001000", "enterprise.shareholders": [{"name": "张三"}]}
    filled = prefill(sample(), known)
    assert filled == {"operator_name": "耒阳某某餐饮有限公司",
                      "operator_uscc": "91430481MA4L00003J", "area": "120",
                      "premises_region": "430481001000"}
    # Prefill never gives a field a value it could not hold.
    assert prefill(sample(), {"premises.area": {"x": 1}, "enterprise.name": None}) == {}


def test_prefill_groups_and_types() -> None:
    definition = form("表", {"key": "holders", "kind": "group", "label": "股东",
                            "maps_to": "enterprise.shareholders",
                            "fields": [{"key": "n", "kind": "text", "label": "姓名",
                                        "maps_to": "applicant.name"}]},
                      {"key": "born", "kind": "date", "label": "出生日期",
                       "maps_to": "person.birth_date"},
                      {"key": "flag", "kind": "yes_no", "label": "是否",
                       "maps_to": "person.marital_status"})
    import datetime as dt

    filled = prefill(definition, {
        "enterprise.shareholders": [{"applicant.name": "张三"}, {"applicant.name": "李四"}],
        "person.birth_date": dt.date(1990, 1, 1), "person.marital_status": "x"})
    assert filled == {"holders": [{"n": "张三"}, {"n": "李四"}], "born": "1990-01-01"}


def test_every_pack_bundle_has_a_union_form() -> None:
    """Each 一件事 of the pack whose members have forms gets one form with unique keys, asking
    fewer fields than its members together when they share meanings."""
    import csv
    import json
    from collections import defaultdict
    from pathlib import Path

    from django.conf import settings

    pack = Path(settings.ZHENGWU_DEFAULT_PACK)
    code_sets = {name: [Option.model_validate(o) for o in body["options"]]
                 for name, body in json.loads(
                     (pack / "form_code_sets.json").read_text(encoding="utf-8")).items()}
    forms = {}
    for path in (pack / "forms").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        forms[data["item"]] = FormDefinition.model_validate(data["form"])
    members: dict[str, list[FormDefinition]] = defaultdict(list)
    with (pack / "bundle_members.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["item_name"] in forms:
                members[row["bundle_code"]].append(forms[row["item_name"]])
    several = {code: defs for code, defs in members.items() if len(defs) > 1}
    assert several
    for code, defs in several.items():
        merged = union(defs, code_sets=code_sets)
        keys = [f.key for f in merged.fields]
        assert len(keys) == len(set(keys)), code
        assert len(keys) <= sum(len(d.fields) for d in defs), code
        for definition, keymap in zip(defs, key_maps(defs, code_sets=code_sets), strict=True):
            assert set(keymap) == {f.key for f in definition.fields}, code
