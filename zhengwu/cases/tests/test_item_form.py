"""An item's own application form on the apply pages (cases.item_form, cases.answers,
cases.drafts): every kind rendered as an accessible control, a refused submit keeps every
answer and every file, a hidden field's answer is dropped, drafts resume from another client
of the same account, the reviewer sees every field (masked as personal-data rules require),
and an item without a definition applies exactly as before.

The definition below is a tiny test one for 食品经营许可证核发（新办）, not the pack's."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhengwu.cases import answers, drafts, item_form
from zhengwu.cases.models import ApplicationDraft, Case, StagedUpload
from zhengwu.cases.services import case_submit
from zhengwu.cases.tests.conftest import FORM, pdf_bytes, uploads_for
from zhengwu.cases.tests.test_pages import apply_data
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.models import ImplementationVersion, ItemImplementation, ServiceItem
from zhengwu.core import sweeps
from zhengwu.core.errors import InvalidInput
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
TOWNSHIP = "430481001000"  # 蔡子池街道, 耒阳市

FOOD_FORM = FormDefinition.model_validate({
    "title": "食品经营许可申请书（测试）", "illustrative": True,
    "fields": [
        {"key": "operator_name", "kind": "text", "label": "经营者名称", "max_length": 100,
         "maps_to": "applicant.name", "help": "与营业执照上的名称一致"},
        {"key": "main_business", "kind": "choice", "label": "主体业态",
         "options": [{"value": "shop", "label": "食品销售经营者"},
                     {"value": "restaurant", "label": "餐饮服务经营者"}]},
        {"key": "items", "kind": "choice", "label": "经营项目", "multiple": True,
         "required": False, "options": [{"value": "prepacked", "label": "预包装食品销售"},
                                        {"value": "hot", "label": "热食类食品制售"}]},
        {"key": "has_online", "kind": "yes_no", "label": "是否网络经营"},
        {"key": "online_url", "kind": "text", "label": "网站或网店地址",
         "shows_if": {"field": "has_online", "equals": True}},
        {"key": "area", "kind": "number", "label": "经营场所面积", "unit": "平方米",
         "decimals": 2, "min": 0},
        {"key": "capital", "kind": "money", "label": "投资额", "required": False},
        {"key": "opening", "kind": "date", "label": "拟开业日期"},
        {"key": "lease", "kind": "date_range", "label": "场所租赁期限", "required": False},
        {"key": "site", "kind": "region", "label": "经营场所所在区划",
         "region_depth": "township"},
        {"key": "manager_id", "kind": "id_number", "label": "食品安全管理员身份证号码"},
        {"key": "manager_phone", "kind": "phone", "label": "食品安全管理员联系电话"},
        {"key": "email", "kind": "email", "label": "电子邮箱", "required": False},
        {"key": "supplier_uscc", "kind": "uscc", "label": "主要供货商统一社会信用代码",
         "required": False},
        {"key": "notes", "kind": "long_text", "label": "备注", "required": False},
        {"key": "layout", "kind": "file", "label": "经营场所平面图",
         "accept": ["pdf", "png", "jpg"]},
        {"key": "staff", "kind": "group", "label": "从业人员", "min_items": 1,
         "fields": [{"key": "name", "kind": "text", "label": "姓名"},
                    {"key": "health_certificate", "kind": "text", "label": "健康证明编号"}]},
    ]})

GOOD = {
    "a.operator_name": "耒阳市张三小吃店", "a.main_business": "restaurant",
    "a.items": ["prepacked", "hot"], "a.has_online": "false", "a.area": "35.5",
    "a.capital": "50000", "a.opening": "2026-04-01", "a.lease.start": "2026-03-01",
    "a.lease.end": "2029-02-28", "a.site.province": "430000000000",
    "a.site.county": "430481000000", "a.site.township": TOWNSHIP,
    "a.manager_id": "43048119900101123X", "a.manager_phone": "13800000001",
    "a.email": "zhang@example.com", "a.notes": "临街门面",
    "a.staff.rows": "2", "a.staff.0.name": "张三", "a.staff.0.health_certificate": "JK-001",
    "a.staff.1.name": "李四", "a.staff.1.health_certificate": "JK-002",
}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY, tick=False):
        yield


def form_set(impl: ItemImplementation, form: FormDefinition | None) -> None:
    """Give the implementation its own form (or none at all), in force in its current
    version as publishing it would (catalog.selectors.definition_for)."""
    snapshot = form.snapshot() if form is not None else None
    impl.form = snapshot
    impl.save(update_fields=["form"])
    if form is None:
        ServiceItem.objects.filter(pk=impl.item_id).update(form=None)
    for version in ImplementationVersion.objects.filter(implementation=impl,
                                                        number=impl.version):
        version.snapshot = {**version.snapshot, "form": snapshot}
        version.save(update_fields=["snapshot"])


@pytest.fixture
def food_form(food):
    """The food item has the tiny test definition."""
    form_set(food, FOOD_FORM)
    assert answers.definition(food) == FOOD_FORM
    return FOOD_FORM


def layout_file(tag: str = "layout") -> SimpleUploadedFile:
    content = pdf_bytes().replace(b"%PDF-1.4\n", f"%PDF-1.4\n% {tag}\n".encode())
    return SimpleUploadedFile("平面图.pdf", content, content_type="application/pdf")


def post_data(food, **overrides):
    data = apply_data(food, **{**GOOD, "a.layout": layout_file()})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def url_of(food) -> str:
    return reverse("cases:apply", args=[food.code])


# --- answers_from_post and its inverse ---------------------------------------------------------


def test_posted_inputs_become_answers_and_back(food_form):
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    for key, value in GOOD.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    got = item_form.answers_from_post(food_form, post)
    assert got == {
        "operator_name": "耒阳市张三小吃店", "main_business": "restaurant",
        "items": ["prepacked", "hot"], "has_online": False, "area": "35.5",
        "capital": "50000", "opening": "2026-04-01",
        "lease": {"start": "2026-03-01", "end": "2029-02-28"}, "site": TOWNSHIP,
        "manager_id": "43048119900101123X", "manager_phone": "13800000001",
        "email": "zhang@example.com", "notes": "临街门面",
        "staff": [{"name": "张三", "health_certificate": "JK-001"},
                  {"name": "李四", "health_certificate": "JK-002"}]}
    assert item_form.answers_from_post(food_form, item_form.post_from_answers(food_form, got)) \
        == got


def test_a_stale_lower_region_level_is_ignored(food_form):
    # Without JavaScript a changed province posts the county chosen under the old one.
    post = {"a.site.province": "430000000000", "a.site.county": "110101000000"}
    assert item_form.region_posted(post, "a.site", food_form.fields[9].region_depth) \
        == "430000000000"


# --- rendering ---------------------------------------------------------------------------------


def test_every_kind_is_rendered_as_an_accessible_control(client_for, applicant, food, food_form):
    page = client_for(applicant).get(url_of(food)).content.decode()
    assert "食品经营许可申请书（测试）" in page
    # Text with its help tied by aria-describedby, prefilled from the account (maps_to).
    assert re.search(r'<input id="a-operator_name" name="a.operator_name" value="张三"[^>]*'
                     r'aria-describedby="a-operator_name_help"', page)
    assert 'id="a-operator_name_help">与营业执照上的名称一致' in page
    assert '<select id="a-main_business" name="a.main_business"' in page
    assert '<option value="restaurant">餐饮服务经营者</option>' in page
    assert 'type="checkbox" id="a-items-1" name="a.items" value="hot"' in page
    assert 'type="radio" id="a-has_online-0" name="a.has_online" value="true"' in page
    # shows_if: rendered without JavaScript, saying when it is asked.
    assert 'data-shows-if="a.has_online" data-shows-if-values="true"' in page
    assert "仅当“是否网络经营”为“是”时填写" in page
    assert 'name="a.area" value="" data-kind="number" inputmode="decimal"' in page and "平方米" in page
    assert re.search(r'name="a.capital"[^>]*> 元', page)
    assert 'id="a-opening" name="a.opening" value="" data-kind="date" type="date"' in page
    assert 'name="a.lease.start"' in page and 'name="a.lease.end"' in page
    # Region: one select per level down to the township; lower levels wait for the upper.
    assert '<select id="a-site-province" name="a.site.province"' in page
    assert '<option value="430000000000">湖南省</option>' in page
    assert re.search(r'id="a-site-county" name="a.site.county"[^>]*disabled', page)
    assert 'name="a.site.village"' not in page  # asked down to the township only
    assert 'name="refresh" value="site"' in page
    assert 'name="a.manager_id"' in page and 'name="a.manager_phone" value="" data-kind="phone" type="tel"' in page
    assert 'type="email"' in page and '<textarea id="a-notes" name="a.notes"' in page
    assert 'type="file" id="a-layout" name="a.layout" accept=".pdf,.png,.jpg"' in page
    # A repeated group: its rows, a hidden count, and 增加一行 that needs no JavaScript.
    assert 'name="a.staff.rows" value="1"' in page and 'name="a.staff.0.name"' in page
    assert 'name="add_row" value="staff"' in page
    # Required markers for assistive technology.
    assert page.count('<span class="sr-only">（必填）</span>') >= 10
    # Drafts: a button without JavaScript, htmx saving on change.
    assert 'name="save_draft"' in page
    assert f'hx-post="{reverse("cases:apply_draft", args=[food.code])}"' in page


def test_add_row_and_region_refresh_work_without_javascript(client_for, applicant, food,
                                                           food_form):
    client = client_for(applicant)
    data = post_data(food, **{"a.site.county": None, "a.site.township": None,
                              "add_row": "staff"})
    response = client.post(url_of(food), data)
    assert response.status_code == 302 and response["Location"].endswith("#a-staff-field")
    page = client.get(response["Location"]).content.decode()
    assert 'name="a.staff.rows" value="3"' in page  # two answered, one added
    assert 'value="李四"' in page
    assert "申请未提交" not in page  # a page step, not a refusal
    response = client.post(url_of(food), {**GOOD, "a.site.county": "", "a.site.township": "",
                                          "refresh": "site"})
    page = client.get(response["Location"]).content.decode()
    assert '<option value="430481000000">耒阳市</option>' in page  # counties of 湖南省
    # htmx posts the region's change to the page with ?refresh= and swaps the field in.
    response = client.post(url_of(food) + "?refresh=site",
                           {**GOOD, "a.site.township": ""}, HTTP_HX_REQUEST="true",
                           follow=True)
    assert f'<option value="{TOWNSHIP}">蔡子池街道</option>' in response.content.decode()


def test_an_item_without_a_form_has_drafts_too(client_for, applicant, food):
    form_set(food, None)
    client = client_for(applicant)
    client.post(url_of(food), apply_data(food, phone="13800000009", save_draft="1"))
    page = client.get(url_of(food)).content.decode()
    assert 'value="13800000009"' in page and "<strong>已保留：</strong>scan.pdf" in page


# --- submitting -----------------------------------------------------------------------------------


def test_the_answers_are_stored_with_the_case_and_the_success_message_says_what_next(
        client_for, applicant, food, food_form):
    client = client_for(applicant)
    response = client.post(url_of(food), post_data(food))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(applicant=applicant, implementation=food)
    stored = case.form_data["answers"]
    assert stored["staff"] == [{"name": "张三", "health_certificate": "JK-001"},
                               {"name": "李四", "health_certificate": "JK-002"}]
    assert stored["capital"] == "50000.00" and stored["site"] == TOWNSHIP
    assert stored["layout"] == {"name": "平面图.pdf", "material": "申请表附件：经营场所平面图"}
    assert case.form_data["form_title"] == "食品经营许可申请书（测试）"
    assert case.materials.filter(name="申请表附件：经营场所平面图").exists()
    assert case.item_version == food.version  # the definition of the version it pins
    page = client.get(response["Location"]).content.decode()
    assert f"申请已提交，办件编号 {case.number}" in page
    # As the guide says it: 10, not the stored 10.0 (issue 16 walk-through).
    days = f"{food.promised_limit_workdays.normalize():f}"
    assert "接下来" in page and f"受理后 {days} 个工作日内办结" in page
    assert ".0 个工作日" not in page
    assert not StagedUpload.objects.filter(owner=applicant).exists()


def test_a_refused_submit_keeps_every_answer_and_every_file(client_for, applicant, food,
                                                           food_form):
    client = client_for(applicant)
    page = client.post(url_of(food), post_data(food, **{
        "a.manager_phone": "12345", "a.staff.1.health_certificate": ""})).content.decode()
    assert "申请未提交" in page
    # Each error next to its field and in the summary, linking to it.
    assert 'aria-invalid="true"' in page
    # Each message names its field once (catalog.form_answers words it with the label).
    assert re.search(r'<a href="#a-manager_phone">食品安全管理员联系电话：请填写[^<]+</a>', page)
    assert re.search(r'<a href="#a-staff-1-health_certificate">请填写从业人员第2项的健康证明编号<',
                     page)
    assert "食品安全管理员联系电话：食品安全管理员联系电话" not in page
    assert 'id="a-manager_phone_error"' in page
    # Every typed answer is back.
    for value in ("耒阳市张三小吃店", "35.5", "2026-04-01", "2029-02-28", "临街门面", "李四",
                  "zhang@example.com", "JK-001"):
        assert f'value="{value}"' in page or f">{value}</textarea>" in page, value
    assert '<option value="restaurant" selected>' in page
    assert 'value="hot" checked' in page and 'value="false" checked' in page
    assert f'<option value="{TOWNSHIP}" selected>蔡子池街道</option>' in page
    # The item-form file and the guide's materials are all kept.
    assert "<strong>已保留：</strong>平面图.pdf" in page
    tokens = re.findall(r'name="kept" value="([^"]+)"', page)
    assert len(tokens) == 1 + len([k for k in post_data(food) if k.startswith("file_")])
    # Fixing the mistake files the case without choosing any file again.
    fixed = {k: v for k, v in post_data(food).items()
             if not k.startswith("file_") and k != "a.layout"}
    response = client.post(url_of(food), {**fixed, "kept": tokens})
    assert response.status_code == 302
    case = Case.objects.get(applicant=applicant, implementation=food)
    assert case.form_data["answers"]["layout"]["name"] == "平面图.pdf"
    layout = case.materials.get(name="申请表附件：经营场所平面图")
    assert b"% layout" in layout.file.read()


def test_a_mistyped_id_number_is_not_told_its_check_character(client_for, applicant, food,
                                                               food_form):
    """The check character cannot say which digit is wrong: no "应为 X" to copy."""
    page = client_for(applicant).post(url_of(food), post_data(food, **{
        "a.manager_id": "430481199001011234"})).content.decode()
    assert re.search(r'<a href="#a-manager_id">[^<]*公民身份号码有误（校验码不符），请逐位核对</a>',
                     page)
    assert "应为 X" not in page and "实为 4" not in page
    label = re.search(r'<a href="#a-manager_id">([^：<]+)：', page)
    assert label and page.count(f"{label.group(1)}：{label.group(1)}") == 0


def test_a_hidden_fields_answer_is_dropped(client_for, applicant, food, food_form):
    client = client_for(applicant)
    client.post(url_of(food), post_data(food, **{"a.online_url": "https://shop.example"}))
    case = Case.objects.get(applicant=applicant, implementation=food)
    assert "online_url" not in case.form_data["answers"]  # 是否网络经营: 否


def test_the_service_refuses_bad_answers_with_every_field_error(applicant, food, food_form):
    with pytest.raises(InvalidInput) as refused:
        case_submit(implementation_id=food.pk, submitted_by=applicant, form_data=dict(FORM),
                    materials=uploads_for(food), answers={"operator_name": "x"})
    assert refused.value.code == "form.invalid"
    assert "main_business：请选择主体业态" in refused.value.message or \
        "main_business：" in refused.value.message
    assert refused.value.errors["staff"]  # type: ignore[attr-defined]


# --- drafts ---------------------------------------------------------------------------------


def test_a_draft_saved_on_one_device_resumes_on_another(client_for, applicant, food, food_form):
    phone = client_for(applicant)
    response = phone.post(url_of(food), post_data(food, save_draft="1"))
    assert response.status_code == 302
    assert "草稿已保存" in phone.get(response["Location"]).content.decode()
    draft = ApplicationDraft.objects.get(owner=applicant, implementation=food)
    assert draft.expires_at == MONDAY + drafts.KEEP_FOR
    # Another browser of the same account (a fresh session) resumes it, files included.
    laptop = Client()
    laptop.force_login(applicant)
    page = laptop.get(url_of(food)).content.decode()
    assert "已恢复您于" in page
    assert 'value="耒阳市张三小吃店"' in page and 'value="李四"' in page
    assert "<strong>已保留：</strong>平面图.pdf" in page
    staged = StagedUpload.objects.filter(owner=applicant)
    assert staged.exists() and all(row.expires_at == draft.expires_at for row in staged)
    assert [d.code for d in drafts.drafts_for(applicant)] == [food.code]
    mine = laptop.get(reverse("cases:mine")).content.decode()
    assert "未提交的草稿" in mine and f'href="{url_of(food)}"' in mine
    # Filing the case from the resumed page deletes the draft and uses the kept files.
    tokens = re.findall(r'name="kept" value="([^"]+)"', page)
    fixed = {k: v for k, v in post_data(food).items()
             if not k.startswith("file_") and k != "a.layout"}
    assert laptop.post(url_of(food), {**fixed, "kept": tokens}).status_code == 302
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()
    assert drafts.drafts_for(applicant) == []
    # An automatic save arriving after the submission does not bring the draft back.
    late = laptop.post(reverse("cases:apply_draft", args=[food.code]), fixed,
                       HTTP_HX_REQUEST="true")  # the same page: the same idempotency key
    assert "申请已提交" in late.content.decode()
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()


def test_the_draft_saves_itself_with_htmx_and_expires(client_for, applicant, clerk, food,
                                                      food_form):
    draft_url = reverse("cases:apply_draft", args=[food.code])
    assert client_for(clerk).post(draft_url, {"a.operator_name": "x"}).status_code == 403
    assert Client().post(draft_url, {"a.operator_name": "x"}).status_code == 302  # sign in
    client = client_for(applicant)
    response = client.post(reverse("cases:apply_draft", args=[food.code]),
                           {"a.operator_name": "半途的名称", "phone": "13800000001"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "草稿已自动保存" in response.content.decode()
    draft = ApplicationDraft.objects.get(owner=applicant, implementation=food)
    assert draft.data["answers"] == {"operator_name": "半途的名称"}
    assert 'value="半途的名称"' in client.get(url_of(food)).content.decode()
    sweeps.run_all(MONDAY + drafts.KEEP_FOR - dt.timedelta(minutes=1))
    assert ApplicationDraft.objects.filter(pk=draft.pk).exists()
    sweeps.run_all(MONDAY + drafts.KEEP_FOR)
    assert not ApplicationDraft.objects.filter(pk=draft.pk).exists()


def test_a_draft_can_be_discarded(client_for, applicant, food, food_form):
    client = client_for(applicant)
    client.post(url_of(food), post_data(food, save_draft="1"))
    page = client.get(url_of(food)).content.decode()
    assert 'name="discard_confirm"' in page and "确认放弃草稿" in page
    # Without the confirmation the draft stays (a stray click loses nothing).
    refused = client.post(url_of(food), {"discard_draft": "1"}, follow=True).content.decode()
    assert "草稿未删除" in refused
    assert ApplicationDraft.objects.filter(owner=applicant).exists()
    client.post(url_of(food), {"discard_draft": "1", "discard_confirm": "1"})
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()
    assert 'value="耒阳市张三小吃店"' not in client.get(url_of(food)).content.decode()


# --- the reviewer sees every field ----------------------------------------------------------


def filed(client_for, applicant, food) -> Case:
    client_for(applicant).post(url_of(food), post_data(food))
    return Case.objects.get(applicant=applicant, implementation=food)


def test_the_reviewer_sees_every_field_labelled_and_masked(client_for, applicant, food,
                                                           food_form, reviewer):
    case = filed(client_for, applicant, food)
    page = client_for(reviewer).get(case.get_absolute_url()).content.decode()
    assert "食品经营许可申请书（测试）" in page
    for spec in FOOD_FORM.fields:
        assert f"<dt>{spec.label}</dt>" in page or f">{spec.label}</caption>" in page, spec.label
    assert "餐饮服务经营者" in page and "预包装食品销售、热食类食品制售" in page
    assert "50,000.00 元" in page and "35.50 平方米" in page
    assert "湖南省 衡阳市 耒阳市 蔡子池街道" in page
    assert "2026-03-01 至 2029-02-28" in page
    assert "<dt>网站或网店地址</dt><dd>不适用</dd>" in page
    # Personal data masked for the reviewer: ID number and phone of the 管理员.
    assert "430***********123X" in page and "43048119900101123X" not in page
    assert "138****0001" in page
    # The group as a table, the file as a link through the protected download.
    assert "<th scope=\"col\">健康证明编号</th>" in page and "JK-002" in page
    layout = case.materials.get(name="申请表附件：经营场所平面图")
    assert reverse("cases:material", args=[case.number, layout.pk]) in page


def test_the_applicant_sees_the_same_answers_unmasked(client_for, applicant, food, food_form):
    case = filed(client_for, applicant, food)
    page = client_for(applicant).get(case.get_absolute_url()).content.decode()
    assert "食品经营许可申请书（测试）" in page and "43048119900101123X" in page
    assert "JK-002" in page


# --- items without a definition ---------------------------------------------------------------


def test_an_item_without_a_definition_applies_as_before(client_for, applicant, food_form):
    other = ItemImplementation.objects.filter(
        level=4, online_depth__gte=2, status="published").exclude(
        item__name__startswith="食品经营").first()
    assert other is not None
    form_set(other, None)
    client = client_for(applicant)
    page = client.get(reverse("cases:apply", args=[other.code])).content.decode()
    assert 'name="a.' not in page and "item-form" not in page
    assert 'name="applicant_name"' in page and 'name="phone"' in page
    response = client.post(reverse("cases:apply", args=[other.code]), apply_data(other))
    assert response.status_code == 302
    case = Case.objects.get(applicant=applicant, implementation=other)
    assert "answers" not in case.form_data
    with pytest.raises(InvalidInput) as refused:
        case_submit(implementation_id=other.pk, submitted_by=applicant, form_data=dict(FORM),
                    materials=uploads_for(other), answers={"x": "y"})
    assert refused.value.code == "form.none"


# --- the API --------------------------------------------------------------------------------


def api_answers() -> dict[str, object]:
    return {"operator_name": "耒阳市张三小吃店", "main_business": "shop", "has_online": True,
            "online_url": "https://shop.example", "area": 20, "opening": "2026-04-01",
            "site": TOWNSHIP, "manager_id": "43048119900101123X",
            "manager_phone": "13800000001", "layout": {"file_field": "layout_scan"},
            "staff": [{"name": "张三", "health_certificate": "JK-001"}]}


def api_post(client, food, answers):
    import json

    files = {f"f{m.position}": SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf")
             for m in food.materials.filter(source="applicant", required=True)}
    payload = {"implementation_id": food.pk, "form": dict(FORM), "answers": answers,
               "materials": [{"name": m.name, "kind": "upload", "file_field": f"f{m.position}"}
                             for m in food.materials.filter(source="applicant", required=True)]}
    return client.post("/api/v1/cases", {"payload": json.dumps(payload, ensure_ascii=False),
                                          "layout_scan": layout_file("api"), **files})


def test_the_api_files_the_answers_and_refuses_with_field_errors(client_for, applicant, food,
                                                                 food_form, reviewer):
    client = client_for(applicant)
    bad = {**api_answers(), "manager_phone": "12", "staff": [{"name": "张三"}]}
    response = api_post(client, food, bad)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "detail"} and body["code"] == "form.invalid"
    assert "manager_phone：" in body["detail"] and "staff.0.health_certificate：" in body["detail"]
    response = api_post(client, food, api_answers())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["answers"]["online_url"] == "https://shop.example"
    assert body["answers"]["layout"] == {"name": "平面图.pdf",
                                         "material": "申请表附件：经营场所平面图"}
    case = Case.objects.get(number=body["number"])
    assert b"% api" in case.materials.get(name="申请表附件：经营场所平面图").file.read()
    seen = client_for(reviewer).get(f"/api/v1/cases/{case.number}").json()
    assert seen["answers"]["manager_id"] == "430***********123X"


def test_the_window_files_the_item_form_and_a_refusal_keeps_it(client_for, clerk, applicant,
                                                              food, food_form):
    client = client_for(clerk)
    url = reverse("cases:window_apply", args=[food.code])
    page = client.get(url).content.decode()
    assert 'name="a.operator_name" value=""' in page  # no prefill from the clerk's account
    # The clerk's own draft, kept for the day (test_window_drafts.py).
    assert 'name="save_draft"' in page and "当天 24:00 前有效" in page
    data = {**FORM, **GOOD, "idempotency_key": "window-form-1", "account_phone": applicant.phone,
            "a.layout": layout_file("window")}
    page = client.post(url, {**data, "a.opening": "2026-02-30"}).content.decode()
    assert "申请未提交" in page and 'href="#a-opening"' in page
    assert "<strong>已保留：</strong>平面图.pdf" in page and 'value="李四"' in page
    page = client.post(url, {**data, "add_row": "staff", "a.layout": layout_file("w2")}
                       ).content.decode()
    assert 'name="a.staff.rows" value="3"' in page and "申请未提交" not in page
    tokens = re.findall(r'name="kept" value="([^"]+)"', page)
    response = client.post(url, {**{k: v for k, v in data.items() if k != "a.layout"},
                                 "kept": tokens})
    assert response.status_code == 302
    case = Case.objects.get(applicant=applicant, implementation=food)
    assert b"% w2" in case.materials.get(name="申请表附件：经营场所平面图").file.read()
    # The clerk who may unmask sees the answers whole after an audited look.
    page = client.post(reverse("cases:unmask", args=[case.number]),
                       {"reason": "核对申请表"}).content.decode()
    assert "<dt>食品安全管理员身份证号码</dt><dd>43048119900101123X</dd>" in page


def test_the_submit_fixture_fills_any_items_form(submit, food, food_form):
    # Once the pack gives items their forms, fixtures that file them stay valid.
    case = submit(food)
    assert case.form_data["answers"]["staff"] == [{"name": "测试",
                                                   "health_certificate": "测试"}]
    assert case.materials.filter(name="申请表附件：经营场所平面图").exists()


def test_a_drafts_files_outlive_the_usual_day_but_not_the_draft(client_for, applicant, food,
                                                                food_form):
    client = client_for(applicant)
    client.post(url_of(food), post_data(food, save_draft="1"))
    draft = ApplicationDraft.objects.get(owner=applicant)
    kept = set(StagedUpload.objects.filter(owner=applicant).values_list("token", flat=True))
    assert set(draft.data["kept"]) == kept and len(kept) > 1
    sweeps.run_all(MONDAY + dt.timedelta(days=2))  # past staging.KEEP_FOR (a day)
    assert set(StagedUpload.objects.filter(owner=applicant).values_list("token", flat=True)) \
        == kept
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        later = Client()
        later.force_login(applicant)
        assert "<strong>已保留：</strong>平面图.pdf" in later.get(url_of(food)).content.decode()
    sweeps.run_all(MONDAY + drafts.KEEP_FOR)
    assert not ApplicationDraft.objects.exists()
    assert not StagedUpload.objects.filter(owner=applicant).exists()


def test_prefill_knows_a_person_and_an_enterprise(applicant):
    from zhengwu.accounts.models import User

    assert answers.known_of(applicant) == {
        "applicant.name": "张三", "applicant.phone": "13800000001",
        "applicant.id_number": "43048119900101123X"}
    canyin = User.objects.get(username="canyin")
    known = answers.known_of(canyin)
    assert known["enterprise.uscc"] == known["applicant.id_number"] == canyin.uscc
    assert known["enterprise.name"] == canyin.display_name

