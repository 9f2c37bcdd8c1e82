"""The facts benefits are decided from (issue 14 §1, "Facts"), each with its source and the
day it is true as of — never a guess: a fact nobody recorded is missing (需补充).

A subject is an enterprise (by its 统一社会信用代码) or a person (by the 公民身份号码), as the
benefit says (eligibility.ENTERPRISE / PERSON); each is asked about with its own kind.

Two kinds of source:
- **departments' data files** (税务, 社保 …), imported whole as a FactBatch (services);
- **the platform's own records**: an enterprise registered here (设立登记, cases.registration)
  has its 成立日期 and 注册地 from the registering case (its decision day and the accepting
  region); and 列入失信名单 from this platform's credit list (cases.CreditRecord, any source):
  true from the day recorded until the day it is repaired (信用修复). For an enterprise the platform knows of (a registration, an
  account or a department's file) and that has no such record, false as of the day asked about — this
  platform keeps the county's list, so its silence is an answer, not a guess.
  The electronic licences this platform issued and the subject holds, valid on the day, are
  one set fact (`licences_held`, asked with `has`); holding none here is no answer, since a
  paper licence from before would not be here (需补充, never 不符合).
  A person's 出生日期 is read from the ID number itself (GB 11643 出生日期码), true since
  that day; the persons the platform knows of are its verified personal accounts and the people
  in departments' person files (人社 人才认定, 社保 …), the same credit list deciding 失信.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from zhengwu.accounts.models import User, UserKind
from zhengwu.cases.models import Case, CreditRecord
from zhengwu.core import clock
from zhengwu.core.codes import citizen_id_birth_date
from zhengwu.core.holder_ref import holder_ref
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.policies.eligibility import ENTERPRISE, PERSON, Fact
from zhengwu.policies.models import FactRecord
from zhengwu.policies.rules import fact_of

REGISTRATION = "本平台企业开办（设立登记）"
CREDIT = "本平台信用记录"
LICENCES = "本平台电子证照"
ID_NUMBER = "公民身份号码（出生日期码）"


@dataclass
class Subject:
    code: str  # the USCC, or the person's ID number
    name: str
    facts: list[Fact]
    kind: str = ENTERPRISE


def _day(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.SHANGHAI).date()


def _registration_facts(usccs: set[str] | None) -> dict[str, tuple[str, list[Fact]]]:
    cases = Case.objects.exclude(registered_uscc="").select_related("accepting_region")
    if usccs is not None:
        cases = cases.filter(registered_uscc__in=usccs)
    found: dict[str, tuple[str, list[Fact]]] = {}
    for case in cases.only("registered_uscc", "applicant_name", "decided_at",
                           "accepting_region__code"):
        if case.decided_at is None:
            continue
        day = _day(case.decided_at)
        facts = [Fact("registered_on", day, f"{REGISTRATION} {case.number}", day)]
        if case.accepting_region is not None:
            facts.append(Fact("registration_region", case.accepting_region.code,
                              f"{REGISTRATION} {case.number}", day))
        found[case.registered_uscc] = (case.applicant_name, facts)
    return found


def subjects(codes: Iterable[str] | None = None, *, on: dt.date | None = None,
             kind: str = ENTERPRISE) -> dict[str, Subject]:
    """Every enterprise (or, with kind=PERSON, every person) the platform knows of — or just
    `codes` — with all its facts as they can be known on `on` (today): the credit list's
    silence is dated `on`, since a record made before it would carry its own earlier date."""
    wanted = None if codes is None else {c.upper() for c in codes}
    found: dict[str, Subject] = {}

    def subject(code: str, name: str) -> Subject:
        if code not in found:
            found[code] = Subject(code, name, [], kind)
        elif name and not found[code].name:
            found[code].name = name
        return found[code]

    if kind == PERSON:
        accounts = User.objects.filter(kind=UserKind.PERSON, closed_at__isnull=True) \
            .exclude(citizen_id="")
        field = "citizen_id"
    else:
        accounts = User.objects.filter(kind=UserKind.ENTERPRISE).exclude(uscc="")
        field = "uscc"
    records = FactRecord.objects.filter(subject_kind=kind).select_related("batch") \
        .order_by("as_of", "pk")
    if wanted is not None:
        accounts = accounts.filter(**{f"{field}__in": wanted})
        records = records.filter(subject__in=wanted)
    for code, name in accounts.values_list(field, "display_name"):
        subject(code, name)
    if kind == ENTERPRISE:
        for uscc, (name, facts) in _registration_facts(wanted).items():
            subject(uscc, name).facts.extend(facts)
    for record in records:
        subject(record.subject, record.subject_name).facts.append(
            fact_of(record.key, record.value, record.batch.source, record.as_of))
    if kind == PERSON:
        for code, entry in found.items():
            try:
                born = citizen_id_birth_date(code)
            except ValueError:
                continue  # every stored number was checked (GB 11643); belt and braces
            entry.facts.append(Fact("birth_date", born, ID_NUMBER, born))
    _licence_facts(found, on=min(on, clock.today()) if on is not None else clock.today())
    dishonest: dict[str, dt.date] = defaultdict(lambda: dt.date.max)
    today = min(on, clock.today()) if on is not None else clock.today()
    credit = CreditRecord.objects.filter(subject_id_number__in=list(found))
    for code, at, repaired in credit.values_list("subject_id_number", "recorded_at",
                                                 "repaired_at"):
        # A record repaired (信用修复) by the day asked about no longer lists the subject.
        if repaired is not None and _day(repaired) <= today:
            continue
        dishonest[code] = min(dishonest[code], _day(at))
    for code, entry in found.items():
        has_own = any(fact.key == "dishonest" for fact in entry.facts)
        if code in dishonest:
            entry.facts.append(Fact("dishonest", True, CREDIT, dishonest[code]))
        elif not has_own:
            entry.facts.append(Fact("dishonest", False, CREDIT, today))
    return found


def _licence_facts(found: dict[str, Subject], *, on: dt.date) -> None:
    """The licences this platform issued that each subject holds, valid on `on` (licences
    name their holder by holder_ref only): one set fact, true since the newest of them was
    issued. A subject holding none here gets no fact — it may hold a paper one (needs
    proof), unlike the credit list, which is the county's own."""
    refs = {holder_ref(code): code for code in found}
    if not refs:
        return
    held: dict[str, tuple[set[str], dt.date]] = {}
    rows = Licence.objects.filter(holder_ref__in=list(refs), status=LicenceStatus.VALID) \
        .values_list("holder_ref", "licence_type__code", "valid_from", "valid_until")
    for ref, code, start, until in rows:
        begins = _day(start)
        if begins > on or (until is not None and _day(until) < on):
            continue
        types, since = held.get(ref, (set(), begins))
        types.add(code)
        held[ref] = (types, max(since, begins))
    for ref, (types, since) in held.items():
        found[refs[ref]].facts.append(Fact("licences_held", frozenset(types), LICENCES, since))


def is_credit_silence(fact: Fact) -> bool:
    """The "no record in the credit list" fact: dated the day asked about, so no evidence of
    when anything became true."""
    return fact.source == CREDIT and fact.value is False


def subject_get(code: str, *, on: dt.date | None = None,
                kind: str = ENTERPRISE) -> Subject | None:
    return subjects([code], on=on, kind=kind).get(code.upper())
