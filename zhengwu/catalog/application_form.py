"""An item's own application form (申请表) as data: the definition format, nothing else.

A basic item (基本目录事项) carries a definition written from its real 申请书/登记表; an
implementation may override it in its guide (catalog.guide.GuideData), so the form is drafted,
reviewed by a second person and published with the implementation, and a case pins the
version it was filed under. This module only says what a valid definition is (pydantic, the
same for the data pack, drafts, published snapshots and the API); validating answers, the JSON
Schema, rendering and the bundle union are built on it elsewhere. The format is documented
for pack authors in docs/forms.md.

GB/T 39046-2020 Table 5 fixes the applicant fields every application carries (申请人名称、
证件号码、联系电话…): they come from the account's verified identity, so a definition holds
only what the item itself asks; `maps_to` ties a field to a shared meaning (MAPS_TO) so that a
bundle asks it once and licences and profiles can prefill it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Kind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # several lines
    NUMBER = "number"  # `decimals` places, `min`/`max`, optional `unit` (平方米、人)
    MONEY = "money"  # 元, two decimals
    DATE = "date"  # YYYY-MM-DD
    DATE_RANGE = "date_range"  # {"start": date, "end": date}, start ≤ end
    REGION = "region"  # a 12-digit 统计用区划代码 down to `region_depth`
    ID_NUMBER = "id_number"  # 公民身份号码, GB 11643
    USCC = "uscc"  # 统一社会信用代码, GB 32100
    PHONE = "phone"  # mobile or fixed line with area code
    EMAIL = "email"
    CHOICE = "choice"  # one value (or several with `multiple`) of `options` or `code_set`
    YES_NO = "yes_no"  # true / false
    GROUP = "group"  # repeated group of `fields` (股东, 从业人员), `min_items`..`max_items`
    FILE = "file"  # an attachment kept with the answers (not a guide material)


class RegionDepth(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


# The shared meanings a field may map to. A bundle's one form asks each at most once; the
# account, the enterprise and (issue 11) licences prefill them. Add here, never inline.
MAPS_TO: Final[dict[str, str]] = {
    "applicant.name": "申请人姓名/名称",
    "applicant.id_number": "申请人证件号码",
    "applicant.phone": "申请人联系电话",
    "applicant.email": "申请人电子邮箱",
    "applicant.address": "申请人联系地址",
    "applicant.postcode": "邮政编码",
    "person.sex": "性别",
    "person.ethnicity": "民族",
    "person.birth_date": "出生日期",
    "person.household_region": "户籍所在地",
    "person.household_address": "户籍地址",
    "person.residence_region": "居住地区划",
    "person.residence_address": "居住地址",
    "person.marital_status": "婚姻状况",
    "person.education": "文化程度",
    "person.employer": "工作单位",
    "enterprise.name": "企业名称",
    "enterprise.uscc": "统一社会信用代码",
    "enterprise.type": "企业类型",
    "enterprise.legal_rep_name": "法定代表人姓名",
    "enterprise.legal_rep_id_number": "法定代表人身份证号码",
    "enterprise.legal_rep_phone": "法定代表人联系电话",
    "enterprise.registered_capital": "注册资本（元）",
    "enterprise.address_region": "住所所在区划",
    "enterprise.address": "住所",
    "enterprise.business_scope": "经营范围",
    "enterprise.industry": "所属行业",
    "enterprise.established_on": "成立日期",
    "enterprise.employees": "从业人数",
    "enterprise.shareholders": "股东（发起人）",
    "enterprise.bank_account": "基本存款账户",
    "enterprise.contact_name": "联络员姓名",
    "enterprise.contact_phone": "联络员联系电话",
    "enterprise.finance_contact_name": "财务负责人姓名",
    "enterprise.finance_contact_phone": "财务负责人联系电话",
    "premises.region": "经营场所所在区划",
    "premises.address": "经营场所",
    "premises.area": "经营场所面积（平方米）",
    "premises.ownership": "经营场所产权情况",
    "project.name": "项目名称",
    "project.code": "项目代码",
    "project.region": "项目所在区划",
    "project.address": "建设地点",
    "project.land_area": "用地面积（平方米）",
    "project.floor_area": "建筑面积（平方米）",
    "project.investment": "总投资（元）",
    "property.certificate_number": "不动产权证书号",
    "property.unit_number": "不动产单元号",
    "property.address": "不动产坐落",
    "property.area": "不动产面积（平方米）",
    "child.name": "新生儿姓名",
    "child.sex": "新生儿性别",
    "child.birth_date": "出生日期（新生儿）",
    "child.birth_place": "出生地点",
    "mother.name": "母亲姓名",
    "mother.id_number": "母亲身份证号码",
    "father.name": "父亲姓名",
    "father.id_number": "父亲身份证号码",
}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=100)


class ShowsIf(BaseModel):
    """The field is asked only when another field's answer `equals` a value or is `in` a list
    (a field of the same level: top-level, or a sibling inside the same group). A hidden field
    is neither required nor kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    equals: str | bool | None = None
    in_: list[str] | None = Field(None, alias="in")

    @model_validator(mode="after")
    def one_test(self) -> ShowsIf:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("shows_if 须且只须给出 equals 或 in 之一")
        return self


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    key: str
    kind: Kind
    label: str = Field(min_length=1, max_length=60)
    help: str = Field("", max_length=300)
    required: bool = True
    shows_if: ShowsIf | None = None
    maps_to: str = ""
    # Limits by kind: text/long_text `max_length`; number/money `min`/`max` (`decimals`,
    # `unit`); date `min_date`/`max_date` as "today" or YYYY-MM-DD; group `min_items`/
    # `max_items`; file `accept` (extensions) and `max_mb`.
    max_length: int | None = Field(None, ge=1, le=4000)
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int = Field(0, ge=0, le=4)
    unit: str = Field("", max_length=10)
    min_date: str = ""
    max_date: str = ""
    options: list[Option] = Field(default_factory=list, max_length=200)
    code_set: str = ""  # the name of a code set of the pack (form_code_sets.json)
    multiple: bool = False  # choice: several values
    region_depth: RegionDepth = RegionDepth.VILLAGE
    fields: list[FieldDef] = Field(default_factory=list, max_length=40)  # group members
    min_items: int = Field(0, ge=0, le=200)
    max_items: int = Field(50, ge=1, le=200)
    accept: list[str] = Field(default_factory=list)
    max_mb: int = Field(10, ge=1, le=50)

    @field_validator("key")
    @classmethod
    def key_shape(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError(f"字段键“{value}”须为小写英文字母开头，仅含小写字母、数字和下划线")
        return value

    @field_validator("maps_to")
    @classmethod
    def known_meaning(cls, value: str) -> str:
        if value and value not in MAPS_TO:
            raise ValueError(f"maps_to“{value}”不在共享含义表中（catalog.application_form.MAPS_TO）")
        return value

    @model_validator(mode="after")
    def kind_needs(self) -> FieldDef:
        if self.kind == Kind.CHOICE and not (self.options or self.code_set):
            raise ValueError(f"选项字段“{self.label}”须给出 options 或 code_set")
        if self.kind != Kind.CHOICE and (self.options or self.code_set or self.multiple):
            raise ValueError(f"只有选项字段可以有 options、code_set、multiple（“{self.label}”）")
        if self.kind == Kind.GROUP:
            if not self.fields:
                raise ValueError(f"重复组“{self.label}”须列出组内字段")
            if self.min_items > self.max_items:
                raise ValueError(f"重复组“{self.label}”的 min_items 大于 max_items")
            _unique_keys(self.fields)
        elif self.fields:
            raise ValueError(f"只有重复组可以有 fields（“{self.label}”）")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"“{self.label}”的 min 大于 max")
        return self


class FormDefinition(BaseModel):
    """One item's application form. `source` says which real form it was written from;
    `illustrative` marks a definition not (fully) taken from a real form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=100)
    # 120 fields are plenty for one item; a bundle's union (catalog.form_union) needs more room.
    fields: list[FieldDef] = Field(min_length=1, max_length=300)
    source: str = Field("", max_length=1000)
    illustrative: bool = False

    @model_validator(mode="after")
    def consistent(self) -> FormDefinition:
        _unique_keys(self.fields)
        _conditions_refer_to_siblings(self.fields)
        return self

    def snapshot(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


CODE_SET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class CodeSet(BaseModel):
    """A code set of the pack (form_code_sets.json) that choice fields name by `code_set`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=100)
    source: str = Field("", max_length=300)
    options: list[Option] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def unique_values(self) -> CodeSet:
        values = [option.value for option in self.options]
        if len(set(values)) != len(values):
            raise ValueError(f"代码集“{self.title}”的选项值重复")
        return self


def code_sets_named(fields: list[FieldDef]) -> set[str]:
    """The code sets the fields (and their groups' fields) name."""
    named = {field.code_set for field in fields if field.code_set}
    for field in fields:
        named |= code_sets_named(field.fields)
    return named


def _unique_keys(fields: list[FieldDef]) -> None:
    seen: set[str] = set()
    for field in fields:
        if field.key in seen:
            raise ValueError(f"字段键“{field.key}”重复")
        seen.add(field.key)


def _conditions_refer_to_siblings(fields: list[FieldDef]) -> None:
    keys = {f.key for f in fields}
    for field in fields:
        if field.shows_if is not None and (field.shows_if.field not in keys
                                           or field.shows_if.field == field.key):
            raise ValueError(f"“{field.label}”的 shows_if 引用了同级不存在的字段"
                             f"“{field.shows_if.field}”")
        if field.kind == Kind.GROUP:
            _conditions_refer_to_siblings(field.fields)


def error_text(data: Any, error: ValidationError) -> str:
    """A definition's first error as its author finds it: "fields[3]（area）.max：…", with how
    many more there are (the pack loader and the guide editor say it the same way)."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f"（另有{error.error_count() - 1}处错误）" if error.error_count() > 1 else ""
    return f"{_where(data, tuple(first['loc']))}：{message}{more}"


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            key = node[step].get("key") if isinstance(node, list) and step < len(node) \
                and isinstance(node[step], dict) else None
            index = f"[{step}]" + (f"（{key}）" if isinstance(key, str) else "")
            if parts:
                parts[-1] += index
            else:
                parts.append(index)
        else:
            parts.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "（整个定义）"
