"""Departments' data files of enterprise or person facts (issue 14 §1: "imported data files
from departments (tax, social insurance), each fact with its source and date").

A file is CSV (UTF-8, a BOM allowed): the columns 统一社会信用代码, 名称, 截至日期 (a file of
enterprises) or 公民身份号码, 姓名, 截至日期 (a file of persons: 人才认定, 社保参保 …), then one
column per fact said of that kind, headed by its key or its label (eligibility.FACT_SPECS:
`revenue_last_year` or 上年度营收; `education` or 学历). ID numbers are checked as GB 11643
has them (the check character too), USCCs as GB 32100. An empty cell records nothing (the fact stays missing, never zero). Numbers are
plain decimals in the fact's unit; dates ISO (2026-01-31); yes/no as 是/否; 企业规模 as 大型/中型/
小型/微型 or its code. The whole file is taken or nothing is: every refused cell is named by
row and column at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.codes import CodeError, validate_citizen_id, validate_uscc
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.policies.eligibility import ENTERPRISE, FACT_SPECS, PERSON, SUBJECT_LABELS
from zhengwu.policies.models import FactBatch, FactRecord

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_PROBLEMS = 20  # named in the refusal; the rest counted
# The fixed columns of each kind of file; the first names the kind.
FIXED = {ENTERPRISE: ("统一社会信用代码", "名称", "截至日期"),
         PERSON: ("公民身份号码", "姓名", "截至日期")}
CHECK: dict[str, Callable[[str], str]] = {ENTERPRISE: validate_uscc,
                                          PERSON: validate_citizen_id}
YES, NO = frozenset({"是", "true", "1", "yes"}), frozenset({"否", "false", "0", "no"})


@dataclass(frozen=True)
class Parsed:
    rows: list[tuple[str, str, dt.date, dict[str, Any]]]
    keys: list[str]
    kind: str = ENTERPRISE


def _key_of(header: str) -> str | None:
    header = header.strip()
    if header in FACT_SPECS:
        return header
    for key, spec in FACT_SPECS.items():
        if header in (spec.label, f"{spec.label}（{spec.unit}）", f"{spec.label}({spec.unit})"):
            return key
    return None


def _cell(key: str, text: str) -> Any:
    """The stored value of one cell; ValueError with the reason."""
    spec = FACT_SPECS[key]
    if spec.kind == "number":
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError("不是数字") from None
        if not value.is_finite():
            raise ValueError("不是数字")
        return str(value)
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("不是日期（如 2026-01-31）") from None
    if spec.kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError("应填“是”或“否”")
    if spec.names:
        for code, words in spec.names.items():
            if text in (code, words):
                return code
        raise ValueError("应为" + "、".join(spec.names.values()) + "之一")
    return text


def fact_file_parse(content: bytes) -> Parsed:
    """The file's rows, or InvalidInput naming every problem (nothing is stored)."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("文件超过 5 MB，请分批导入。", code="policies.file_too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件不是 UTF-8 编码的 CSV，请另存为“CSV UTF-8”后再导入。",
                           code="policies.file_encoding") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    fixed = [h.strip() for h in header[:3]] if header is not None else []
    kind = next((k for k, names in FIXED.items() if fixed == list(names)), None)
    if header is None or kind is None:
        raise InvalidInput("第1行应以“统一社会信用代码,名称,截至日期”（企业）或“公民身份号码,姓名,"
                           "截至日期”（个人）开头，其后每列一项信息。",
                           code="policies.file_header")
    noun = SUBJECT_LABELS[kind]
    keys: list[str] = []
    problems: list[str] = []
    for column, name in enumerate(header[3:], start=4):
        key = _key_of(name)
        if key is None:
            problems.append(f"第1行第{column}列：未知的信息项“{name.strip()}”")
        elif kind not in FACT_SPECS[key].subjects:
            problems.append(f"第1行第{column}列：“{name.strip()}”不是{noun}的信息")
            key = None
        elif FACT_SPECS[key].kind == "set":
            problems.append(f"第1行第{column}列：“{name.strip()}”来自本平台的电子证照，不能导入")
            key = None
        elif key in keys:
            problems.append(f"第1行第{column}列：“{name.strip()}”重复")
        keys.append(key or "")
    if not keys:
        problems.append(f"第1行：没有{noun}信息列")
    rows: list[tuple[str, str, dt.date, dict[str, Any]]] = []
    seen: set[tuple[str, dt.date]] = set()
    seen_rows: dict[tuple[str, dt.date], int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(f"超过 {MAX_ROWS} 行，请分批导入")
            break
        cells = [cell.strip() for cell in row] + [""] * (3 + len(keys) - len(row))
        if len(row) > 3 + len(keys):
            problems.append(f"第{number}行：列数多于表头")
            continue
        try:
            code = CHECK[kind](cells[0])
        except CodeError as error:
            problems.append(f"第{number}行：{error}")
            continue
        if not cells[1]:
            problems.append(f"第{number}行：缺少{FIXED[kind][1]}")
        try:
            as_of = dt.date.fromisoformat(cells[2])
        except ValueError:
            problems.append(f"第{number}行：截至日期“{cells[2]}”不是日期（如 2026-01-31）")
            continue
        if as_of > clock.today():
            problems.append(f"第{number}行：截至日期晚于今天")
            continue
        if (code, as_of) in seen:
            # A person is named by the row, never by the ID number (the message is shown).
            who = code if kind == ENTERPRISE else f"与第{seen_rows[(code, as_of)]}行同一人"
            problems.append(f"第{number}行：{who} 截至 {as_of} 的数据重复")
            continue
        seen.add((code, as_of))
        seen_rows[(code, as_of)] = number
        values: dict[str, Any] = {}
        for key, text in zip(keys, cells[3:3 + len(keys)], strict=True):
            if not key or not text:
                continue
            try:
                values[key] = _cell(key, text)
            except ValueError as error:
                problems.append(f"第{number}行“{FACT_SPECS[key].label}”：“{text}”{error}")
        rows.append((code, cells[1][:120], as_of, values))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise InvalidInput("文件未导入（未保存任何数据），请改正后重新导入：" + "；".join(shown)
                           + (f"；另有 {more} 处问题" if more else "") + "。",
                           code="policies.file_invalid")
    if not rows:
        raise InvalidInput("文件中没有数据行。", code="policies.file_empty")
    return Parsed(rows, keys, kind)


@transaction.atomic
def fact_file_import(*, actor: Actor, user: User | None, department: Department | None,
                     source: str, file_name: str, content: bytes,
                     illustrative: bool = False) -> FactBatch:
    """Store a department's file whole (one batch, one audit row) or refuse it whole."""
    source = source.strip()
    if not source:
        raise InvalidInput("请填写数据来源（如“市税务局 2025年度纳税数据”）。",
                           code="policies.source_required")
    parsed = fact_file_parse(content)
    batch = FactBatch.objects.create(
        department=department, source=source[:120], file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(), rows=len(parsed.rows), imported_by=user,
        subject_kind=parsed.kind,
        imported_at=clock.now(), illustrative=illustrative)
    FactRecord.objects.bulk_create(
        FactRecord(subject_kind=parsed.kind, subject=code, subject_name=name, key=key,
                   value=value, as_of=as_of, batch=batch)
        for code, name, as_of, values in parsed.rows for key, value in values.items())
    audit_record(actor=actor, action="policies.fact_file_import", obj=batch,
                 after={"source": batch.source, "rows": batch.rows, "sha256": batch.sha256,
               "subject_kind": parsed.kind,
                        "keys": [k for k in parsed.keys if k]})
    return batch
