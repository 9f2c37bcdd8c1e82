"""Catalogue rows: reading a catalogue file (xlsx / csv / json) into validated rows.

One row = one implementation with its basic item's elements, so a spreadsheet exported by the
platform can be edited and imported again. Headers may be English keys or Chinese labels.
Every problem is reported with its row number and a reason in Chinese; nothing is written here.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zhengwu.catalog.codes import (
    CatalogCodeError,
    validate_basic_code,
    validate_implementation_code,
)
from zhengwu.catalog.guide import FaqData, FeeData, GuideData, MaterialData, substitutes_split
from zhengwu.catalog.models import Audience, ItemType, Level, MaterialSource
from zhengwu.core import input_errors

# (key, Chinese header) in export order. Multi-valued cells use ";".
COLUMNS: list[tuple[str, str]] = [
    ("basic_code", "基本编码"), ("name", "事项名称"), ("item_type", "事项类型"),
    ("audience", "服务对象"), ("themes", "主题"), ("legal_basis", "设定依据"),
    ("item_legal_limit_workdays", "法定办结时限(工作日)"), ("legal_limit_note", "法定时限说明"),
    ("item_conditions", "基本受理条件"), ("result_name", "结果名称"), ("result_type", "结果类型"),
    ("is_intermediary", "中介服务事项"), ("keywords", "检索关键词"),
    ("plan_steps_limit", "规定环节上限"), ("plan_materials_limit", "规定材料上限"),
    ("code", "实施编码"), ("department", "实施主体"), ("region_code", "行政区划代码"),
    ("level", "行使层级"),
    ("legal_limit_workdays", "本级法定时限(工作日)"),
    ("promised_limit_workdays", "承诺办结时限(工作日)"), ("limit_note", "时限说明"),
    ("case_kind", "办件类型"), ("handling_forms", "办理形式"), ("channels", "办理渠道"),
    ("online_depth", "网上办理深度"), ("trips", "到办事现场次数"), ("conditions", "受理条件"),
    ("process", "办理流程"), ("fees", "收费(名称|标准|依据)"),
    ("materials", "申请材料(名称|来源|形式|份数|必要|出具单位|政府核发|说明)"),
    ("commitment_allowed", "告知承诺"), ("commitment_batch", "告知承诺批次"),
    ("commitment_published_on", "告知承诺公布日期"), ("deemed_approval", "超时默认"),
    ("deemed_batch", "超时默认批次"), ("deemed_published_on", "超时默认公布日期"),
    ("cross_region_scope", "通办范围"), ("appointment", "支持预约"), ("place", "办理地点"),
    ("hours", "办理时间"), ("phone", "咨询电话"), ("supervision_phone", "监督电话"),
    ("faq", "常见问题(问|答)"), ("delegated", "放权赋权"), ("delegated_from", "赋权部门"),
    ("delegation_batch", "赋权批次"), ("delegated_on", "赋权日期"),
    ("baseline_material_count", "基准材料数"), ("approval_chain", "审批环节"),
    ("commitment_text", "告知承诺书"), ("verification_workdays", "事后核查期限(工作日)"),
    ("source", "来源"), ("illustrative", "示例数据"),
]
HEADER_TO_KEY = {label: key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}
LABEL = dict(COLUMNS)
REQUIRED = ("name", "item_type", "department", "region_code", "level",
            "promised_limit_workdays", "online_depth", "trips")
MAX_ROWS = 500_000
MAX_CELL = 10_000
MAX_PLAN_LIMIT = 99

TRUE = {"yes", "y", "true", "1", "是", "√", "✓"}
FALSE = {"no", "n", "false", "0", "否", ""}
ITEM_TYPE_BY_LABEL = {label: code for code, label in ItemType.choices} | {
    "其他类别事项": "10", "公共服务事项": "20", "其他行政权力": "10"}
AUDIENCE_BY_LABEL = {label: code for code, label in Audience.choices} | {
    "个人": "1", "法人": "2", "企业": "2"}
SOURCE_BY_LABEL = {label: code for code, label in MaterialSource.choices}


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based data row number as people see it in the file (header = row 1)
    column: str
    message: str

    def as_text(self) -> str:
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


class ItemData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basic_code: str = ""
    name: str = Field(min_length=2, max_length=200)
    item_type: ItemType
    audience: list[Audience] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    legal_basis: str = Field("", max_length=4000)
    legal_limit_workdays: Decimal | None = Field(None, ge=0, le=999)
    legal_limit_note: str = Field("", max_length=200)
    conditions: str = Field("", max_length=4000)
    result_name: str = Field("", max_length=200)
    result_type: str = Field("", max_length=20)
    is_intermediary: bool = False
    keywords: str = Field("", max_length=300)
    plan_steps_limit: int | None = Field(None, ge=1, le=MAX_PLAN_LIMIT)
    plan_materials_limit: int | None = Field(None, ge=1, le=MAX_PLAN_LIMIT)
    source: str = Field("", max_length=2000)
    illustrative: bool = False

    @field_validator("basic_code")
    @classmethod
    def basic_code_valid(cls, value: str) -> str:
        return validate_basic_code(value) if value else ""


@dataclass
class CatalogRow:
    row: int
    item: ItemData
    department: str
    region_code: str
    level: int
    code: str
    guide: GuideData
    problems: list[Problem] = field(default_factory=list)


def read_table(file_name: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a .csv, .xlsx or .json file as dicts keyed by column key."""
    lower = file_name.lower()
    if lower.endswith(".csv"):
        raw = _read_csv(content)
    elif lower.endswith(".xlsx"):
        raw = _read_xlsx(content)
    elif lower.endswith(".json"):
        raw = _read_json(content)
    else:
        raise RowError("", "文件类型不支持：请上传 .xlsx、.csv 或 .json 文件")
    if len(raw) > MAX_ROWS:
        raise RowError("", f"文件行数过多（{len(raw)}），单次最多导入 {MAX_ROWS} 行")
    rows = []
    for record in raw:
        unknown = [k for k in record if k not in HEADER_TO_KEY and k not in ("", None)]
        if unknown:
            raise RowError("", "无法识别的列：" + "、".join(map(str, unknown[:5])))
        rows.append({HEADER_TO_KEY[k]: v for k, v in record.items() if k in HEADER_TO_KEY})
    if not rows:
        raise RowError("", "文件中没有数据行")
    return rows


def _read_csv(content: bytes) -> list[dict[str, Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RowError("", "文件编码无法识别：请使用 UTF-8 或 GB18030 编码的 CSV")
    if "\x00" in text:
        raise RowError("", "CSV 文件包含非法字符（二进制内容）")
    try:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise RowError("", "CSV 文件没有表头")
        return [dict(r) for r in reader]
    except csv.Error as error:
        raise RowError("", f"CSV 格式错误：{error}") from error


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise RowError("", "不是有效的 xlsx 文件") from error
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = next(values, None)
    if not header:
        raise RowError("", "工作表没有表头")
    names = ["" if h is None else str(h).strip() for h in header]
    rows = []
    for record in values:
        if record is None or all(v in (None, "") for v in record):
            continue
        rows.append({names[i]: ("" if v is None else v) for i, v in enumerate(record)
                     if i < len(names)})
    workbook.close()
    return rows


def _read_json(content: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RowError("", f"JSON 格式错误：{error}") from error
    if isinstance(data, dict):
        data = data.get("rows", data.get("items"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise RowError("", "JSON 应为对象数组，或 {\"rows\": [...]} ")
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CELL:
        raise ValueError(f"内容过长（{len(text)} 字），单元格最多 {MAX_CELL} 字")
    return text


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [p.strip() for p in _text(value).replace("；", ";").split(";") if p.strip()]


def _entries(value: Any) -> list[str]:
    """Entries of a structured cell: one per line; `;` separates them only in a one-line cell.
    Free text (FAQ answers, fee standards) may itself contain semicolons."""
    text = _text(value)
    if "\n" in text:
        return [line.strip() for line in text.splitlines() if line.strip()]
    return [p.strip() for p in text.split(";") if p.strip()]


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"应为“是”或“否”，实为“{text}”")


def _decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"应为数字（工作日），实为“{text}”") from error
    if not number.is_finite():
        raise ValueError(f"应为数字（工作日），实为“{text}”")
    return number


def _int(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"应为整数，实为“{number}”")
    return int(number)


def plan_limit(value: Any) -> int | None:
    """A plan's cap on steps or materials: empty = no cap, else a whole number from 1."""
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal(0)
    if not (number.is_finite() and number == number.to_integral_value()
            and 1 <= number <= MAX_PLAN_LIMIT):
        raise ValueError(f"应为 1–{MAX_PLAN_LIMIT} 的正整数，实为“{text}”；留空表示不设上限")
    return int(number)


def _materials(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [dict(m) for m in value]
    materials = []
    for part in _entries(value):
        bits = [b.strip() for b in part.split("|")]
        bits += [""] * (8 - len(bits))
        source = SOURCE_BY_LABEL.get(bits[1], bits[1] or MaterialSource.APPLICANT)
        rest, codes = substitutes_split(bits[7:])
        materials.append({
            "name": bits[0], "source": source, "form": bits[2],
            "copies": _int(bits[3]) if bits[3] else 1,
            "required": _bool(bits[4]) if bits[4] else True,
            "issuer": bits[5], "government_issued": _bool(bits[6]) if bits[6] else False,
            "note": "|".join(rest).strip("|"), **codes,
        })
    return materials


def _fees(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [dict(f) for f in value]
    fees = []
    for part in _entries(value):
        bits = [b.strip() for b in part.split("|")] + ["", ""]
        fees.append({"name": bits[0], "standard": bits[1], "basis": bits[2]})
    return fees


def _faq(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [dict(f) for f in value]
    pairs = []
    for part in _entries(value):
        question, _, answer = part.partition("|")
        pairs.append({"question": question.strip(), "answer": answer.strip()})
    return pairs


def _item_type(value: Any) -> str:
    text = _text(value)
    code = ITEM_TYPE_BY_LABEL.get(text, text.zfill(2) if text.isdigit() else text)
    if code not in ItemType.values:
        raise ValueError(f"事项类型“{text}”不在 GB/T 39046 代码集中（01–10、20）")
    return code


def _audience(value: Any) -> list[str]:
    codes = []
    for part in _split(value):
        code = AUDIENCE_BY_LABEL.get(part, part)
        if code not in Audience.values:
            raise ValueError(f"服务对象“{part}”不在 GB/T 39046 A.4 代码集中（1–6）")
        codes.append(code)
    return codes


def _level(value: Any) -> int:
    number = _int(value)
    if number is None or number not in Level.values:
        raise ValueError(f"行使层级应为 1–7（GB/T 39046 A.2），实为“{_text(value)}”")
    return number


def _date(value: Any) -> str | None:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    text = _text(value)
    return text or None


def _pydantic_problems(row: int, error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = [str(p) for p in item["loc"]]
        key = loc[0] if loc else ""
        column = LABEL.get(prefix + key, LABEL.get(key, key))
        detail = input_errors.reason(item)
        if len(loc) > 1:
            detail = f"第{int(loc[1]) + 1}项 {'.'.join(loc[2:])}：{detail}" if loc[1].isdigit() \
                else detail
        problems.append(Problem(row, column, detail))
    return problems


def parse_row(row: int, raw: dict[str, Any]) -> CatalogRow | list[Problem]:
    """Turn one raw record into a CatalogRow, or every problem found in it."""
    problems: list[Problem] = []
    for key in REQUIRED:
        if raw.get(key) in (None, "") :
            problems.append(Problem(row, LABEL[key], "必填"))
    if problems:
        return problems

    def take(key: str, convert: Any) -> Any:
        try:
            return convert(raw.get(key))
        except ValueError as error:
            problems.append(Problem(row, LABEL[key], str(error)))
            return None

    item_values = {
        "basic_code": take("basic_code", _text), "name": take("name", _text),
        "item_type": take("item_type", _item_type), "audience": take("audience", _audience),
        "themes": take("themes", _split), "legal_basis": take("legal_basis", _text),
        "legal_limit_workdays": take("item_legal_limit_workdays", _decimal),
        "legal_limit_note": take("legal_limit_note", _text),
        "conditions": take("item_conditions", _text), "result_name": take("result_name", _text),
        "result_type": take("result_type", _text),
        "is_intermediary": take("is_intermediary", _bool), "keywords": take("keywords", _text),
        "plan_steps_limit": take("plan_steps_limit", plan_limit),
        "plan_materials_limit": take("plan_materials_limit", plan_limit),
        "source": take("source", _text), "illustrative": take("illustrative", _bool),
    }
    guide_values = {
        "legal_limit_workdays": take("legal_limit_workdays", _decimal),
        "promised_limit_workdays": take("promised_limit_workdays", _decimal),
        "limit_note": take("limit_note", _text), "case_kind": take("case_kind", _text) or "2",
        "handling_forms": take("handling_forms", _split), "channels": take("channels", _split),
        "online_depth": take("online_depth", _int), "trips": take("trips", _int),
        "conditions": take("conditions", _text), "process": take("process", _text),
        "fees": take("fees", _fees), "materials": take("materials", _materials),
        "commitment_allowed": take("commitment_allowed", _bool),
        "commitment_batch": take("commitment_batch", _text),
        "commitment_published_on": take("commitment_published_on", _date),
        "deemed_approval": take("deemed_approval", _bool),
        "deemed_batch": take("deemed_batch", _text),
        "deemed_published_on": take("deemed_published_on", _date),
        "cross_region_scope": take("cross_region_scope", _text),
        "appointment": take("appointment", _bool), "place": take("place", _text),
        "hours": take("hours", _text), "phone": take("phone", _text),
        "supervision_phone": take("supervision_phone", _text), "faq": take("faq", _faq),
        "delegated": take("delegated", _bool), "delegated_from": take("delegated_from", _text),
        "delegation_batch": take("delegation_batch", _text),
        "delegated_on": take("delegated_on", _date),
        "baseline_material_count": take("baseline_material_count", _int),
        "approval_chain": take("approval_chain", _split) or None,
        "commitment_text": take("commitment_text", _text),
        "verification_workdays": take("verification_workdays", _int),
        "source": take("source", _text), "illustrative": take("illustrative", _bool),
    }
    # Empty optional cells take the schema's defaults (the usual 承办 → 审核 → 批准 chain).
    for key in ("approval_chain", "verification_workdays"):
        if guide_values[key] is None:
            del guide_values[key]
    department = take("department", _text)
    region_code = take("region_code", _text)
    level = take("level", _level)
    code = take("code", _text)
    if problems:
        return problems
    if guide_values["legal_limit_workdays"] is None:
        guide_values["legal_limit_workdays"] = item_values["legal_limit_workdays"]
    if not guide_values["conditions"]:
        guide_values["conditions"] = item_values["conditions"]
    try:
        item = ItemData(**item_values)
    except ValidationError as error:
        problems += _pydantic_problems(row, error)
    except CatalogCodeError as error:
        problems.append(Problem(row, LABEL["basic_code"], str(error)))
    try:
        guide = GuideData(**guide_values)
    except ValidationError as error:
        problems += _pydantic_problems(row, error)
    if code:
        try:
            code = validate_implementation_code(code)
        except (CatalogCodeError, ValueError) as error:
            problems.append(Problem(row, LABEL["code"], str(error)))
    if not (region_code.isdigit() and len(region_code) == 12):
        problems.append(Problem(row, LABEL["region_code"], f"应为12位统计用区划代码，实为“{region_code}”"))
    if problems:
        return problems
    return CatalogRow(row=row, item=item, department=department, region_code=region_code,
                      level=level, code=code, guide=guide)


__all__ = ["COLUMNS", "CatalogRow", "FaqData", "FeeData", "MaterialData", "Problem", "RowError",
           "parse_row", "plan_limit", "read_table"]
