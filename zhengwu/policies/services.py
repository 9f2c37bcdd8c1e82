"""惠企政策 services (issue 14 §1): publishing a benefit with its rules, importing departments'
fact files, answering eligibility with its explanation, and 免申即享 — a grant list prepared
from the matching, confirmed by a second member of staff (four-eyes) on the process engine,
each enterprise told, and each grant's payment recorded. Every change is one transaction with
its audit row (and, for the grant list, its timeline event).

Who acts for a benefit: staff holding 后台审批人员 or 首席代表 for the benefit's department
(docs/policies.md); 电子监察 reads every list and acts on none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from zhengwu.accounts.models import User
from zhengwu.accounts.selectors import is_supervisor, officer_department_ids
from zhengwu.accounts.services import actor_for
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.services import catalog_generation_bump
from zhengwu.core import clock
from zhengwu.core.audit import Actor, audit_record
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.departments.models import Department
from zhengwu.policies import facts as facts_mod
from zhengwu.policies.eligibility import (
    ENTERPRISE,
    FACT_SPECS,
    RuleError,
    Status,
    Verdict,
    evaluate,
    subject_check,
)
from zhengwu.policies.matching import FactTable, eligible_ids
from zhengwu.policies.models import (
    Benefit,
    BenefitKind,
    BenefitMode,
    BenefitRule,
    PolicyDocument,
    SubjectKind,
)
from zhengwu.policies.rules import benefit_of, conditions_parse, version_of

# Taken by the app's other modules from here; defined once in accounts.selectors.
__all__ = ["is_supervisor", "officer_department_ids"]


# --- who acts for a department ------------------------------------------------------------


def benefits_managed(user: User) -> QuerySet[Benefit]:
    """The benefits `user` may act for (their departments'), or reads (电子监察: all)."""
    rows = Benefit.objects.select_related("document", "department")
    if is_supervisor(user):
        return rows
    return rows.filter(department_id__in=officer_department_ids(user))


def officer_actor(user: User, department: Department) -> Actor:
    base = actor_for(user, department=department)
    return Actor(user=user, label=base.label, role=base.role, department_id=department.pk,
                 department_label=department.name)


def may_publish(user: User | None) -> bool:
    """Who may publish for a department — a benefit, a policy document, its 解读: staff
    holding 后台审批人员 or 首席代表 for exactly one department (whose name the publication
    then carries). The one rule for every publishing page; `publisher_department` enforces it."""
    return len(officer_department_ids(user)) == 1


def publisher_department(user: User) -> tuple[Department, Actor]:
    """The department `user` publishes for, and the actor of its audit rows (may_publish)."""
    departments = officer_department_ids(user)
    if len(departments) != 1:
        raise NotAllowed("只有部门的后台审批人员或首席代表可以发布惠企政策事项和政策文件。",
                         code="policies.forbidden")
    department = Department.objects.get(pk=next(iter(departments)))
    return department, _require_officer(user, department)


def _require_officer(user: User, department: Department) -> Actor:
    if department.pk not in officer_department_ids(user):
        raise NotAllowed(f"只有{department.name}的工作人员可以办理。", code="policies.forbidden")
    return officer_actor(user, department)


# --- benefits and their rules -------------------------------------------------------------


@dataclass
class RuleIn:
    lines: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    amount: str = ""
    max_fact_age_days: int | None = None


@dataclass
class BenefitIn:
    code: str
    name: str
    kind: str
    mode: str
    document_id: int
    description: str
    implementation_id: int | None = None
    subject_kind: str = SubjectKind.ENTERPRISE
    rule: RuleIn = field(default_factory=lambda: RuleIn("", clock.today()))


def _rule_checked(benefit: Benefit | None, number: int, rule: RuleIn,
                  earlier: list[BenefitRule], subject_kind: str) -> dict[str, Any]:
    """The version's stored fields, checked as eligibility reads them, over facts said of the
    benefit's subjects (RuleError → 422)."""
    try:
        conditions = conditions_parse(rule.lines)
        version = version_of(version=number, effective_from=rule.effective_from,
                             effective_to=rule.effective_to, conditions=conditions,
                             amount=rule.amount.strip(),
                             max_fact_age_days=rule.max_fact_age_days)
        subject_check(version, subject_kind)
        previous = [_version(r) for r in earlier]
        benefit_of(benefit.code if benefit else "new", benefit.name if benefit else "新事项",
                   [*previous, version])
    except RuleError as error:
        raise InvalidInput(str(error), code="policies.rule_invalid") from None
    return {"conditions": conditions, "amount": rule.amount.strip()}


def _version(rule: BenefitRule) -> Any:
    return version_of(version=rule.version, effective_from=rule.effective_from,
                      effective_to=rule.effective_to, conditions=rule.conditions,
                      amount=rule.amount, max_fact_age_days=rule.max_fact_age_days)


@transaction.atomic
def benefit_publish(*, user: User, data: BenefitIn) -> Benefit:
    """A department publishes a benefit with its first rule version."""
    document = PolicyDocument.objects.filter(pk=data.document_id).first()
    if document is None:
        raise InvalidInput("请选择政策依据（政策文件）。", code="policies.document_required")
    department, actor = publisher_department(user)
    code, name = data.code.strip().upper(), data.name.strip()
    problems = []
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        problems.append("编码只能用字母、数字、短横线，至多40个字符")
    elif Benefit.objects.filter(code=code).exists():
        problems.append(f"编码“{code}”已被使用")
    if not name:
        problems.append("请填写名称")
    if data.kind not in BenefitKind.values:
        problems.append("请选择类别")
    if data.mode not in BenefitMode.values:
        problems.append("请选择兑现方式")
    if data.subject_kind not in SubjectKind.values:
        problems.append("请选择适用对象（企业或个人）")
    if not data.description.strip():
        problems.append("请填写内容说明")
    implementation = None
    if data.implementation_id is not None:
        implementation = ItemImplementation.objects.filter(
            pk=data.implementation_id, department=department).first()
        if implementation is None:
            problems.append("申请事项应为本部门实施的事项")
    if data.mode == BenefitMode.ONE_CLICK and implementation is None:
        problems.append("即申即享须选择申请事项")
    if problems:
        raise InvalidInput("；".join(problems) + "。", code="policies.benefit_invalid")
    stored = _rule_checked(None, 1, data.rule, [], data.subject_kind)
    benefit = Benefit.objects.create(code=code, name=name, kind=data.kind, mode=data.mode,
                                     subject_kind=data.subject_kind,
                                     implementation=implementation,
                                     document=document, department=department,
                                     description=data.description.strip(), published=True)
    rule = BenefitRule.objects.create(
        benefit=benefit, version=1, effective_from=data.rule.effective_from,
        effective_to=data.rule.effective_to, max_fact_age_days=data.rule.max_fact_age_days,
        created_by=user, created_at=clock.now(), **stored)
    catalog_generation_bump()  # the document's benefits are searched with it (search_source)
    audit_record(actor=actor, action="policies.benefit_publish", obj=benefit,
                 after={"code": code, "rule_version": rule.version,
                        "conditions": stored["conditions"], "amount": stored["amount"]})
    return benefit


@transaction.atomic
def rule_version_add(*, user: User, benefit_id: int, rule: RuleIn) -> BenefitRule:
    """A new dated version; an open-ended earlier version is closed the day before it starts
    (its conditions are never edited)."""
    benefit = Benefit.objects.select_for_update().filter(
        pk=benefit_id, department_id__in=officer_department_ids(user)).first()
    if benefit is None:
        raise Benefit.DoesNotExist("没有这个惠企政策事项。")
    actor = _require_officer(user, benefit.department)
    earlier = list(benefit.rules.order_by("version"))
    closing = [r for r in earlier if r.effective_to is None
               and r.effective_from < rule.effective_from]
    for open_rule in closing:
        open_rule.effective_to = rule.effective_from - dt.timedelta(days=1)
    number = (earlier[-1].version if earlier else 0) + 1
    stored = _rule_checked(benefit, number, rule, earlier, benefit.subject_kind)
    for open_rule in closing:
        open_rule.save(update_fields=["effective_to"])
    created = BenefitRule.objects.create(
        benefit=benefit, version=number, effective_from=rule.effective_from,
        effective_to=rule.effective_to, max_fact_age_days=rule.max_fact_age_days,
        created_by=user, created_at=clock.now(), **stored)
    audit_record(actor=actor, action="policies.rule_version_add", obj=benefit,
                 after={"rule_version": number, "effective_from": rule.effective_from,
                        "conditions": stored["conditions"], "amount": stored["amount"],
                        "closed": [r.version for r in closing]})
    return created


def benefit_rules(benefit: Benefit) -> Any:
    """The benefit as eligibility reads it: every version (the model orders them; .all() lets
    a prefetch serve it)."""
    return benefit_of(benefit.code, benefit.name,
                      [_version(r) for r in benefit.rules.all()])


# --- eligibility --------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    benefit: Benefit
    subject: facts_mod.Subject
    on: dt.date
    verdict: Verdict


def eligibility(*, benefit: Benefit, code: str, on: dt.date | None = None) -> Answer | None:
    """Whether the subject `code` (an enterprise's USCC or a person's ID number, as the
    benefit is for) qualifies on `on` (today), explained; None: unknown."""
    found = eligibilities(benefits=[benefit], code=code, kind=benefit.subject_kind, on=on)
    return found[0] if found else None


def eligibilities(*, benefits: list[Benefit], code: str, kind: str = ENTERPRISE,
                  on: dt.date | None = None) -> list[Answer]:
    """The subject's answer for each of `benefits` (those for its kind), its facts read once
    (我能享受的政策); empty when the platform knows nothing of it."""
    day = on or clock.today()
    subject = facts_mod.subject_get(code, on=day, kind=kind)
    if subject is None:
        return []
    return [Answer(benefit, subject, day, evaluate(benefit_rules(benefit), subject.facts, on=day))
            for benefit in benefits if benefit.subject_kind == kind]


def eligible_answers(*, benefit: Benefit, on: dt.date | None = None) -> list[Answer]:
    """The department's list: every enterprise (or person) eligible on `on`, each explained
    (the column path picks them; the one-subject path explains them and computes the amount)."""
    day = on or clock.today()
    rules = benefit_rules(benefit)
    version = rules.version_on(day)
    known = facts_mod.subjects(on=day, kind=benefit.subject_kind)
    table = FactTable.build({u: s.facts for u, s in known.items()}, on=day,
                            keys={c.fact for c in version.conditions} if version else set())
    answers = []
    for code in eligible_ids(version, table):
        verdict = evaluate(rules, known[code].facts, on=day)
        if verdict.status == Status.ELIGIBLE:  # the two paths agree (tests); belt and braces
            answers.append(Answer(benefit, known[code], day, verdict))
    return answers


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "status": str(verdict.status), "version": verdict.version,
        "amount": None if verdict.amount is None else str(verdict.amount),
        "conditions": [{"label": item.condition.label, "met": item.met, "text": item.text}
                       for item in verdict.items],
        "missing": [FACT_SPECS[key].label for key in verdict.missing],
        "facts": [{"key": key, "label": FACT_SPECS[key].label, "source": fact.source,
                   "as_of": fact.as_of.isoformat()} for key, fact in verdict.used.items()],
    }


def eligible_since(verdict: Verdict, rule: BenefitRule) -> dt.date:
    """The day the enterprise became eligible: the later of the version's start and the newest
    fact the decision used — but not the credit list's silence, which is dated the day asked
    about (facts.py) and would make every enterprise "eligible since today"."""
    days = [rule.effective_from, *(fact.as_of for fact in verdict.used.values()
                                   if not facts_mod.is_credit_silence(fact))]
    return max(days)
