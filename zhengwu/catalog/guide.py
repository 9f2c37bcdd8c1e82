"""The guide (办事指南) as data: one pydantic schema for every element of an implementation.

The same schema validates catalogue import rows, drafts under review and the snapshot of every
published version, so that a guide means the same thing wherever it travels. Element list:
GB/T 39046-2020 Table 4 and the national exchange schema (shared standards-notes §1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from zhengwu.catalog.application_form import FormDefinition
from zhengwu.catalog.models import (
    CaseKind,
    Channel,
    CrossRegionScope,
    HandlingForm,
    ItemImplementation,
    MaterialSource,
)


class MaterialData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    form: str = Field("", max_length=20)
    copies: int = Field(1, ge=0, le=99)
    source: MaterialSource = MaterialSource.APPLICANT
    required: bool = True
    issuer: str = Field("", max_length=200)
    government_issued: bool = False
    note: str = Field("", max_length=300)
    licence_type_code: str = Field("", max_length=21)
    shared_item_code: str = Field("", max_length=40)


# A material written as one line (名称|来源|…|说明, the edit form and the CSV export) names what
# may stand in for it (Material.licence_type_code / shared_item_code) by marked bits after the
# note, so that an edit or an export and import keeps them.
LICENCE_MARK, SHARED_MARK = "证照类型=", "共享数据项="


def substitute_bits(material: MaterialData) -> list[str]:
    """The marked bits a material's line ends with (none for most materials)."""
    return ([LICENCE_MARK + material.licence_type_code] if material.licence_type_code else []) \
        + ([SHARED_MARK + material.shared_item_code] if material.shared_item_code else [])


def substitutes_split(bits: list[str]) -> tuple[list[str], dict[str, str]]:
    """The bits after 政府核发 without the marked ones, and the codes those name."""
    codes: dict[str, str] = {}
    rest = []
    for bit in bits:
        if bit.startswith(LICENCE_MARK):
            codes["licence_type_code"] = bit[len(LICENCE_MARK):].strip()
        elif bit.startswith(SHARED_MARK):
            codes["shared_item_code"] = bit[len(SHARED_MARK):].strip()
        else:
            rest.append(bit)
    return rest, codes


class FeeData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    standard: str = Field("", max_length=300)
    basis: str = Field("", max_length=500)


class FaqData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=2000)


class GuideData(BaseModel):
    """Every element a department may change in its own implementation's guide."""

    model_config = ConfigDict(extra="forbid")

    legal_limit_workdays: Decimal | None = Field(None, ge=0, le=999, decimal_places=1)
    promised_limit_workdays: Decimal = Field(ge=0, le=999, decimal_places=1)
    limit_note: str = Field("", max_length=200)
    case_kind: CaseKind = CaseKind.PROMISED
    handling_forms: list[HandlingForm] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    online_depth: int = Field(ge=1, le=4)
    trips: int = Field(ge=0, le=20)
    conditions: str = Field("", max_length=4000)
    process: str = Field("", max_length=4000)
    fees: list[FeeData] = Field(default_factory=list)
    materials: list[MaterialData] = Field(default_factory=list, max_length=200)
    commitment_allowed: bool = False
    commitment_batch: str = Field("", max_length=100)
    commitment_published_on: dt.date | None = None
    deemed_approval: bool = False
    deemed_batch: str = Field("", max_length=100)
    deemed_published_on: dt.date | None = None
    cross_region_scope: CrossRegionScope = CrossRegionScope.NONE
    appointment: bool = False
    place: str = Field("", max_length=300)
    hours: str = Field("", max_length=200)
    phone: str = Field("", max_length=100)
    supervision_phone: str = Field("", max_length=100)
    faq: list[FaqData] = Field(default_factory=list, max_length=100)
    delegated: bool = False
    delegated_from: str = Field("", max_length=100)  # department short name
    delegation_batch: str = Field("", max_length=100)
    delegated_on: dt.date | None = None
    baseline_material_count: int | None = Field(None, ge=0, le=200)
    approval_chain: list[str] = Field(default_factory=lambda: ["承办", "审核", "批准"],
                                      min_length=1, max_length=6)
    commitment_text: str = Field("", max_length=4000)
    verification_workdays: int = Field(20, ge=1, le=250)
    # This implementation's own application form; None = the basic item's (definition_for).
    form: FormDefinition | None = None
    source: str = Field("", max_length=2000)
    illustrative: bool = False

    @field_serializer("form")
    def form_snapshot(self, form: FormDefinition | None) -> dict[str, Any] | None:
        # The definition's own snapshot (aliases, defaults left out): it reads back through
        # model_validate, and a draft's diff shows only what the author wrote.
        return form.snapshot() if form is not None else None

    @field_validator("promised_limit_workdays", "legal_limit_workdays")
    @classmethod
    def half_days_only(cls, value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        if (value * 2) % 1 != 0:
            raise ValueError("时限只能是整数或半个工作日（如 0.5、1、1.5）")
        # One canonical form (1 == 1.0 → "1.0"), so equal guides have equal snapshots.
        return value.quantize(Decimal("0.1"))

    @field_validator("handling_forms", "channels")
    @classmethod
    def as_a_set(cls, value: list[Any]) -> list[Any]:
        # Order carries no meaning: keep one canonical order so an unchanged form is no change.
        return sorted(set(value), key=str)

    @model_validator(mode="after")
    def batches_need_dates(self) -> GuideData:
        if self.deemed_approval and not self.deemed_batch:
            raise ValueError("纳入超时默认的事项必须填写公布批次")
        if self.commitment_allowed and not self.commitment_batch:
            raise ValueError("实行告知承诺的事项必须填写公布批次")
        return self

    def snapshot(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c": [x, y]} → {"a.b": 1, "c[0]": x, "c[1]": y} for diffs.

    A list of dicts that each carry a distinct "key" (an application form's fields) is indexed
    by that key, "form.fields[area].max", so inserting a field shows as one new field rather
    than every later field changed."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        keys = [value.get("key") if isinstance(value, dict) else None for value in data]
        keyed = all(isinstance(key, str) for key in keys) and len(set(keys)) == len(keys)
        for index, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{keys[index] if keyed else index}]"))
    else:
        out[prefix] = data
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every element that differs between two snapshots, as (path, old, new), sorted by path."""
    a, b = flatten(old), flatten(new)
    return [(key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys())
            if a.get(key) != b.get(key)]


# Human labels for diff paths and the standardization view (四级四同).
ELEMENT_LABELS = {
    "legal_limit_workdays": "法定办结时限", "promised_limit_workdays": "承诺办结时限",
    "limit_note": "时限说明", "case_kind": "办件类型", "handling_forms": "办理形式",
    "channels": "办理渠道", "online_depth": "网上办理深度", "trips": "到办事现场次数",
    "conditions": "受理条件", "process": "办理流程", "fees": "收费", "materials": "申请材料",
    "commitment_allowed": "告知承诺", "deemed_approval": "超时默认",
    "approval_chain": "审批环节", "commitment_text": "告知承诺书", "verification_workdays": "事后核查期限",
    "cross_region_scope": "通办范围", "appointment": "预约", "place": "办理地点",
    "hours": "办理时间", "phone": "咨询电话", "faq": "常见问题", "delegated": "放权赋权",
    "form": "申请表",
}


# What the parts of an application form's path are called in a diff.
FORM_PART_LABELS = {
    "title": "表名", "source": "来源", "illustrative": "示例数据", "fields": "", "key": "键",
    "kind": "类型", "label": "名称", "help": "填写说明", "required": "必填",
    "shows_if": "显示条件", "maps_to": "共享含义", "max_length": "最大长度", "min": "最小值",
    "max": "最大值", "decimals": "小数位数", "unit": "单位", "min_date": "最早日期",
    "max_date": "最晚日期", "options": "选项", "code_set": "代码集", "multiple": "可多选",
    "region_depth": "区划层级", "min_items": "最少项数", "max_items": "最多项数",
    "accept": "文件格式", "max_mb": "文件大小上限", "field": "条件字段", "equals": "等于",
    "in": "属于",
}


def element_label(path: str) -> str:
    head = path.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0]
    if head == "form" and path != "form":
        return "申请表：" + _form_path_label(path.removeprefix("form."))
    return ELEMENT_LABELS.get(head, head)


def _form_path_label(path: str) -> str:
    """"fields[staff].fields[name].max_length" → "staff › name › 最大长度"."""
    parts: list[str] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        label = FORM_PART_LABELS.get(name, name)
        if label:
            parts.append(label)
        if index:
            parts.append(index.rstrip("]"))
    return " › ".join(parts)


def guide_of(implementation: ItemImplementation) -> GuideData:
    """The current published guide of an implementation as data."""
    impl = implementation
    return GuideData.model_validate({
        "legal_limit_workdays": impl.legal_limit_workdays,
        "promised_limit_workdays": impl.promised_limit_workdays, "limit_note": impl.limit_note,
        "case_kind": impl.case_kind, "handling_forms": impl.handling_forms, "channels": impl.channels,
        "online_depth": impl.online_depth, "trips": impl.trips, "conditions": impl.conditions,
        "process": impl.process, "fees": impl.fees,
        "materials": [{"name": m.name, "form": m.form, "copies": m.copies, "source": m.source,
                    "required": m.required, "issuer": m.issuer,
                    "government_issued": m.government_issued, "note": m.note,
                    "licence_type_code": m.licence_type_code,
                    "shared_item_code": m.shared_item_code}
                   for m in impl.materials.all()],
        "commitment_allowed": impl.commitment_allowed, "commitment_batch": impl.commitment_batch,
        "commitment_published_on": impl.commitment_published_on,
        "deemed_approval": impl.deemed_approval, "deemed_batch": impl.deemed_batch,
        "deemed_published_on": impl.deemed_published_on,
        "cross_region_scope": impl.cross_region_scope, "appointment": impl.appointment,
        "place": impl.place, "hours": impl.hours, "phone": impl.phone,
        "supervision_phone": impl.supervision_phone, "faq": impl.faq, "delegated": impl.delegated,
        "delegated_from": impl.delegated_from.short_name if impl.delegated_from else "",
        "delegation_batch": impl.delegation_batch, "delegated_on": impl.delegated_on,
        "baseline_material_count": impl.baseline_material_count,
        "approval_chain": impl.approval_chain, "commitment_text": impl.commitment_text,
        "verification_workdays": impl.verification_workdays, "form": impl.form,
        "source": impl.source, "illustrative": impl.illustrative,
    })


