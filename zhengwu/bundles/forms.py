"""Forms of the 一件事 pages: the list's filters, the three steps of the guided application
(情形引导, 一张表单, 材料与确认), the one supplement upload and the withdrawal. They check input
field by field, with Chinese messages next to each field, and turn it into what
bundles.services takes; the rules themselves stay in bundles.definition, bundles.formdef and
the services (which check everything again on submission)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from zhengwu.accounts.models import User
from zhengwu.bundles import definition as d
from zhengwu.bundles import formdef, item_forms
from zhengwu.bundles.models import BundleAudience, HallLevel
from zhengwu.bundles.services import MaterialIn
from zhengwu.cases import item_form
from zhengwu.cases.kept_uploads import KeepsUploads
from zhengwu.cases.material_licences import Offer, offer_given
from zhengwu.cases.models import DeliveryMethod, MaterialKind
from zhengwu.cases.staging import KeptFile
from zhengwu.cases.uploads import ACCEPT
from zhengwu.catalog.selectors import UnionForm
from zhengwu.core import clock
from zhengwu.core.forms import ErrorsDescribed, TextField
from zhengwu.regions.models import Region

# Prefixes keep the bundle's own keys (any [a-z][a-z0-9_]*) apart from the wizard's controls.
QUESTION_PREFIX = "q_"
FIELD_PREFIX = "f_"
MATERIAL_PREFIX = "m_"
USE_PREFIX = "use_m_"  # use the offered licence for the material m_<n>
FETCHED_PREFIX = "use_f_"  # consent for a material the departments would fetch
COMMIT_PREFIX = "commit_m_"  # replace the material m_<n> by a written commitment (告知承诺)
USE, UPLOAD, DECLINE = "use", "upload", "decline"
DELIVERY_CHOICES = [(DeliveryMethod.ELECTRONIC, "电子送达（在“我的一件事”中下载全部结果）"),
                    (DeliveryMethod.WINDOW, "窗口领取（到综合窗口一次领取全部结果）"),
                    (DeliveryMethod.POSTAL, "邮寄送达（寄往申请表填写的住所）")]


def answers_from(data: Mapping[str, Any]) -> dict[str, str]:
    """Posted answers (q_<key>), as given; bundles.definition.check_answers judges them."""
    return {key[len(QUESTION_PREFIX):]: str(value)[:40] for key, value in data.items()
            if key.startswith(QUESTION_PREFIX) and len(key) <= 42}


def values_from(definition: d.Definition, data: Mapping[str, Any]) -> dict[str, str] | None:
    """Posted form values (f_<key>) of the bundle's fields, or None when none were posted."""
    keys = [f.key for f in formdef.form_fields(definition)]
    # Any posted field will do: a form whose facts the members' form asks lacks those.
    if not any(FIELD_PREFIX + key in data for key in keys):
        return None
    return {key: str(data.get(FIELD_PREFIX + key, ""))[:formdef.MAX_LENGTH["long_text"]]
            for key in keys}


class BundleSearchForm(forms.Form):
    """/bundles/: words, 个人/企业, 市级大厅/乡镇大厅 and theme."""

    q = forms.CharField(label="一件事名称或主题", max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": "如：企业开办、出生、退休"}))
    audience = forms.ChoiceField(label="服务对象", required=False,
                                 choices=[("", "全部"), *BundleAudience.choices])
    hall_level = forms.ChoiceField(label="办理大厅", required=False,
                                   choices=[("", "全部"), (HallLevel.CITY, "市级大厅"),
                                            (HallLevel.TOWNSHIP, "乡镇大厅")])
    theme = forms.ChoiceField(label="主题", required=False)

    def __init__(self, *args: Any, themes: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        assert isinstance(theme, forms.ChoiceField)
        theme.choices = [("", "全部"), *((t, t) for t in themes)]


class QuestionsForm(ErrorsDescribed):
    """Step 1, 情形引导: one radio group per question shown for the answers so far."""

    def __init__(self, data: Mapping[str, Any] | None, *, definition: d.Definition,
                 check: d.AnswerCheck, show_errors: bool) -> None:
        super().__init__(data)
        self.check = check
        self.show_errors = show_errors
        self.questions = d.visible_questions(definition, check.answers)
        for question in self.questions:
            self.fields[QUESTION_PREFIX + question.key] = forms.ChoiceField(
                label=question.text, required=False, help_text=question.help,
                choices=[(a.value, a.label) for a in question.answers],
                widget=forms.RadioSelect)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.show_errors:
            for key, message in self.check.errors.items():
                name = QUESTION_PREFIX + key
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    @property
    def groups(self) -> list[forms.BoundField]:
        return [self[QUESTION_PREFIX + q.key] for q in self.questions]


def _widget(field: formdef.FormField, applicant_kind: str) -> forms.Widget:
    attrs: dict[str, Any] = {"maxlength": formdef.MAX_LENGTH.get(field.kind, 200)}
    if field.required:
        attrs["required"] = True
    if field.kind == "long_text":
        return forms.Textarea(attrs={**attrs, "rows": 3})
    if field.kind == "phone":
        attrs.update(inputmode="tel", autocomplete="tel")
    elif field.kind == "number":
        attrs["inputmode"] = "decimal"
    elif field.kind == "date":
        attrs["type"] = "date"
    elif field.kind in ("id_number", "uscc") or field.key == "id_number":
        attrs.update(autocomplete="off", spellcheck="false")
    elif field.key == "applicant_name":
        attrs["autocomplete"] = "organization" if applicant_kind == "enterprise" else "name"
    return forms.TextInput(attrs)


def _help(field: formdef.FormField, applicant_kind: str) -> str:
    if field.key == "id_number":
        return "统一社会信用代码（18位）" if applicant_kind == "enterprise" else "居民身份证号码（18位）"
    return {"number": "填写数字", "date": "如 2026-12-01", "uscc": "统一社会信用代码（18位）",
            "id_number": "居民身份证号码（18位）"}.get(field.kind, "")


class BundleForm(ErrorsDescribed):
    """Step 2, 一张表单: the applicant fields and the bundle's own, each entered once and
    validated by bundles.formdef (errors next to each field); then the members' own forms as
    one (`union`, bundles.item_forms), rendered like an item's form (cases.item_form) and
    checked by the catalogue's validator."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, definition: d.Definition,
                 applicant_kind: str, initial: Mapping[str, str] | None = None,
                 union: UnionForm | None = None,
                 item_initial: Mapping[str, Any] | None = None,
                 item_rows: Mapping[str, int] | None = None) -> None:
        super().__init__(data, initial={FIELD_PREFIX + k: v for k, v in (initial or {}).items()})
        self.definition = definition
        self.applicant_kind = applicant_kind
        # A fact the members' one form asks is asked there only (bundles.item_forms.facts).
        self.answered = item_forms.meanings(union)
        self.form_fields = formdef.form_fields(definition, self.answered)
        self.values: dict[str, str] = {}
        self.union = union
        self.item_rows: dict[str, int] = dict(item_rows or {})
        self.item_answers: dict[str, Any] = {}
        self.item_errors: dict[str, str] = {}
        self.item_checked = item_forms.Checked()
        if union is not None:
            if data is not None:
                self.item_answers = item_form.answers_from_post(union.definition, data)
                for path, count in item_form.posted_rows(union.definition, data).items():
                    self.item_rows[path] = max(count, self.item_rows.get(path, 0))
            else:
                self.item_answers = dict(item_initial or {})
        for field in self.form_fields:
            # Required-ness is checked by formdef.validate, with its own messages.
            self.fields[FIELD_PREFIX + field.key] = TextField(
                label=field.label, required=False, strip=True,
                help_text=_help(field, applicant_kind), widget=_widget(field, applicant_kind))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data = {f.key: cleaned.get(FIELD_PREFIX + f.key) or "" for f in self.form_fields}
        values, errors = formdef.validate(self.definition, data,
                                          applicant_kind=self.applicant_kind,
                                          today=clock.today(), answered=self.answered)
        for key, message in errors.items():
            name = FIELD_PREFIX + key
            self.add_error(name if name in self.fields else None, message)
        if self.union is not None:
            self.item_checked = item_forms.check(self.union, self.item_answers)
            self.item_errors = dict(self.item_checked.errors)
        self.values = {**values, **item_forms.facts(self.definition, self.union,
                                                    self.item_checked.answers)}
        return cleaned

    def is_valid(self) -> bool:
        return super().is_valid() and not self.item_errors

    def item_errors_add(self, errors: Mapping[str, str]) -> None:
        """Errors the service found on the union's paths (shown next to their fields)."""
        for path, message in errors.items():
            self.item_errors.setdefault(path, message)

    @property
    def item_controls(self) -> list[item_form.Control]:
        if self.union is None:
            return []
        return item_form.controls(self.union.definition, self.item_answers, self.item_errors,
                                  code_sets=self.union.code_sets, rows=self.item_rows,
                                  today=clock.today())

    @property
    def item_error_links(self) -> list[tuple[str, str]]:
        return item_form.error_links(self.item_controls, self.item_errors) \
            if self.item_errors else []

    @property
    def common(self) -> list[forms.BoundField]:
        return [self[FIELD_PREFIX + f.key] for f in self.form_fields if f.common]

    @property
    def own(self) -> list[forms.BoundField]:
        return [self[FIELD_PREFIX + f.key] for f in self.form_fields if not f.common]


@dataclass
class MaterialChoice:
    """One material of step 3 with its inputs: the file (None for a fetched one), a file kept
    from an earlier attempt, and the offered licence or shared data with its choice."""

    material: d.NeededMaterial
    field: forms.BoundField | None
    kept: KeptFile | None
    offer: Offer | None
    use: forms.BoundField | None
    commitment: forms.BoundField | None = None


def _offered(material: d.NeededMaterial, offer: Offer) -> MaterialIn:
    """The material as the applicant gives it by consenting to the offer."""
    kind, reference = offer_given(offer)
    return MaterialIn(identity=material.identity, kind=kind, reference=reference)


class MaterialsForm(KeepsUploads):
    """Step 3, 提交材料并确认: one file per material identity (一次采集), the township of a
    township-hall bundle, the delivery method, and the applicant's confirmation. A file kept
    from a refused attempt belongs to its material identity, so it survives the applicant
    going back a step and changing the answers."""

    def __init__(self, data: Mapping[str, Any] | None = None, files: Any = None, *,
                 needed: Sequence[d.NeededMaterial],
                 townships: Sequence[Region] | None = None, owner: User | None = None,
                 keep_as: str = "", kept: Sequence[str] = (),
                 fetched: Sequence[d.NeededMaterial] = (),
                 offers: Mapping[str, Offer] | None = None,
                 commitable: Collection[str] = ()) -> None:
        super().__init__(data, files, owner=owner, keep_as=keep_as, kept=kept)
        self.needed = list(needed)
        # The identities a written commitment may replace here (bundles.views: every member
        # marks it 告知承诺替代, practises 告知承诺, and the applicant's credit allows).
        self.commitable = frozenset(commitable)
        # Identity → the applicant's licence or shared data that may stand in for it
        # (bundles.material_offers); a fetched material with an offer is asked too.
        self.offers = dict(offers or {})
        self.fetched_offered = [n for n in fetched if n.identity in self.offers]
        self.materials_in: list[MaterialIn] = []
        for index, material in enumerate(self.needed):
            if material.identity in self.offers:
                self.fields[f"{USE_PREFIX}{index}"] = forms.ChoiceField(
                    label="提供方式", required=False, widget=forms.RadioSelect,
                    choices=[(USE, "使用电子证照/共享数据（我已预览并同意本次使用）"),
                             (UPLOAD, "不使用，改为上传文件")])
            self.fields[f"{MATERIAL_PREFIX}{index}"] = forms.FileField(
                label=material.name, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT} | (
                    {} if material.identity in self.offers or material.identity in
                    self.commitable else {"required": True})))
            if material.identity in self.commitable:
                self.fields[f"{COMMIT_PREFIX}{index}"] = forms.BooleanField(
                    label="以书面承诺代替（告知承诺制）", required=False)
        for index, _material in enumerate(self.fetched_offered):
            self.fields[f"{FETCHED_PREFIX}{index}"] = forms.ChoiceField(
                label="提供方式", required=False, widget=forms.RadioSelect,
                choices=[(USE, "使用我的电子证照/共享数据（我已预览并同意本次使用）"),
                         (DECLINE, "不同意，由各部门依职能核查")])
        self.township = townships is not None
        if townships is not None:
            self.fields["region"] = forms.ChoiceField(
                label="办理的乡镇（街道）", required=False,
                choices=[("", "请选择"), *((r.code, r.name) for r in townships)],
                widget=forms.Select(attrs={"required": True}))
        self.fields["delivery_method"] = forms.ChoiceField(
            label="结果送达方式", required=False, choices=DELIVERY_CHOICES,
            initial=DeliveryMethod.ELECTRONIC, widget=forms.RadioSelect)
        self.fields["confirm"] = forms.BooleanField(
            label="我确认所填信息真实、准确，所提交材料真实有效，并同意各部门共享本次申请的信息和材料",
            required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        materials = []
        for index, material in enumerate(self.needed):
            name = f"{MATERIAL_PREFIX}{index}"
            offer = self.offers.get(material.identity)
            if offer is not None and cleaned.get(f"{USE_PREFIX}{index}") == USE:
                if cleaned.get(name):
                    self.add_error(name, "已选择使用电子证照/共享数据，请不要再上传文件。")
                    continue
                materials.append(_offered(material, offer))
                continue
            committed = bool(cleaned.get(f"{COMMIT_PREFIX}{index}"))
            if committed:
                if cleaned.get(name) or (offer is not None and
                                         cleaned.get(f"{USE_PREFIX}{index}") == USE):
                    self.add_error(name, "每份材料只能选择一种提供方式：已勾选以书面承诺代替，"
                                   "请不要再上传文件或使用电子证照。")
                    continue
                materials.append(MaterialIn(identity=material.identity,
                                            kind=MaterialKind.COMMITMENT))
                continue
            given = self.file_given(name, material.name)
            if given is None:
                if name not in self.errors:
                    self.add_error(name, (
                        "请选择使用电子证照/共享数据，或上传本材料（PDF、JPG 或 PNG，不超过 10MB）"
                        if offer is not None else
                        "请上传本材料（PDF、JPG 或 PNG，不超过 10MB）") + (
                        "，或勾选以书面承诺代替。" if material.identity in self.commitable
                        else "。"))
                continue
            materials.append(MaterialIn(identity=material.identity, kind=MaterialKind.UPLOAD,
                                        file_name=given[0], content=given[1]))
        for index, material in enumerate(self.fetched_offered):
            choice = cleaned.get(f"{FETCHED_PREFIX}{index}")
            if choice == USE:
                materials.append(_offered(material, self.offers[material.identity]))
            elif choice != DECLINE:
                self.add_error(f"{FETCHED_PREFIX}{index}",
                               "请选择是否同意使用您的电子证照/共享数据。")
        self.materials_in = materials
        if self.township and not cleaned.get("region"):
            self.add_error("region", "请选择办理的乡镇（街道）。")
        if not cleaned.get("delivery_method"):
            self.add_error("delivery_method", "请选择结果送达方式。")
        if not cleaned.get("confirm"):
            self.add_error("confirm", "请阅读并勾选确认后再提交。")
        return cleaned

    def slot_of(self, name: str) -> str:
        index = name[len(MATERIAL_PREFIX):]
        if name.startswith(MATERIAL_PREFIX) and index.isdigit() and \
                int(index) < len(self.needed):
            return self.needed[int(index)].identity
        return name

    @property
    def rows(self) -> list[MaterialChoice]:
        return [MaterialChoice(m, self[f"{MATERIAL_PREFIX}{i}"],
                               self.kept_for(f"{MATERIAL_PREFIX}{i}"), self.offers.get(m.identity),
                               self[f"{USE_PREFIX}{i}"] if m.identity in self.offers else None,
                               self[f"{COMMIT_PREFIX}{i}"] if m.identity in self.commitable
                               else None)
                for i, m in enumerate(self.needed)]

    @property
    def fetched_rows(self) -> list[MaterialChoice]:
        """The materials the departments would fetch, offered from the applicant's own."""
        return [MaterialChoice(m, None, None, self.offers[m.identity],
                               self[f"{FETCHED_PREFIX}{i}"])
                for i, m in enumerate(self.fetched_offered)]


class SupplementForm(KeepsUploads):
    """The applicant's answer to the one supplement notice: one file per listed material."""

    def __init__(self, data: Mapping[str, Any] | None = None, files: Any = None, *,
                 items: Sequence[Mapping[str, Any]], owner: User | None = None,
                 keep_as: str = "") -> None:
        super().__init__(data, files, owner=owner, keep_as=keep_as)
        self.items = list(items)
        self.materials_in: list[MaterialIn] = []
        for index, item in enumerate(self.items):
            self.fields[f"supp_{index}"] = forms.FileField(
                label=str(item["material"]), required=False,
                help_text="；".join(item.get("reasons") or []),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "required": True}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        materials = []
        for index, item in enumerate(self.items):
            name = f"supp_{index}"
            given = self.file_given(name, str(item["material"]))
            if given is None:
                if name not in self.errors:
                    self.add_error(name, "请上传本项补正材料。")
                continue
            materials.append(MaterialIn(identity=str(item["material"]),
                                        kind=MaterialKind.UPLOAD, file_name=given[0],
                                        content=given[1]))
        self.materials_in = materials
        return cleaned


class WithdrawForm(ErrorsDescribed):
    confirm = forms.BooleanField(label="我确认撤回本次一件事申请（全部事项一并撤回）",
                                 required=False)
    reason = forms.CharField(label="撤回原因（可选）", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("confirm"):
            self.add_error("confirm", "请勾选确认后再撤回。")
        return cleaned
