"""A grant issues the electronic licence its item names, in the decision's transaction
(scorecard row 3: no licence without a decision, no decision without its licence).

The case process tells this listener of every move (process.engine.listen), single moves and
the sweep's bulk deemed approvals alike (engine.tell), so every way a case gets granted —
a reviewer's 准予, a bundle driving its member, 超时默认 — issues the same way and no caller
has to remember it. The listener only returns a follow-up; the engine runs it after the move,
inside the same transaction, so a failure to issue (a missing key, the signing service down)
rolls the decision back with it. A revoked grant (撤销) revokes its licences.

The holder is the case's applicant as filed: the person or enterprise who applied receives the
licence in their space (licences.holder keeps only a reference and masked display fields) —
except for a registration certificate (营业执照) a person applied for: that grant is a 设立登记,
which assigns the new enterprise its 统一社会信用代码, opens its account with the founder as
legal representative (cases.registration) and issues the licence to the enterprise.
What the licence says comes from the type's field sources (licences.fields):

- `answers:<key>` — the item's own form (form_data["answers"]; a choice prints its code, so
  types name text fields);
- `form:<key>` — the common applicant fields of form_data (a bundle's shared answers);
- `applicant_name`, `case_number`, `decided_on` — the case itself;
- `text:<words>` — fixed text;
- a source ending in `@万元` prints an amount asked in 元 in 万元 (注册资本: 1000000.00 → 100万元).

Alternatives are separated by `|` (the first non-empty wins). A value the case lacks prints
as "—" rather than blocking the decision: the licence says what the application said.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Final

from zhengwu.cases.models import GRANTED_DECISIONS, ApplicantKind, Case, CaseStatus
from zhengwu.cases.registration import enterprise_for_registration, registration_applies
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.licences.holder import Holder
from zhengwu.licences.models import HolderKind, Licence, LicenceStatus, LicenceType
from zhengwu.licences.services import licence_issue, licence_revoke
from zhengwu.process.spec import FollowUp, Outcome

ISSUING: Final = frozenset({"grant", "deem_approved"})
MISSING: Final = "—"


def licence_on_decision(outcome: Outcome[Case]) -> Iterable[FollowUp] | None:
    """The case listener: a grant issues, a revocation revokes (as follow-ups)."""
    if outcome.action in ISSUING and outcome.after == CaseStatus.DECIDED:
        # Gathered, so that a sweep's batch of deemed cases is read in one query: the first
        # follow-up to run issues for every case gathered so far, the others find none left.
        pending = getattr(_gathered, "ids", None)
        if pending is None:
            pending = _gathered.ids = []
        pending.append(outcome.row.pk)
        return [_issue_gathered]
    if outcome.action == "revoke":
        return [partial(licences_revoke_for_case, outcome.row.pk)]
    return None


_gathered = threading.local()


def _issue_gathered() -> None:
    # Ids left over from a move that rolled back are harmless: their cases are not decided,
    # or are decided and issued already, and licences_for_cases skips both.
    ids = getattr(_gathered, "ids", None) or []
    _gathered.ids = []
    if ids:
        licences_for_cases(ids)


def _printed(value: str, unit: str) -> str:
    """A value as the licence prints it: `@万元` turns an amount in 元 into 万元 (注册资本
    is asked in 元, bundle_fields.csv); what is not a number stays as the application said."""
    if unit != "万元":
        return value
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return value
    if not amount.is_finite():
        return value
    wan = (amount / 10000).normalize()
    return f"{wan:f}万元"


def _value(case: Case, source: str) -> str:
    for alternative in source.split("|"):
        where, _, unit = alternative.partition("@")
        kind, _, key = where.strip().partition(":")
        value: Any = None
        if kind == "answers":
            answers = case.form_data.get("answers") or {}
            value = answers.get(key) if isinstance(answers, dict) else None
        elif kind == "form":
            value = case.form_data.get(key)
        elif kind == "text":
            value = key
        elif kind == "applicant_name":
            value = case.applicant_name
        elif kind == "case_number":
            value = case.number
        elif kind == "decided_on" and case.decided_at is not None:
            day = case.decided_at.astimezone(SHANGHAI).date()
            value = f"{day.year}年{day.month}月{day.day}日"
        if isinstance(value, (str, int, float)) and str(value).strip():
            return _printed(str(value).strip(), unit.strip())
    return MISSING


def licence_payload(fields: list[dict[str, str]], case: Case) -> dict[str, str]:
    return {field["key"]: _value(case, field.get("source", "")) for field in fields}


def licences_for_cases(case_ids: list[int]) -> list[Licence]:
    """Issue the licences of granted cases whose items name a type, once each (a case that
    has its licence already is skipped); one query finds them among any number of cases."""
    cases = list(Case.objects.select_related(
        "implementation__licence_type__issuing_department").filter(
        pk__in=case_ids, implementation__licence_type__isnull=False,
        decision__in=GRANTED_DECISIONS).order_by("pk"))
    if not cases:
        return []
    issued = set(Licence.objects.filter(source_case__in=[c.number for c in cases])
                 .values_list("source_case", "licence_type_id"))
    made = []
    for case in cases:
        licence_type = case.implementation.licence_type
        assert licence_type is not None  # filtered above
        if (case.number, licence_type.pk) in issued:
            continue
        payload = licence_payload(licence_type.fields, case)
        made.append(licence_issue(
            licence_type=licence_type, holder=_holder(case, licence_type, payload),
            payload=payload, actor=SYSTEM, source_case=case.number, now=case.decided_at))
        issued.add((case.number, licence_type.pk))
    return made


def _holder(case: Case, licence_type: LicenceType, payload: dict[str, str]) -> Holder:
    """Whom the licence is issued to: the applicant, or the enterprise a 设立登记 registers
    (named as the licence names it: the type's `name` field)."""
    if registration_applies(case, licence_type):
        name = payload.get("name", MISSING)
        enterprise = enterprise_for_registration(case, licence_type,
                                                 "" if name == MISSING else name)
        return Holder(kind=HolderKind.ENTERPRISE, name=enterprise.display_name,
                      id_number=enterprise.uscc)
    kind = HolderKind.ENTERPRISE if case.applicant_kind == ApplicantKind.ENTERPRISE \
        else HolderKind.PERSON
    return Holder(kind=kind, name=case.applicant_name, id_number=case.applicant_id_number)


def licences_revoke_for_case(case_id: int) -> int:
    """Revoke the licences a case issued, now that its grant is revoked."""
    number = Case.objects.filter(pk=case_id).values_list("number", flat=True).first()
    revoked = 0
    for licence in Licence.objects.filter(
            source_case=number or "",
            status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED]):
        licence_revoke(licence_id=licence.pk, actor=SYSTEM,
                       reason=f"办件{number}的准予决定已撤销")
        revoked += 1
    return revoked
