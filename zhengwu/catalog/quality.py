"""事项要素质检: element checks on an implementation's guide, each with a plain reason. Pure.

The rules come from the plan's 四减 measure [5] and the 办事指南 standardization measure [10]:
no catch-all materials, no government-issued documents demanded from applicants, no fee
without a basis, promised limits within the legal ones, and 全程网办 meaning zero trips.
Where the plan caps an item's approval steps or materials (utility hook-ups, measure [17]:
low-voltage power ≤ 3 steps, high-voltage ≤ 4, water and gas ≤ 3 steps and ≤ 2 materials),
the basic item carries the cap and the guide is checked against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

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
}

PLAN_MEASURE = "耒阳市 2021 方案措施[17]"


def _days(value: Decimal) -> str:
    return f"{value.normalize():f}"


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
    return findings


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
