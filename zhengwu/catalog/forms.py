"""Forms of the catalogue pages: draft editing, import upload, periods (the search form,
which the portal home shows too, is catalog.search_form)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from pydantic import ValidationError

from zhengwu.catalog.application_form import FormDefinition, error_text
from zhengwu.catalog.guide import substitutes_split
from zhengwu.catalog.models import (
    CaseKind,
    Channel,
    CrossRegionScope,
    HandlingForm,
    MaterialSource,
    OnlineDepth,
)
from zhengwu.core.forms import DateInput


class MaterialLinesField(forms.CharField):
    """One material per line: 名称|来源|形式|份数|必要(是/否)|出具单位|政府核发(是/否)|说明, then
    optionally 证照类型=<code> and 共享数据项=<code> (catalog.guide.substitute_bits)."""

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        sources = {label: code for code, label in MaterialSource.choices} | {
            code: code for code in MaterialSource.values}
        materials = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            bits = [b.strip() for b in line.split("|")] + [""] * 8
            if bits[1] and bits[1] not in sources:
                raise forms.ValidationError(f"第{number}行：来源“{bits[1]}”无效，可选："
                                            + "、".join(label for _, label in MaterialSource.choices))
            copies = bits[3] or "1"
            if not copies.isdigit():
                raise forms.ValidationError(f"第{number}行：份数应为整数")
            rest, codes = substitutes_split(bits[7:])
            materials.append({"name": bits[0], "source": sources.get(bits[1], "applicant"),
                              "form": bits[2], "copies": int(copies),
                              "required": bits[4] != "否", "issuer": bits[5],
                              "government_issued": bits[6] == "是",
                              "note": "|".join(b for b in rest if b), **codes})
        return materials


class FormDefinitionField(forms.CharField):
    """This implementation's own application form as JSON (docs/forms.md); blank = the basic
    item's form. Cleaned to the definition's snapshot, or None."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return value

    def to_python(self, value: Any) -> dict[str, Any] | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"申请表不是有效的 JSON：第{error.lineno}行第{error.colno}列"
                                        f"附近有误") from error
        try:
            return FormDefinition.model_validate(data).snapshot()
        except ValidationError as error:
            raise forms.ValidationError(f"申请表定义有误：{error_text(data, error)}") from error


class GuideForm(forms.Form):
    promised_limit_workdays = forms.DecimalField(label="承诺办结时限（工作日）", min_value=Decimal(0),
                                                 max_value=Decimal(999), decimal_places=1)
    legal_limit_workdays = forms.DecimalField(label="法定办结时限（工作日）", required=False,
                                              min_value=Decimal(0), max_value=Decimal(999),
                                              decimal_places=1)
    limit_note = forms.CharField(label="时限说明", required=False, max_length=200)
    case_kind = forms.ChoiceField(label="办件类型", choices=CaseKind.choices)
    online_depth = forms.TypedChoiceField(label="网上办理深度", coerce=int,
                                          choices=OnlineDepth.choices)
    trips = forms.IntegerField(label="到办事现场次数", min_value=0, max_value=20)
    handling_forms = forms.MultipleChoiceField(label="办理形式", choices=HandlingForm.choices,
                                               required=False,
                                               widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label="办理渠道", choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    conditions = forms.CharField(label="受理条件", required=False, widget=forms.Textarea(
        attrs={"rows": 3}), max_length=4000)
    process = forms.CharField(label="办理流程", required=False, widget=forms.Textarea(
        attrs={"rows": 3}), max_length=4000)
    materials = MaterialLinesField(
        label="申请材料（每行一项：名称|来源|形式|份数|必要|出具单位|政府核发|说明）", required=False,
        widget=forms.Textarea(attrs={"rows": 6}))
    fees = forms.CharField(label="收费（每行一项：名称|标准|依据；免费则留空）", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    commitment_allowed = forms.BooleanField(label="实行告知承诺", required=False)
    commitment_batch = forms.CharField(label="告知承诺批次", required=False, max_length=100)
    deemed_approval = forms.BooleanField(label="纳入超时默认", required=False)
    deemed_batch = forms.CharField(label="超时默认批次", required=False, max_length=100)
    cross_region_scope = forms.ChoiceField(label="通办范围", choices=CrossRegionScope.choices,
                                           required=False)
    appointment = forms.BooleanField(label="支持预约", required=False)
    place = forms.CharField(label="办理地点", required=False, max_length=300)
    hours = forms.CharField(label="办理时间", required=False, max_length=200)
    phone = forms.CharField(label="咨询电话", required=False, max_length=100)
    form = FormDefinitionField(
        label="本实施清单的申请表（JSON，格式见 docs/forms.md；留空则使用基本目录事项的申请表）",
        required=False, max_length=200_000, widget=forms.Textarea(attrs={"rows": 8}))


class ImportForm(forms.Form):
    file = forms.FileField(label="事项目录文件（.xlsx / .csv / .json，不超过20MB）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件过大：单个文件不超过 20MB。")
        if not upload.name.lower().endswith((".xlsx", ".csv", ".json")):
            raise forms.ValidationError("文件类型不支持：请上传 .xlsx、.csv 或 .json 文件。")
        return upload


class PeriodForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=DateInput())
    end = forms.DateField(label="结束日期", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "审核通过并发布"), ("reject", "退回修改")])
    note = forms.CharField(label="审核意见", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SynonymFromTermForm(forms.Form):
    """A synonym for a query people typed (the search-terms page): the query as the 口语说法,
    the catalogue's words it means, ；-separated."""

    term = forms.CharField(label="口语说法", max_length=50)
    targets = forms.CharField(label="对应事项用词（多个用；分隔）", max_length=300,
                              error_messages={"required": "请填写这个说法对应的事项用词，例如：食品经营许可。"})
