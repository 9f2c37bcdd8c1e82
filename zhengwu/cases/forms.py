"""Forms of the case pages. They check input field by field (Chinese messages next to each
field) and turn it into what cases.services takes; the rules themselves stay in the services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.selectors import identity_mismatch
from zhengwu.cases import answers as item_answers
from zhengwu.cases import commitment, item_form, material_licences, selectors, staging
from zhengwu.cases.credit import commitment_refusal
from zhengwu.cases.formdef import COMMON_FIELDS, validate_form
from zhengwu.cases.kept_uploads import KeepsUploads
from zhengwu.cases.models import (
    ApplicantKind,
    Case,
    DeliveryMethod,
    MaterialKind,
    ProcedureKind,
)
from zhengwu.cases.services import MaterialIn
from zhengwu.cases.uploads import ACCEPT
from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.form_answers import validate
from zhengwu.catalog.models import ItemImplementation, Material
from zhengwu.core import clock, idempotency
from zhengwu.core.forms import ErrorsDescribed, TextField

SUPPLEMENT_FREE_ROWS = 3
# The two answers to a licence or shared data offered for a material.
USE, UPLOAD = "use", "upload"


def offer_material(offer: material_licences.Offer) -> MaterialIn:
    """The material as the applicant gives it by consenting to the offer."""
    kind, reference = material_licences.offer_given(offer)
    return MaterialIn(name=offer.material.name, kind=kind, reference=reference)


@dataclass
class MaterialRow:
    """One required or optional material of the guide, with its inputs on the form."""

    material: Material
    file: forms.BoundField
    commitment: forms.BoundField | None
    paper: forms.BoundField | None
    kept: staging.KeptFile | None = None
    offer: material_licences.Offer | None = None
    use: forms.BoundField | None = None


class ApplyForm(KeepsUploads):
    """在线申请 (and 窗口代为申请 with `window=True`): the common applicant fields of
    GB/T 39046 Table 5, then one file input per material the applicant provides, or a
    commitment (告知承诺) where the implementation allows it."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args: Any, implementation: ItemImplementation,
                 applicant: User | None = None, window: bool = False,
                 definition: FormDefinition | None = None,
                 answers: dict[str, Any] | None = None, rows: dict[str, int] | None = None,
                 offer_licences: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.implementation = implementation
        self.applicant = applicant
        self.window = window
        self.definition = definition
        self.item_answers: dict[str, Any] = {}
        self.item_rows: dict[str, int] = {}
        self.item_errors: dict[str, str] = {}
        self.item_cleaned: dict[str, Any] = {}
        self.materials_in: list[MaterialIn] = []
        self.cleaned_form: dict[str, str] = {}
        if window:
            self.fields["account_phone"] = forms.CharField(
                label="申请人账号（注册手机号）", max_length=20, required=False,
                help_text="按手机号查找申请人的账号；办件归属该账号，申请人可在“我的办件”中查看。",
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                              "required": True}))
        for field in COMMON_FIELDS:
            attrs: dict[str, Any] = {"maxlength": field.max_length}
            if field.required:
                attrs["required"] = True
            if field.key == "phone":
                attrs.update(inputmode="tel", autocomplete="tel")
            if field.key == "id_number":
                attrs["autocomplete"] = "off"
            widget: forms.Widget = (forms.Textarea(attrs={**attrs, "rows": 3})
                                    if field.key == "description" else forms.TextInput(attrs))
            # Required-ness is checked by formdef.validate_form, with its own messages.
            self.fields[field.key] = TextField(label=field.label, required=False,
                                               widget=widget, strip=True)
        # Online, a material a licence or shared data may stand in for is offered when the
        # applicant holds it (cases.material_licences): use it (consent) or upload instead.
        # Not to someone who may not (yet) file for the applicant (帮代办 before the
        # enterprise's authorization): the licences' contents are the holder's.
        self.offers = {} if window or not offer_licences else \
            material_licences.offers_for(implementation, applicant)
        # 告知承诺 offered only to an applicant it is for (cases.credit: the item practises it
        # and the applicant has no unrepaired 失信记录); the page says why when it is not.
        self.commitment_refused = commitment_refusal(
            implementation, (applicant.uscc if applicant.kind == UserKind.ENTERPRISE
                             else applicant.citizen_id) if applicant is not None and not window
            else "")
        # The applicant's own materials, those a commitment may replace (to commit or upload:
        # cases.commitment) and those a licence it holds is offered for.
        self.material_list = [m for m in implementation.materials.all()
                              if commitment.given_by_applicant(m) or m.position in self.offers]
        for material in self.material_list:
            key = str(material.position)
            if material.position in self.offers:
                self.fields[f"use_{key}"] = forms.ChoiceField(
                    label="提供方式", required=False, widget=forms.RadioSelect,
                    choices=[(USE, "使用电子证照/共享数据（我已预览并同意本次使用）"),
                             (UPLOAD, "不使用，改为上传文件")])
            self.fields[f"file_{key}"] = forms.FileField(
                label=material.name, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
            if commitment.replaceable(material) and self.commitment_refused is None:
                self.fields[f"commit_{key}"] = forms.BooleanField(
                    label="以书面承诺代替（告知承诺制）", required=False)
            if window:
                self.fields[f"paper_{key}"] = forms.BooleanField(
                    label="已在窗口收取纸质材料", required=False)
        if definition is not None:
            self._item_init(definition, answers or {}, rows or {})
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", idempotency.new_key())
            if applicant is not None and not window:
                self.initial.setdefault("applicant_name", applicant.display_name)
                self.initial.setdefault("phone", applicant.phone or "")
                self.initial.setdefault("id_number", applicant.uscc
                                        if applicant.kind == UserKind.ENTERPRISE
                                        else applicant.citizen_id)

    @property
    def commitment_unused(self) -> bool:
        """A material the guide marks 告知承诺替代 is listed but may not be committed here (the
        item does not practise it): the page says why it is to be uploaded."""
        return not self.window and not self.implementation.commitment_allowed and any(
            commitment.replaceable(m) for m in self.material_list)

    @property
    def common_fields(self) -> list[forms.BoundField]:
        return [self[f.key] for f in COMMON_FIELDS]

    @property
    def material_rows(self) -> list[MaterialRow]:
        rows = []
        for material in self.material_list:
            key = str(material.position)
            rows.append(MaterialRow(
                material, self[f"file_{key}"],
                self[f"commit_{key}"] if f"commit_{key}" in self.fields else None,
                self[f"paper_{key}"] if f"paper_{key}" in self.fields else None,
                self.kept_for(f"file_{key}"), self.offers.get(material.position),
                self[f"use_{key}"] if f"use_{key}" in self.fields else None))
        return rows

    def _applicant_kind(self) -> str:
        owner = self.applicant
        return ApplicantKind.ENTERPRISE if owner is not None and \
            owner.kind == UserKind.ENTERPRISE else ApplicantKind.PERSON

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.window:
            phone = str(cleaned.get("account_phone") or "")
            self.applicant = selectors.applicant_by_phone(phone=phone) if phone else None
            if not phone:
                self.add_error("account_phone", "请填写申请人注册账号的手机号。")
            elif self.applicant is None:
                self.add_error("account_phone", "未找到使用该手机号注册的申请人账号。请申请人先在"
                               f"“注册”页（{settings.ZHENGWU_PUBLIC_URL}"
                               f"{reverse('accounts:signup')}）用手机号注册，再办理。")
        data = {f.key: cleaned.get(f.key, "") for f in COMMON_FIELDS}
        values, errors = validate_form(data, kind=self._applicant_kind(), today=clock.today())
        if not self.window and self.applicant is not None and "id_number" in values:
            # Online the ID number is the account's own (accounts.selectors.identity_mismatch);
            # the service checks it again.
            refusal = identity_mismatch(self.applicant, values["id_number"],
                                        values.get("applicant_name", ""))
            if refusal:
                errors[refusal.field] = refusal.message
        for key, message in errors.items():
            self.add_error(None if key == "__all__" else key, message)
        self.cleaned_form = values
        self._clean_materials(cleaned)
        if self.definition is not None:
            self._clean_item(self.definition)
        return cleaned

    # --- the item's own form (cases.item_form); kept apart so other changes merge easily ----

    def _item_init(self, definition: FormDefinition, answers: dict[str, Any],
                   rows: dict[str, int]) -> None:
        """The item's answers (posted, or a draft's or prefilled ones), its file inputs, and
        the applicant's name and ID number read-only online (they are the account's)."""
        self.item_code_sets = item_answers.code_sets(self.implementation)
        self.item_rows = dict(rows)
        if self.is_bound:
            self.item_answers = item_form.answers_from_post(definition, self.data)
            for path, count in item_form.posted_rows(definition, self.data).items():
                self.item_rows[path] = max(count, self.item_rows.get(path, 0))
        else:
            self.item_answers = dict(answers)
        for path, spec in item_form.file_paths(definition, self.item_answers, self.item_rows):
            self.fields[item_form.input_name(path)] = forms.FileField(
                label=spec.label, required=False)
        if not self.window and self.applicant is not None:
            for key in ("applicant_name", "id_number"):
                self.fields[key].widget.attrs.update(readonly=True)
                self.fields[key].help_text = "来自账号的实名信息，不能修改。"

    def _clean_item(self, definition: FormDefinition) -> None:
        answers = self.item_answers
        for path, spec in item_form.file_paths(definition, answers, self.item_rows):
            name = item_form.input_name(path)
            given = self.file_given(name, spec.label)
            token = self._stage_now(name) if given is not None else ""
            if token:
                item_form.set_answer(answers, path, {"name": given[0] if given else "",
                                                     "token": token})
        cleaned, errors = validate(definition, answers, code_sets=self.item_code_sets,
                                   regions=item_answers.regions(), today=clock.today())
        for name in list(self.errors):  # a refused file: its error goes next to its field
            if name.startswith(item_form.PREFIX):
                errors[name[len(item_form.PREFIX):]] = "；".join(str(e) for e in self.errors[name])
                del self.errors[name]
        self.item_errors = errors
        self.item_cleaned = cleaned

    def _stage_now(self, name: str) -> str:
        """The staged-upload token of an item file (cases.staging): a new file is kept now,
        since its answer names it by token; a kept one keeps its token."""
        slot = self.slot_of(name)
        fresh = self._fresh.pop(name, None)
        if fresh is not None and self.owner is not None and self.keep_as:
            row = staging.keep(owner=self.owner, form=self.keep_as, slot=slot,
                               file_name=fresh[0], checked=fresh[1])
            self._kept[slot] = row
            return row.token
        kept = self._kept.get(slot)
        return kept.token if kept is not None else ""

    def is_valid(self) -> bool:
        return super().is_valid() and not self.item_errors

    @property
    def item_controls(self) -> list[item_form.Control]:
        if self.definition is None:
            return []
        kept = {item_form.input_name(path): self.kept_for(item_form.input_name(path))
                for path, _spec in item_form.file_paths(self.definition, self.item_answers,
                                                        self.item_rows)}
        return item_form.controls(self.definition, self.item_answers, self.item_errors,
                                  code_sets=self.item_code_sets, rows=self.item_rows,
                                  today=clock.today(), kept=kept)

    @property
    def item_error_links(self) -> list[tuple[str, str]]:
        """(target id, label, message) of every item-form error, in page order, for the
        error summary at the top of the page."""
        return item_form.error_links(self.item_controls, self.item_errors)

    @property
    def error_count(self) -> int:
        return len(self.errors) + len(self.item_errors)

    def _clean_materials(self, cleaned: dict[str, Any]) -> None:
        materials: list[MaterialIn] = []
        for material in self.material_list:
            key = str(material.position)
            upload = cleaned.get(f"file_{key}")
            committed = bool(cleaned.get(f"commit_{key}"))
            paper = bool(cleaned.get(f"paper_{key}"))
            offer = self.offers.get(material.position)
            if offer is not None and cleaned.get(f"use_{key}") == USE:
                if upload or committed:
                    self.add_error(f"file_{key}", "已选择使用电子证照/共享数据，请不要再上传文件或勾选承诺。")
                    continue
                materials.append(offer_material(offer))
                continue
            chosen = sum([upload is not None and upload is not False, committed, paper])
            if chosen > 1:
                self.add_error(f"file_{key}", "每份材料只能选择一种提供方式。")
                continue
            # A file kept from an earlier attempt counts unless another way was ticked.
            given = self.file_given(f"file_{key}", material.name) \
                if upload or not (committed or paper) else None
            if given is not None:
                materials.append(MaterialIn(name=material.name, kind=MaterialKind.UPLOAD,
                                            file_name=given[0], content=given[1]))
            elif upload:
                continue  # refused next to its field (file_given)
            elif committed:
                materials.append(MaterialIn(name=material.name, kind=MaterialKind.COMMITMENT))
            elif paper:
                materials.append(MaterialIn(name=material.name, kind=MaterialKind.PAPER))
            elif material.required and not self.window and f"file_{key}" not in self.errors \
                    and commitment.given_by_applicant(material):
                self.add_error(f"file_{key}", ("请选择使用电子证照/共享数据，或上传本材料"
                                               if offer is not None else "请上传本材料") + (
                    "，或勾选以书面承诺代替。" if f"commit_{key}" in self.fields else "。"))
        self.materials_in = materials


class MoveForm(forms.Form):
    """The inputs any move may carry; which ones a move needs is checked by the service."""

    reason = forms.CharField(label="理由", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    procedure_kind = forms.ChoiceField(label="特别程序种类", required=False,
                                       choices=[("", "请选择"), *ProcedureKind.choices])
    extra_workdays = forms.IntegerField(label="延长工作日", required=False, min_value=1,
                                        max_value=365)
    approver = forms.CharField(label="批准人（本机关负责人）", required=False, max_length=100)
    delivery_method = forms.ChoiceField(label="送达方式", required=False,
                                        choices=[("", "请选择"), *DeliveryMethod.choices])
    tracking_number = forms.CharField(label="邮寄单号", required=False, max_length=40)
    confirm = forms.BooleanField(label="我确认撤回本申请", required=False)

    def message(self) -> str:
        """All field errors as one line, for the message next to the action's form."""
        return "；".join(f"{self.fields[k].label if k in self.fields else ''}：{e}".lstrip("：")
                        for k, errors in self.errors.items() for e in errors)


def supplement_items_from(data: QueryDict) -> tuple[list[dict[str, str]], list[str]]:
    """The 一次性补正 rows from the clerk's form: known materials are picked by a checkbox,
    free rows count when a material name is typed; every row needs its reason."""
    items: list[dict[str, str]] = []
    errors: list[str] = []
    indexes = sorted({int(key.rsplit("_", 1)[1]) for key in data
                      if key.startswith("sup_material_") and key.rsplit("_", 1)[1].isdigit()
                      and len(key) < 20})[:200]
    for index in indexes:
        material = data.get(f"sup_material_{index}", "").strip()[:200]
        reason = data.get(f"sup_reason_{index}", "").strip()[:500]
        known = bool(data.get(f"sup_known_{index}"))
        picked = data.get(f"sup_on_{index}") == "1" if known else bool(material)
        if not picked or not material:
            continue
        if not reason:
            errors.append(f"请写明“{material}”需补正的原因。")
        items.append({"material": material, "reason": reason})
    if not items and not errors:
        errors.append("请至少选择一项需补正的材料，并写明原因。")
    return items, errors


def supplement_choices(case: Case, answered: Mapping[str, str] | None = None,
                       ) -> list[dict[str, Any]]:
    """Rows offered to the clerk: the guide's materials and the case's own, those missing at
    submission ticked, then empty rows for anything else. `answered`: the clerk's refused form
    (a reason left out), whose ticks, names and reasons are shown again as sent."""
    missing: set[str] = set()
    submitted = case.events.filter(action="submit").first()
    if submitted is not None:
        missing = set(submitted.data.get("missing") or [])
    names: list[str] = []
    for material in case.implementation.materials.all():
        if commitment.given_by_applicant(material) and material.name not in names:
            names.append(material.name)
    for name in case.materials.values_list("name", flat=True):
        if name not in names:
            names.append(name)
    rows: list[dict[str, Any]] = [
        {"index": i, "material": name, "known": True, "checked": name in missing,
         "reason": "未提交" if name in missing else ""} for i, name in enumerate(names)]
    rows += [{"index": len(names) + i, "material": "", "known": False, "checked": False,
              "reason": ""} for i in range(SUPPLEMENT_FREE_ROWS)]
    if answered is not None:
        for row in rows:
            index = row["index"]
            row["reason"] = answered.get(f"sup_reason_{index}", "")[:500]
            if row["known"]:
                row["checked"] = answered.get(f"sup_on_{index}") == "1"
            else:
                row["material"] = answered.get(f"sup_material_{index}", "")[:200]
    return rows


class SupplementUploadForm(KeepsUploads):
    """The applicant's answer to a 一次性补正告知: one file for each listed material."""

    def __init__(self, *args: Any, items: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.materials_in: list[MaterialIn] = []
        for index, item in enumerate(items):
            self.fields[f"supp_{index}"] = forms.FileField(
                label=item.get("material", ""), required=False,
                help_text=item.get("reason", ""),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        materials = []
        for index, item in enumerate(self.items):
            name = item.get("material", "") or f"补正材料{index + 1}"
            given = self.file_given(f"supp_{index}", name)
            if given is None:
                if f"supp_{index}" not in self.errors:
                    self.add_error(f"supp_{index}", "请上传本项补正材料。")
                continue
            materials.append(MaterialIn(name=name, kind=MaterialKind.UPLOAD,
                                        file_name=given[0], content=given[1]))
        self.materials_in = materials
        return cleaned


class ProgressForm(ErrorsDescribed):
    """办件进度查询: both the case number and the applicant's ID number must match."""

    number = forms.CharField(label="办件编号", max_length=32,
                             widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                           "autocomplete": "off"}))
    id_number = forms.CharField(label="申请人证件号码", max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))


class FilingSearchForm(forms.Form):
    q = forms.CharField(label="事项名称或实施编码", max_length=50, required=False)
