"""An item's form stored with the item, overridden in a guide, published and pinned by version;
the pack loader's forms/*.json and form_code_sets.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from zhengwu.catalog import selectors, services
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.guide import diff, element_label, guide_of
from zhengwu.catalog.models import FormCodeSet, ItemImplementation, ServiceItem
from zhengwu.core.audit import SYSTEM
from zhengwu.packs.loader import PackError, catalog_rows, pack_forms

SAMPLE = Path(__file__).parent / "data" / "forms" / "food_business.json"
FOOD = "食品经营许可证核发（新办）"
CODE_SETS = {"food_business_type": {"title": "食品经营主体业态", "source": "测试",
                                    "options": [{"value": "shop", "label": "食品销售经营者"},
                                                {"value": "restaurant", "label": "餐饮服务经营者"}]}}


def sample() -> FormDefinition:
    return FormDefinition.model_validate(json.loads(SAMPLE.read_text())["form"])


@pytest.fixture(scope="module")
def pack_rows() -> Any:
    return catalog_rows(Path(settings.ZHENGWU_DEFAULT_PACK))


def load_food_form(rows: Any, form: FormDefinition | None) -> Any:
    """What loading a pack with this one form (and its code set) does to the food item."""
    from django.db import transaction

    from zhengwu.catalog.application_form import CodeSet

    kept = {row.name: CodeSet(title=row.title, source=row.source, options=row.options)
            for row in FormCodeSet.objects.all()}
    with transaction.atomic():
        services.form_code_sets_replace(code_sets=kept | {
            name: CodeSet.model_validate(data) for name, data in CODE_SETS.items()},
            actor=SYSTEM)
    mine = [row for row in rows if row.item.name == FOOD]
    return services.catalog_import_rows(rows=mine, actor=SYSTEM, note="测试",
                                        item_forms={FOOD: form} if form else {})


def food_implementation() -> ItemImplementation:
    return ItemImplementation.objects.select_related("item").filter(item__name=FOOD)[:1].get()


# --- storage, versions, definition_for ------------------------------------------------------

@pytest.mark.django_db
def test_item_form_is_published_with_its_implementations(pack_rows: Any) -> None:
    impl = food_implementation()
    before = impl.version
    real = selectors.definition_for(impl)  # the pack's own definition
    assert real is not None and real != sample()
    result = load_food_form(pack_rows, sample())
    assert result.updated >= 1
    impl.refresh_from_db()
    assert impl.version == before + 1
    assert impl.item.form == sample().snapshot()
    assert selectors.definition_for(impl) == sample()
    assert selectors.definition_for(impl, version=impl.version) == sample()
    # Loading the same forms again changes nothing.
    again = load_food_form(pack_rows, sample())
    assert again.updated == 0 and again.unchanged >= 1


@pytest.mark.django_db
def test_a_case_keeps_the_form_of_its_version(pack_rows: Any) -> None:
    load_food_form(pack_rows, sample())
    impl = food_implementation()
    pinned = impl.version
    changed = sample().model_copy(update={"title": "食品经营许可申请书（第二版）"})
    load_food_form(pack_rows, changed)
    impl.refresh_from_db()
    assert impl.version == pinned + 1
    assert selectors.definition_for(impl, version=pinned) == sample()
    current = selectors.definition_for(impl)
    assert current is not None and current.title == "食品经营许可申请书（第二版）"
    lines = selectors.version_diff(implementation=impl, old=pinned, new=impl.version)
    assert [(line.label, line.old, line.new) for line in lines] == [
        ("申请表：表名", "食品经营许可申请书（测试样例）", "食品经营许可申请书（第二版）")]


@pytest.mark.django_db
def test_override_in_the_guide_goes_through_four_eyes(pack_rows: Any, catalog_admin: Any,
                                                      catalog_admin2: Any, actor_of: Any) -> None:
    load_food_form(pack_rows, sample())
    impl = food_implementation()
    own = sample().model_copy(update={"fields": [*sample().fields[:-1]]})
    guide = guide_of(impl).model_copy(update={"form": own})
    draft = services.draft_save(implementation_id=impl.pk, guide=guide,
                                actor=actor_of(catalog_admin))
    impl.refresh_from_db()
    assert selectors.definition_for(impl) == sample()  # nothing changes before review
    # The reviewer sees the form's change by field key, not as a shifted list.
    changes = [(element_label(p), a, b) for p, a, b in diff(guide_of(impl).snapshot(),
                                                            draft.payload)]
    assert ("申请表：表名", None, sample().title) in changes
    services.draft_submit(draft_id=draft.pk, actor=actor_of(catalog_admin))
    services.draft_approve(draft_id=draft.pk, actor=actor_of(catalog_admin2), note="本地表")
    impl.refresh_from_db()
    assert selectors.definition_for(impl) == own
    assert guide_of(impl).form == own
    # A later pack load keeps the implementation's own form.
    load_food_form(pack_rows, sample())
    impl.refresh_from_db()
    assert selectors.definition_for(impl) == own


def test_form_diff_is_keyed_by_field() -> None:
    old = {"form": sample().snapshot()}
    fields = list(sample().fields)
    extra = fields[0].model_copy(update={"key": "brand", "label": "字号"})
    new_form = sample().model_copy(update={"fields": [extra, *fields]})
    new = {"form": new_form.snapshot()}
    changes = [(element_label(p), a, b) for p, a, b in diff(old, new)]
    assert changes and all("brand" in label for label, _, _ in changes)
    assert ("申请表：brand › 名称", None, "字号") in changes


def test_guide_snapshot_round_trips_with_a_form() -> None:
    from zhengwu.catalog.guide import GuideData

    guide = GuideData.model_validate({"promised_limit_workdays": "1", "online_depth": 3,
                                      "trips": 0, "form": sample().snapshot()})
    snapshot = guide.snapshot()
    assert snapshot["form"] == sample().snapshot()
    assert GuideData.model_validate(snapshot) == guide


@pytest.mark.django_db
def test_code_sets_replace_and_read(catalog_admin: Any) -> None:
    from zhengwu.catalog.application_form import CodeSet

    sets = {name: CodeSet.model_validate(data) for name, data in CODE_SETS.items()}
    from django.db import transaction

    existing = FormCodeSet.objects.count()  # the pack's
    with transaction.atomic():
        assert services.form_code_sets_replace(code_sets=sets, actor=SYSTEM) == existing
        assert services.form_code_sets_replace(code_sets=sets, actor=SYSTEM) == 0
    assert list(selectors.form_code_sets()) == ["food_business_type"]
    assert [o.value for o in selectors.form_code_sets()["food_business_type"]] == [
        "shop", "restaurant"]
    with transaction.atomic():
        assert services.form_code_sets_replace(code_sets={}, actor=SYSTEM) == 1
    assert not FormCodeSet.objects.exists()


@pytest.mark.django_db
def test_form_answers_check_uses_the_tables() -> None:
    definition = FormDefinition.model_validate({"title": "表", "fields": [
        {"key": "where", "kind": "region", "label": "所在地"}]})
    assert selectors.form_answers_check(definition, {"where": "430481001000"}) == (
        {"where": "430481001000"}, {})
    _, errors = selectors.form_answers_check(definition, {"where": "430481999000"})
    assert errors == {"where": "所在地的区划代码 430481999000 不存在"}


# --- the pack loader ---------------------------------------------------------------------------

def write_pack(tmp_path: Path, forms: dict[str, Any], code_sets: Any = None) -> Path:
    (tmp_path / "forms").mkdir()
    for name, data in forms.items():
        (tmp_path / "forms" / name).write_text(
            data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    if code_sets is not None:
        (tmp_path / "form_code_sets.json").write_text(json.dumps(code_sets, ensure_ascii=False))
    return tmp_path


def test_pack_without_forms_loads_none(tmp_path: Path) -> None:
    assert pack_forms(tmp_path, {FOOD}) is None


def test_pack_forms_are_read(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, {"food.json": json.loads(SAMPLE.read_text())}, CODE_SETS)
    forms = pack_forms(pack, {FOOD})
    assert forms is not None
    assert forms.forms == {FOOD: sample()}
    assert list(forms.code_sets) == ["food_business_type"]


@pytest.mark.parametrize(("forms", "code_sets", "message"), [
    ({"a.json": "{"}, CODE_SETS, "forms/a.json 不是有效的 JSON"),
    ({"a.json": {"item": "不存在的事项", "form": {}}}, CODE_SETS,
     "forms/a.json 的 item：事项“不存在的事项”不在 items.csv 中"),
    ({"a.json": {"form": {}}}, CODE_SETS, "forms/a.json 应为"),
    ({"a.json": {"item": FOOD, "form": {"title": "表", "fields": [
        {"key": "x", "kind": "text", "label": "甲"},
        {"key": "area", "kind": "number", "label": "面积", "min": 5, "max": 1}]}}},
     CODE_SETS, "forms/a.json 的 fields[1]（area）：“面积”的 min 大于 max"),
    ({"a.json": {"item": FOOD, "form": {"title": "表", "fields": [
        {"key": "x", "kind": "texty", "label": "甲"}]}}}, CODE_SETS,
     "forms/a.json 的 fields[0]（x）.kind："),
    ({"a.json": {"item": FOOD, "form": {"title": "表", "fields": [
        {"key": "t", "kind": "choice", "label": "类型", "code_set": "nope"}]}}}, CODE_SETS,
     "forms/a.json 的 code_set：代码集“nope”不在 form_code_sets.json 中"),
    ({"a.json": json.loads(SAMPLE.read_text()), "b.json": json.loads(SAMPLE.read_text())},
     CODE_SETS, "forms/b.json 的 item：事项“食品经营许可证核发（新办）”已由 forms/a.json 定义"),
    ({}, {"Bad": CODE_SETS["food_business_type"]}, "form_code_sets.json 的代码集名称“Bad”"),
    ({}, {"x": {"title": "甲", "options": []}}, "form_code_sets.json 的 x.options："),
])
def test_malformed_forms_name_file_and_field(tmp_path: Path, forms: dict[str, Any],
                                             code_sets: Any, message: str) -> None:
    pack = write_pack(tmp_path, forms, code_sets)
    with pytest.raises(PackError) as caught:
        pack_forms(pack, {FOOD})
    assert caught.value.message.startswith(message), caught.value.message


@pytest.mark.django_db
def test_malformed_form_in_a_pack_loads_nothing(tmp_path: Path) -> None:
    from zhengwu.packs.loader import pack_load

    pack = tmp_path / "pack"
    shutil.copytree(settings.ZHENGWU_DEFAULT_PACK, pack)
    shutil.rmtree(pack / "forms", ignore_errors=True)
    write_pack(pack, {"a.json": {"item": FOOD, "form": {"title": "表", "fields": []}}},
               CODE_SETS)
    forms_before = dict(ServiceItem.objects.values_list("name", "form"))
    sets_before = list(FormCodeSet.objects.values_list("name", "options"))
    with pytest.raises(PackError, match=r"forms/a\.json 的 fields："):
        pack_load(pack, with_people=False)
    assert dict(ServiceItem.objects.values_list("name", "form")) == forms_before
    assert list(FormCodeSet.objects.values_list("name", "options")) == sets_before


@pytest.mark.django_db
def test_quality_report_lists_form_findings(pack_rows: Any) -> None:
    assert FOOD not in {row.implementation.item.name
                        for row in selectors.quality_report(rule="form_illustrative")}
    load_food_form(pack_rows, sample())  # the sample is marked illustrative
    rows = selectors.quality_report(rule="form_illustrative")
    assert FOOD in {row.implementation.item.name for row in rows}
    assert selectors.quality_report(rule="form_code_set_missing") == []
    FormCodeSet.objects.all().delete()
    missing = selectors.quality_report(rule="form_code_set_missing")
    assert any("food_business_type" in f.reason for row in missing for f in row.findings)


def _post_data(form: Any) -> dict[str, Any]:
    """What the edit page posts back when nothing is changed."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


@pytest.mark.django_db
def test_the_guide_editor_drafts_an_own_form(pack_rows: Any, catalog_admin: Any,
                                             client_for: Any) -> None:
    from django.urls import reverse

    load_food_form(pack_rows, sample())
    impl = food_implementation()
    client = client_for(catalog_admin)
    url = reverse("catalog:edit", kwargs={"pk": impl.pk})
    data = _post_data(client.get(url).context["form"])
    assert data.get("form", "") == ""  # the item's form applies: nothing of its own
    own = sample().model_copy(update={"title": "本地申请表"})
    response = client.post(url, data | {"form": '{"title": "x", "fields": []}'})
    assert response.status_code == 200
    assert "申请表定义有误：fields：" in response.content.decode()
    response = client.post(url, data | {"form": "{"})
    assert "申请表不是有效的 JSON" in response.content.decode()
    response = client.post(url, data | {"form": json.dumps(own.snapshot(), ensure_ascii=False)})
    assert response.status_code == 302
    draft = impl.drafts.get()
    assert draft.payload["form"] == own.snapshot()
    # Editing the draft again keeps its form unless the editor changes it.
    data = _post_data(client.get(url).context["form"])
    assert json.loads(data["form"]) == own.snapshot()
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.payload["form"] == own.snapshot()


@pytest.mark.django_db
def test_an_own_form_may_name_only_existing_code_sets(catalog_admin: Any, actor_of: Any) -> None:
    from zhengwu.core.errors import InvalidInput

    impl = food_implementation()
    own = FormDefinition.model_validate({"title": "表", "fields": [
        {"key": "t", "kind": "choice", "label": "类型", "code_set": "no_such_set"}]})
    guide = guide_of(impl).model_copy(update={"form": own})
    with pytest.raises(InvalidInput, match="代码集“no_such_set”不存在"):
        services.draft_save(implementation_id=impl.pk, guide=guide,
                            actor=actor_of(catalog_admin))


@pytest.mark.django_db
def test_union_form_of_a_bundles_members() -> None:
    from zhengwu.catalog.form_union import split

    names = ["食品经营许可证核发（新办）", "食品小经营许可证核发（小餐饮）"]
    implementations = [ItemImplementation.objects.select_related("item").filter(
        item__name=name)[:1].get() for name in names]
    found = selectors.union_form(implementations)
    assert found is not None
    assert set(found.members) == {i.pk for i in implementations}
    keys = [f.key for f in found.definition.fields]
    assert len(keys) == len(set(keys))
    assert len(keys) < sum(len(d.fields) for d in found.members.values())
    members = list(found.members.values())
    assert split({}, members[0], members, code_sets=found.code_sets) == {}
    assert selectors.union_form([]) is None
