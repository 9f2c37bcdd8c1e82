"""事项要素质检: element checks on an implementation's guide, each with a plain reason. Pure.

The rules come from the plan's 四减 measure [5] and the 办事指南 standardization measure [10]:
no catch-all materials, no government-issued documents demanded from applicants, no fee
without a basis, promised limits within the legal ones, and 全程网办 meaning zero trips.
Where the plan caps an item's approval steps or materials (utility hook-ups, measure [17]:
low-voltage power ≤ 3 steps, high-voltage ≤ 4, water and gas ≤ 3 steps and ≤ 2 materials),
the basic item carries the cap and the guide is checked against it.

The application form in force (the guide's own, else the item's; catalog.application_form)
is checked too (issue 10):
- form_duplicates_material: the form asks for what the materials already cover. Heuristic: a
  file field always (an attachment is a material: it belongs in the guide's list, where 减材料
  and electronic licences apply; named with the material it resembles, if one's name holds
  its label or the other way round), and any other field whose label equals a material's
  name, both stripped of spaces, brackets and a trailing 复印件/原件/扫描件 ("营业执照复印件"
  and "《营业执照》复印件"). A label only contained in a material's name is a fact the
  material proves ("婚姻状况" and "婚姻状况证明"), not the same thing asked twice. Also a
  material that is the form itself (its name is the form's title, 《》 and 复印件 aside): the
  applicant has filled it in online, so the guide should have the system produce it rather
  than ask for it again as an upload;
- form_field_unclear: a field without help whose label alone does not say what to write: a
  label of one character, a generic word (名称、地址、日期、类型、备注、其他、说明、
  情况、内容、信息、编号、号码、数量、金额), or a label shared by two fields of one level;
- form_illustrative: the definition is marked illustrative (not fully taken from the real form);
- form_code_set_missing: a choice field names a code set the deployment does not have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind
from zhengwu.core import numbers

CATCH_ALL = re.compile(r"(其他|其它|有关|相关)(的)?(相关)?(材料|资料|证明|文件)|等(相关)?材料$|其他.*所需")


@dataclass(frozen=True)
class MaterialFacts:
    name: str
    source: str
    government_issued: bool
    required: bool = True


@dataclass(frozen=True)
class GuideFacts:
    legal_basis: str
    legal_limit: Decimal | None
    promised_limit: Decimal
    online_depth: int
    trips: int
    materials: tuple[MaterialFacts, ...]
    fees: tuple[tuple[str, str], ...]  # (name, basis)
    # 审批环节 in order (ItemImplementation.approval_chain) and the plan's caps, if any.
    approval_chain: tuple[str, ...] = ()
    steps_limit: int | None = None
    materials_limit: int | None = None
    # The application form in force, and the code sets the deployment has (None = unknown).
    form: FormDefinition | None = None
    code_sets: frozenset[str] | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    reason: str


RULES = {
    "promised_over_legal": "承诺时限超过法定时限",
    "missing_legal_basis": "缺少设定依据",
    "catch_all_material": "兜底性材料",
    "government_issued_material": "要求提交政府核发材料",
    "fee_without_basis": "收费无依据",
    "full_online_with_trips": "全程网办仍需跑动",
    "over_plan_steps": "环节数超过规定上限",
    "over_plan_materials": "申请材料超过规定上限",
    "form_duplicates_material": "申请表重复索要申请材料",
    "form_field_unclear": "申请表字段含义不明",
    "form_illustrative": "申请表为示例定义",
    "form_code_set_missing": "申请表代码集缺失",
}

GENERIC_LABELS = frozenset({"名称", "地址", "日期", "时间", "类型", "备注", "其他", "其它", "说明",
                            "情况", "内容", "信息", "编号", "号码", "数量", "金额"})
MATCH_MIN = 4  # characters a file field's label needs before containment counts
_NOISE = re.compile(r"[\s《》〈〉（）()【】\[\]“”\"'、，,。.:：;；/]")
_COPY = re.compile(r"(复印件|原件|扫描件|影印件)+$")

PLAN_MEASURE = "耒阳市 2021 方案措施[17]"


def _days(value: Decimal) -> str:
    return numbers.plain(value)


def check(facts: GuideFacts) -> list[Finding]:
    findings: list[Finding] = []
    if facts.legal_limit is not None and facts.promised_limit > facts.legal_limit:
        findings.append(Finding("promised_over_legal",
                                f"承诺办结时限 {_days(facts.promised_limit)} 个工作日，超过法定时限 "
                                f"{_days(facts.legal_limit)} 个工作日；承诺时限不得长于法定时限。"))
    if not facts.legal_basis.strip():
        findings.append(Finding("missing_legal_basis", "未填写设定依据：每个事项都必须有法律、法规或规章依据。"))
    for material in facts.materials:
        if material.source == "not_required":
            continue
        if CATCH_ALL.search(material.name):
            findings.append(Finding("catch_all_material",
                                    f"申请材料“{material.name}”是兜底性表述：材料必须逐项列明，"
                                    "不得要求“其他相关材料”。"))
        if material.government_issued and material.source == "applicant":
            findings.append(Finding("government_issued_material",
                                    f"申请材料“{material.name}”由政府部门核发，应通过电子证照或数据共享获取，"
                                    "不应要求申请人提交。"))
    for name, basis in facts.fees:
        if not basis.strip():
            findings.append(Finding("fee_without_basis", f"收费项目“{name}”未写明收费依据：无依据不得收费。"))
    if facts.online_depth >= 4 and facts.trips > 0:
        findings.append(Finding("full_online_with_trips",
                                f"网上办理深度为全程网办（Ⅳ级），但到办事现场次数为 {facts.trips} 次；"
                                "全程网办应为零跑动。"))
    findings += _plan_limits(facts)
    if facts.form is not None:
        findings += _form(facts)
    return findings


def _plain(text: str) -> str:
    return _NOISE.sub("", text)


def _document(text: str) -> str:
    """A material's or a field's name without its noise and its 复印件/原件."""
    return _COPY.sub("", _plain(text)) or _plain(text)


def _form(facts: GuideFacts) -> list[Finding]:
    form = facts.form
    assert form is not None
    findings: list[Finding] = []
    materials = [(m.name, _document(m.name)) for m in facts.materials
                 if m.source != "not_required"]
    title = _document(form.title)
    for name, key in materials:
        if title and key == title:
            findings.append(Finding("form_duplicates_material",
                                    f"申请材料“{name}”就是本事项的申请表：申请人已在线填写，"
                                    "应由系统按填写内容生成，不再要求另行上传。"))
    for label, field in _walk(form.fields, ""):
        plain = _document(field.label)
        match = next((name for name, key in materials
                      if plain == key or (field.kind == Kind.FILE and min(len(plain), len(key))
                                          >= MATCH_MIN and (plain in key or key in plain))),
                     None)
        if field.kind == Kind.FILE:
            also = f"，与申请材料“{match}”重复" if match else ""
            findings.append(Finding("form_duplicates_material",
                                    f"申请表字段“{label}”要求上传附件{also}：附件应列为申请材料"
                                    "（便于减材料、电子证照免提交），不在申请表中另行索要。"))
        elif match:
            findings.append(Finding("form_duplicates_material",
                                    f"申请表字段“{label}”与申请材料“{match}”重复："
                                    "材料已提供的内容不应在申请表中再填一遍。"))
    for label, reason in _unclear(form.fields, ""):
        findings.append(Finding("form_field_unclear",
                                f"申请表字段“{label}”{reason}，且没有填写说明：请补充 help，"
                                "或改用能说清填什么的名称。"))
    if form.illustrative:
        findings.append(Finding("form_illustrative",
                                f"申请表“{form.title}”标为示例定义，未完全依据真实申请书："
                                "请按部门的正式申请表核对后去掉示例标记。"))
    if facts.code_sets is not None:
        for label, field in _walk(form.fields, ""):
            if field.code_set and field.code_set not in facts.code_sets:
                findings.append(Finding("form_code_set_missing",
                                        f"申请表字段“{label}”引用的代码集“{field.code_set}”不存在，"
                                        "申请人无从选择。"))
    return findings


def _walk(fields: Sequence[FieldDef], prefix: str) -> list[tuple[str, FieldDef]]:
    out: list[tuple[str, FieldDef]] = []
    for field in fields:
        label = f"{prefix}{field.label}"
        out.append((label, field))
        out += _walk(field.fields, f"{label}·")
    return out


def _unclear(fields: Sequence[FieldDef], prefix: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    labels = [field.label.strip() for field in fields]
    for field, label in zip(fields, labels, strict=True):
        if not field.help.strip():
            if labels.count(label) > 1:
                out.append((f"{prefix}{label}", "与同级另一字段同名"))
            elif len(_plain(label)) <= 1 or _plain(label) in GENERIC_LABELS:
                out.append((f"{prefix}{label}", "名称过于笼统"))
        out += _unclear(field.fields, f"{prefix}{field.label}·")
    return out


def _plan_limits(facts: GuideFacts) -> list[Finding]:
    findings: list[Finding] = []
    steps = facts.approval_chain
    if facts.steps_limit is not None and len(steps) > facts.steps_limit:
        findings.append(Finding("over_plan_steps",
                                f"办理环节有 {len(steps)} 个（{'、'.join(steps)}），超过规定上限 "
                                f"{facts.steps_limit} 个；{PLAN_MEASURE}要求压减市政公用服务"
                                "报装环节，请合并或取消多余环节。"))
    provided = [m.name for m in facts.materials if m.source == "applicant" and m.required]
    if facts.materials_limit is not None and len(provided) > facts.materials_limit:
        findings.append(Finding("over_plan_materials",
                                f"申请人须提交的必要材料有 {len(provided)} 件（{'、'.join(provided)}），"
                                f"超过规定上限 {facts.materials_limit} 件；{PLAN_MEASURE}要求压减"
                                "报装申请材料，其余材料应通过电子证照、数据共享或告知承诺获取。"))
    return findings
