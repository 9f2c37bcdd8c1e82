"""Bundle definitions, pure: guided questions, stages, the one promise, material
de-duplication, and every way a definition can be wrong (each with a clear reason)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhengwu.bundles import definition as d

FACTS = {
    "A": d.ItemFacts("A", "企业设立登记", True, (
        d.MaterialFacts("公司章程", "公司章程"),
        d.MaterialFacts("法定代表人身份证件", "居民身份证"),
        d.MaterialFacts("营业执照", "营业执照", source="e_license")), Decimal("0.5")),
    "B": d.ItemFacts("B", "公章刻制", True, (
        d.MaterialFacts("法定代表人身份证明", "居民身份证"),
        d.MaterialFacts("营业执照", "营业执照", source="e_license")), Decimal("3")),
    "C": d.ItemFacts("C", "发票申领", True, (
        d.MaterialFacts("经办人身份证", "居民身份证"),
        d.MaterialFacts("其他说明", "其他说明", required=False)), Decimal("1")),
    "X": d.ItemFacts("X", "未发布的事项", False),
}


def base(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "企业开办一件事", "audience": "enterprise", "hall_level": "city",
        "lead_department": "市市场监督管理局", "promised_workdays": "1",
        "questions": [
            {"key": "need_seal", "text": "是否刻制印章",
             "answers": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]},
            {"key": "seal_count", "text": "刻几枚", "shows_if": {"need_seal": "yes"},
             "answers": [{"value": "one", "label": "1枚"}, {"value": "many", "label": "多枚"}]},
        ],
        "members": [
            {"item": "A", "promised_workdays": "0.5", "position": 1},
            {"item": "B", "promised_workdays": "0.5", "depends_on": ["A"],
             "when": {"need_seal": "yes"}, "position": 2},
            {"item": "C", "promised_workdays": "0.5", "depends_on": ["A"], "position": 3},
        ],
        "promises": [{"when": {"seal_count": "many"}, "workdays": "2"}],
        "fields": [{"key": "company_name", "label": "企业名称",
                    "maps_to": [{"item": "A", "field": "company_name"},
                                {"item": "C", "field": "taxpayer_name"}]}],
    }
    data.update(changes)
    return data


def test_a_good_definition_has_no_problems() -> None:
    assert d.problems(d.parse(base()), FACTS) == []


def test_answers_decide_questions_members_and_promise() -> None:
    definition = d.parse(base())
    assert [q.key for q in d.visible_questions(definition, {})] == ["need_seal"]
    assert [q.key for q in d.visible_questions(definition, {"need_seal": "yes"})] == \
        ["need_seal", "seal_count"]
    check = d.check_answers(definition, {"need_seal": "no", "seal_count": "many"})
    # The hidden question's answer is dropped, not held against the applicant.
    assert check.complete
    assert check.answers == {"need_seal": "no"}
    assert [m.item for m in d.applicable(definition, check.answers)] == ["A", "C"]
    assert d.promised_workdays(definition, check.answers) == Decimal("1")
    assert d.promised_workdays(definition, {"need_seal": "yes", "seal_count": "many"}) == 2
    incomplete = d.check_answers(definition, {"need_seal": "yes"})
    assert not incomplete.complete
    assert incomplete.errors == {"seal_count": "请回答：刻几枚"}
    wrong = d.check_answers(definition, {"need_seal": "maybe", "unknown": "x"})
    assert "未知的问题：unknown" in wrong.errors["__all__"]
    assert "回答无效" in wrong.errors["need_seal"]


def test_stages_run_in_parallel_after_their_prerequisites() -> None:
    definition = d.parse(base())
    stages = d.stages(definition.members)
    assert [[m.item for m in stage] for stage in stages] == [["A"], ["B", "C"]]
    assert d.steps(definition.members) == 3  # apply, registration, the parallel rest
    assert d.critical_path(definition.members) == Decimal("1")
    # Without its prerequisite (not applicable), a member is held back by nothing.
    assert [[m.item for m in s] for s in d.stages(definition.members[1:])] == [["B", "C"]]


def test_materials_are_collected_once_by_identity() -> None:
    definition = d.parse(base())
    count = d.materials_needed(definition.members, FACTS)
    # A: 3, B: 2, C: 1 required (the optional one does not count).
    assert count.before == 6
    assert [n.identity for n in count.needed] == ["公司章程", "居民身份证"]
    assert count.after == 2
    identity = count.needed[1]
    assert identity.members == ("A", "B", "C")
    assert identity.names == {"A": "法定代表人身份证件", "B": "法定代表人身份证明", "C": "经办人身份证"}
    assert [(n.identity, n.source) for n in count.fetched] == [("营业执照", "e_license")]


def test_a_material_marked_commitment_is_given_not_fetched() -> None:
    """告知承诺替代 is the applicant's to give (upload or commit), never fetched; it may be
    committed only when every member asking it marks it so (cases.commitment)."""
    facts = {**FACTS, "A": d.ItemFacts("A", "企业设立登记", True, (
        d.MaterialFacts("场所证明", "场所证明", source="commitment"),
        d.MaterialFacts("法定代表人身份证件", "居民身份证", source="commitment"),
        d.MaterialFacts("营业执照", "营业执照", source="e_license")), Decimal("0.5"))}
    count = d.materials_needed(d.parse(base()).members, facts)
    assert [(n.identity, n.source) for n in count.needed] == [
        ("场所证明", "commitment"), ("居民身份证", "applicant")]  # B and C ask it plainly
    assert [n.identity for n in count.fetched] == ["营业执照"]
    assert count.after == 2


def test_one_form_feeds_each_member_under_its_own_key() -> None:
    definition = d.parse(base())
    values = {"applicant_name": "孙创业", "id_number": "43048119900101123X",
              "company_name": "耒阳市创业科技有限公司"}
    assert d.member_form(definition, "C", values)["taxpayer_name"] == "耒阳市创业科技有限公司"
    assert "taxpayer_name" not in d.member_form(definition, "A", values)
    assert d.member_form(definition, "B", values) == {"applicant_name": "孙创业",
                                                      "id_number": "43048119900101123X"}


def _reasons(data: dict[str, Any], facts: dict[str, d.ItemFacts] = FACTS) -> str:
    return "；".join(d.problems(d.parse(data), facts))


def test_a_dependency_cycle_is_named() -> None:
    data = base()
    data["members"][0]["depends_on"] = ["C"]
    assert "循环依赖：企业设立登记 → 发票申领 → 企业设立登记" in _reasons(data)


def test_unknown_and_unpublished_items_are_named() -> None:
    data = base()
    data["members"].append({"item": "Z", "item_name": "不存在的事项", "promised_workdays": "1"})
    data["members"].append({"item": "X", "promised_workdays": "1"})
    reasons = _reasons(data)
    assert "成员事项“不存在的事项”在事项库中不存在" in reasons
    assert "成员事项“未发布的事项”在本级没有已发布的实施清单" in reasons


def test_a_question_that_leads_nowhere_is_refused() -> None:
    data = base()
    data["questions"].append({"key": "has_shop", "text": "是否有门店",
                              "answers": [{"value": "yes", "label": "是"},
                                          {"value": "no", "label": "否"}]})
    assert "问题“是否有门店”不影响任何成员事项、后续问题或承诺时限（问题无去向）" in _reasons(data)


def test_answers_that_leave_no_item_are_refused() -> None:
    data = base()
    for member in data["members"]:
        member["when"] = {"need_seal": "yes"}
    data["members"][0]["depends_on"] = []
    assert "回答“是否刻制印章=no”时没有任何适用的成员事项" in _reasons(data)


def test_bad_conditions_dependencies_and_mappings_are_named() -> None:
    data = base()
    data["members"][1]["when"] = {"need_seal": "perhaps", "ghost": "yes"}
    data["members"][2]["depends_on"] = ["A", "Q"]
    data["questions"][0]["shows_if"] = {"seal_count": "one"}
    data["fields"][0]["maps_to"].append({"item": "Q", "field": "x"})
    reasons = _reasons(data)
    assert "条件“need_seal=perhaps”不是该问题的可选回答" in reasons
    assert "引用了不存在的问题“ghost”" in reasons
    assert "依赖的“Q”不是本一件事的成员" in reasons
    assert "显示条件引用了其后的问题“seal_count”" in reasons
    assert "表单字段“企业名称”映射到的“Q”不是本一件事的成员" in reasons


def test_a_promise_shorter_than_the_dependency_chain_is_refused() -> None:
    data = base(promised_workdays="0.5", promises=[])
    data["questions"][1]["shows_if"] = {"need_seal": "yes"}
    data["members"][1]["when"] = {"seal_count": "many"}
    assert "依赖链需 1 个工作日，超过一件事承诺时限 0.5 个工作日" in _reasons(data)


def test_members_without_a_promise_take_the_items_own() -> None:
    data = base(promised_workdays="5", promises=[{"when": {"seal_count": "many"},
                                                  "workdays": "4"}])
    data["members"][1]["promised_workdays"] = None
    definition = d.fill_promises(d.parse(data), FACTS)
    assert definition.member("B").promised_workdays == Decimal("3")
    assert definition.member("B").item_name == "公章刻制"
    assert d.problems(d.parse(data), FACTS) == []


@pytest.mark.parametrize(("changes", "reason"), [
    ({"members": []}, "members：至少 1 项"),
    ({"hall_level": "province"}, "hall_level：取值应为以下之一："),
    ({"promised_workdays": "0.3"}, "半个工作日"),
    ({"surprise": 1}, "surprise：是不允许的字段"),
])
def test_malformed_definitions_are_refused_with_the_place(changes: dict[str, Any],
                                                          reason: str) -> None:
    with pytest.raises(d.DefinitionError) as error:
        d.parse(base(**changes))
    assert reason in str(error.value)


def test_duplicate_keys_are_refused() -> None:
    data = base()
    data["questions"][0]["key"] = "Bad Key"
    with pytest.raises(d.DefinitionError) as error:
        d.parse(data)
    assert "问题标识只能由小写字母" in str(error.value)


@pytest.mark.parametrize(("key", "kind", "value", "applicant", "shown"), [
    ("id_number", "text", "43048119900101123X", "person", "430***********123X"),
    ("id_number", "text", "91430481MA4L16JX4B", "enterprise", "91430481MA4L16JX4B"),
    # A definition that left an ID or phone field as plain text is still masked by its key.
    ("legal_rep_id_number", "text", "43048119900101123X", "enterprise", "430***********123X"),
    ("contact_phone", "text", "13800000002", "person", "138****0002"),
    ("company_name", "text", "耒阳市创业科技有限公司", "person", "耒阳市创业科技有限公司"),
])
def test_form_values_are_masked_by_kind_and_key(key: str, kind: str, value: str,
                                                applicant: str, shown: str) -> None:
    from zhengwu.core.masking import mask_answer

    assert mask_answer(value, key=key, kind=kind, enterprise=applicant == "enterprise") == shown


def test_a_definition_pydantic_refuses_is_worded_as_the_api_words_input_errors() -> None:
    """core.input_errors words every pydantic error, here too: the minimum says how short,
    not "empty"; a key that is not allowed is named as the API names it."""
    data = base(name="x", colour="red")
    data["members"][0]["item"] = "X" * 13
    data["questions"] = [{"key": "Bad", "text": "问", "answers": []}]
    with pytest.raises(d.DefinitionError) as raised:
        d.parse(data)
    reasons = raised.value.reasons
    assert "name：至少 2 个字符" in reasons
    assert "colour：是不允许的字段" in reasons
    assert "members.0.item：最多 12 个字符" in reasons
    assert "questions.0.answers：至少 2 项" in reasons
    # Our validators' own Chinese messages are kept.
    assert "questions.0.key：问题标识只能由小写字母、数字和下划线组成，以字母开头" in reasons
