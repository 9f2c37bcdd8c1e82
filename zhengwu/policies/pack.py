"""Loading a pack's policies/ folder (docs/pack-format.md): policy documents with their 解读
and benefits (rule versions typed as staff type them, rules.conditions_parse), and departments'
fact files (fact_files), all illustrative in the Leiyang pack.

Loading twice changes nothing: documents and benefits are created when their 文号 / code is
new (after that they belong to the departments, who add versions on the platform), and a fact
file whose SHA-256 was imported before is not imported again. A bad file refuses the whole
pack load (the loader's transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.services import catalog_generation_bump
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput
from zhengwu.departments.models import Department
from zhengwu.policies.eligibility import RuleError, subject_check
from zhengwu.policies.fact_files import fact_file_import
from zhengwu.policies.models import (
    Benefit,
    BenefitKind,
    BenefitMode,
    BenefitRule,
    FactBatch,
    Interpretation,
    PolicyDocument,
    SubjectKind,
)
from zhengwu.policies.rules import benefit_of, conditions_parse, version_of


class PoliciesPackError(InvalidInput):
    code = "packs.invalid"


def _day(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PoliciesPackError(f"{where}：日期“{value}”应写作 2026-01-31") from None


def _department(name: str, where: str) -> Department:
    found = Department.objects.filter(short_name=name).first()
    if found is None:
        raise PoliciesPackError(f"{where}：部门“{name}”不在 departments.csv 中")
    return found


def _benefit(document: PolicyDocument, entry: dict[str, Any], where: str, actor: Actor,
             illustrative: bool) -> int:
    code = str(entry.get("code", "")).strip().upper()
    if not code:
        raise PoliciesPackError(f"{where}：事项缺少 code")
    if Benefit.objects.filter(code=code).exists():
        return 0
    subject_kind = entry.get("subject", SubjectKind.ENTERPRISE)
    if entry.get("kind") not in BenefitKind.values or entry.get(
            "mode", BenefitMode.NO_APPLICATION) not in BenefitMode.values \
            or subject_kind not in SubjectKind.values:
        raise PoliciesPackError(f"{where} {code}：kind、mode 或 subject 不是可用的值")
    implementation = None
    if entry.get("item"):
        department = _department(entry["department"], where)
        implementation = ItemImplementation.objects.filter(
            item__name=entry["item"], department=department).order_by("level", "pk").first()
        if implementation is None:
            raise PoliciesPackError(f"{where} {code}：{department.short_name}没有事项“{entry['item']}”")
    benefit = Benefit.objects.create(
        implementation=implementation,
        code=code, name=entry["name"], kind=entry["kind"],
        mode=entry.get("mode", BenefitMode.NO_APPLICATION), document=document,
        subject_kind=subject_kind,
        department=_department(entry["department"], where),
        description=entry.get("description", ""), published=True)
    versions = []
    for number, rule in enumerate(entry.get("rules", []), start=1):
        try:
            conditions = conditions_parse(rule["conditions"])
            start = _day(rule["effective_from"], where)
            assert start is not None
            version = version_of(version=number, effective_from=start,
                                 effective_to=_day(rule.get("effective_to"), where),
                                 conditions=conditions, amount=rule.get("amount", ""),
                                 max_fact_age_days=rule.get("max_fact_age_days"))
            subject_check(version, subject_kind)
        except (RuleError, KeyError, AssertionError) as error:
            raise PoliciesPackError(f"{where} {code} 第{number}版条件：{error}") from None
        versions.append(version)
        BenefitRule.objects.create(
            benefit=benefit, version=number, effective_from=version.effective_from,
            effective_to=version.effective_to, conditions=conditions, amount=version.amount,
            max_fact_age_days=version.max_fact_age_days, created_at=clock.now())
    try:
        benefit_of(code, benefit.name, versions)
    except RuleError as error:
        raise PoliciesPackError(f"{where} {code}：{error}") from None
    audit_record(actor=actor, action="policies.benefit_publish", obj=benefit,
                 after={"code": code, "rule_versions": len(versions), "pack": True,
                        "illustrative": illustrative})
    return 1


def policies_load(pack: Path, *, actor: Actor) -> tuple[int, int, int]:
    """(documents created, benefits created, fact files imported); inside the loader's
    transaction."""
    path = pack / "policies" / "policies.json"
    if not path.exists():
        return 0, 0, 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PoliciesPackError(f"policies/policies.json 不是有效的 JSON：{error}") from None
    illustrative = "示例" in str(data.get("note", ""))
    documents = benefits = files = 0
    for n, entry in enumerate(data.get("documents", []), start=1):
        where = f"policies/policies.json 第{n}个文件"
        number = str(entry.get("doc_number", "")).strip()
        if not number or not entry.get("title") or not entry.get("full_text"):
            raise PoliciesPackError(f"{where}：doc_number、title、full_text 必填")
        document = PolicyDocument.objects.filter(doc_number=number).first()
        if document is None:
            issued, effective = _day(entry.get("issued_on"), where), _day(
                entry.get("effective_on"), where)
            if issued is None or effective is None:
                raise PoliciesPackError(f"{where}：issued_on、effective_on 必填")
            document = PolicyDocument.objects.create(
                doc_number=number, title=entry["title"], issuer=entry.get("issuer", ""),
                department=_department(entry["department"], where)
                if entry.get("department") else None,
                issued_on=issued, effective_on=effective,
                expires_on=_day(entry.get("expires_on"), where), full_text=entry["full_text"],
                illustrative=illustrative)
            for item in entry.get("interpretations", []):
                published = _day(item.get("published_on"), where) or issued
                Interpretation.objects.create(document=document, title=item["title"],
                                              body=item["body"],
                                              questions=item.get("questions", []),
                                              published_on=published)
            audit_record(actor=actor, action="policies.document_create", obj=document,
                         after={"doc_number": number, "pack": True})
            documents += 1
        for entry_benefit in entry.get("benefits", []):
            benefits += _benefit(document, entry_benefit, where, actor, illustrative)
    for n, entry in enumerate(data.get("fact_files", []), start=1):
        where = f"policies/policies.json fact_files 第{n}项"
        file = pack / "policies" / str(entry.get("file", ""))
        if not entry.get("file") or not file.is_file():
            raise PoliciesPackError(f"{where}：找不到文件 {entry.get('file', '')}")
        content = file.read_bytes()
        if FactBatch.objects.filter(sha256=hashlib.sha256(content).hexdigest()).exists():
            continue
        try:
            fact_file_import(actor=actor, user=None,
                             department=_department(entry["department"], where),
                             source=entry.get("source", ""), file_name=file.name,
                             content=content, illustrative=illustrative)
        except InvalidInput as error:
            raise PoliciesPackError(f"{where}（{file.name}）：{error.message}") from None
        files += 1
    if documents or benefits:
        catalog_generation_bump()  # the library is in search (search_source)
    return documents, benefits, files
