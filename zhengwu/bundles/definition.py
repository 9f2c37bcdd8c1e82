"""A bundle's definition (一件事的定义) and everything that follows from it, pure: no queries,
no clock. The catalogue admin edits a definition; a published version is immutable and every
bundle case pins the version it was filed under (as item cases pin the item version).

- Guided questions (情形引导): each question may be shown only if earlier answers hold
  (`shows_if`); members apply only `when` answers hold. `applicable()` turns answers into the
  member set the applicant sees.
- One form (一套表单): the bundle's fields, each mapped to member items' field keys
  (`maps_to`), entered once; `member_form()` gives each member case its own view. A field
  may stand for a shared meaning (`meaning`, catalog MAPS_TO) that the members' own forms ask;
  then it is taken from their answer, not asked twice (bundles.formdef, bundles.item_forms).
- Materials once (一次采集): member materials grouped by material identity, so a document
  several departments need is collected once; `materials_needed()` counts before and after.
- Parallel approval (并联审批): `depends_on` between members is a DAG; `stages()` are the
  sequential stages, everything within a stage runs in parallel. Steps (环节) for the
  applicant are one application plus the stages (the delivery comes with the last stage).
- The bundle has one promise, possibly depending on answers (`promises`, e.g. 外线施工:
  ≤ 5 working days, small works ≤ 1), never the sum of its members' promises.

`problems()` checks a definition against the catalogue facts it is given and returns every
reason it cannot be published (cycles, unknown items, questions that lead nowhere …).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zhengwu.catalog.application_form import MAPS_TO
from zhengwu.core import input_errors

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A question tree is small: a definition whose answer combinations exceed this is refused
# (the applicant would face too many questions anyway).
MAX_COMBINATIONS = 4096
COMMON_KEYS = ("applicant_name", "id_number", "phone", "address", "description")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(_Strict):
    value: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=60)


class Question(_Strict):
    key: str
    text: str = Field(min_length=1, max_length=200)
    answers: tuple[Answer, ...] = Field(min_length=2, max_length=12)
    shows_if: dict[str, str] = Field(default_factory=dict)
    help: str = Field(default="", max_length=500)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError("问题标识只能由小写字母、数字和下划线组成，以字母开头")
        return value


class Member(_Strict):
    item: str = Field(min_length=1, max_length=12)  # 基本编码 of the basic item
    item_name: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=100)  # short name; "" = by region
    # The member's promise inside the bundle (often shorter than the item's own: 企业开办's
    # seal carving 0.5 day); None = the item's own promised limit, filled in at publication.
    promised_workdays: Decimal | None = Field(default=None, gt=0, le=999)
    depends_on: tuple[str, ...] = ()
    when: dict[str, str] = Field(default_factory=dict)
    position: int = Field(default=0, ge=0)

    @field_validator("promised_workdays")
    @classmethod
    def _half(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (value * 2) % 1:
            raise ValueError("时限只能是整数或半个工作日")
        return value

    @property
    def promise(self) -> Decimal:
        if self.promised_workdays is None:
            raise ValueError(f"member {self.item} has no promise yet (fill_promises)")
        return self.promised_workdays


class MapTo(_Strict):
    item: str
    field: str


FieldKind = Literal["text", "long_text", "number", "phone", "id_number", "uscc", "date"]


class FormField(_Strict):
    key: str
    label: str = Field(min_length=1, max_length=60)
    required: bool = True
    kind: FieldKind = "text"
    maps_to: tuple[MapTo, ...] = ()
    # The shared meaning (catalog.application_form.MAPS_TO) this field stands for: when the
    # members' one form (bundles.item_forms) asks it, the bundle's form does not, and the
    # field's value is that answer (bundles.formdef), so each fact is asked once.
    meaning: str = ""

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError("字段标识只能由小写字母、数字和下划线组成，以字母开头")
        return value

    @field_validator("meaning")
    @classmethod
    def _meaning(cls, value: str) -> str:
        if value and value not in MAPS_TO:
            raise ValueError(f"共享含义“{value}”不在共享含义表中（catalog.application_form.MAPS_TO）")
        return value


class Promise(_Strict):
    when: dict[str, str]
    workdays: Decimal = Field(gt=0, le=999)


class Definition(_Strict):
    name: str = Field(min_length=2, max_length=100)
    audience: Literal["person", "enterprise"]
    theme: str = Field(default="", max_length=50)
    hall_level: Literal["city", "township"]
    lead_department: str = Field(min_length=1, max_length=100)
    promised_workdays: Decimal = Field(gt=0, le=999)
    promises: tuple[Promise, ...] = ()
    steps_limit: int | None = Field(default=None, ge=1)
    materials_limit: int | None = Field(default=None, ge=0)
    questions: tuple[Question, ...] = ()
    members: tuple[Member, ...] = Field(min_length=1)
    fields: tuple[FormField, ...] = ()
    description: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=4000)
    illustrative: bool = False
    # The number of the county's action-plan measure that names this bundle (企业开办: [12]),
    # blank for the others: search ranks the plan's own bundles first (issue 16).
    plan_measure: str = Field(default="", max_length=10, pattern=r"^(\d{1,3})?$")

    @field_validator("promised_workdays")
    @classmethod
    def _half(cls, value: Decimal) -> Decimal:
        if (value * 2) % 1:
            raise ValueError("时限只能是整数或半个工作日")
        return value

    def member(self, item: str) -> Member:
        return next(m for m in self.members if m.item == item)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def parse(data: Mapping[str, Any]) -> Definition:
    """A definition from JSON, or DefinitionError with every problem in Chinese."""
    try:
        return Definition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError([_pydantic_reason(e) for e in error.errors()]) from error


def as_json(definition: Definition) -> dict[str, Any]:
    # A blank plan_measure is left out, so that the definitions published before the field
    # existed stay identical and a pack reload republishes none of them.
    return definition.model_dump(mode="json",
                                 exclude=None if definition.plan_measure else {"plan_measure"})


class DefinitionError(ValueError):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons


def _pydantic_reason(error: Any) -> str:
    # Worded as the API words input errors (core.input_errors), from the error's type and
    # limits; the location is the definition's own path (questions.0.key).
    return f"{'.'.join(str(p) for p in error.get('loc', ()))}：{input_errors.reason(error)}"


# --- catalogue facts a definition is checked against ---------------------------------------


# The catalogue's MaterialSource values this module reads (kept as strings: it is pure).
APPLICANT = "applicant"
COMMITMENT = "commitment"


@dataclass(frozen=True)
class MaterialFacts:
    name: str
    identity: str  # the material identity (一次采集): same identity = same document
    required: bool = True
    # applicant (given by the applicant), e_license / shared_data (fetched by the platform),
    # commitment (replaced by a signed commitment)
    source: str = "applicant"


@dataclass(frozen=True)
class ItemFacts:
    """What the catalogue says about a member item where the bundle is offered."""

    code: str
    name: str
    published: bool
    materials: tuple[MaterialFacts, ...] = ()
    promised_workdays: Decimal | None = None
    field_keys: frozenset[str] = frozenset()  # known form keys; empty = free


# --- conditions and answers -------------------------------------------------------------------


def holds(condition: Mapping[str, str], answers: Mapping[str, str]) -> bool:
    return all(answers.get(key) == value for key, value in condition.items())


def visible_questions(definition: Definition, answers: Mapping[str, str]) -> list[Question]:
    """The questions shown for these answers, in order."""
    return [q for q in definition.questions if holds(q.shows_if, answers)]


@dataclass(frozen=True)
class AnswerCheck:
    answers: dict[str, str]  # only the answers to questions actually shown
    errors: dict[str, str]  # question key → reason
    complete: bool


def check_answers(definition: Definition, answers: Mapping[str, Any]) -> AnswerCheck:
    """Keep the answers of shown questions; report unknown keys, invalid answers and shown
    questions still unanswered. Hidden questions' answers are dropped (a changed earlier
    answer can hide a later question)."""
    errors: dict[str, str] = {}
    known = {q.key for q in definition.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["__all__"] = "未知的问题：" + "、".join(unknown[:5])
    kept: dict[str, str] = {}
    for question in definition.questions:
        if not holds(question.shows_if, kept):
            continue
        raw = answers.get(question.key)
        value = str(raw).strip() if raw is not None else ""
        if not value:
            errors[question.key] = f"请回答：{question.text}"
            continue
        if value not in {a.value for a in question.answers}:
            errors[question.key] = f"“{question.text}”的回答无效，应为：" + "、".join(
                a.label for a in question.answers)
            continue
        kept[question.key] = value
    return AnswerCheck(kept, errors, complete=not errors)


def applicable(definition: Definition, answers: Mapping[str, str]) -> list[Member]:
    """The member items that apply to these answers, in position order."""
    members = [m for m in definition.members if holds(m.when, answers)]
    return sorted(members, key=lambda m: (m.position, m.item))


def promised_workdays(definition: Definition, answers: Mapping[str, str]) -> Decimal:
    """The bundle's one promise for these answers: the first matching rule, else the default."""
    for promise in definition.promises:
        if holds(promise.when, answers):
            return promise.workdays
    return definition.promised_workdays


# --- parallel stages --------------------------------------------------------------------------


def stages(members: Iterable[Member]) -> list[list[Member]]:
    """Members in sequential stages: a member runs once every member it depends on (among
    those given) has finished; all members of a stage run in parallel. A prerequisite that
    does not apply (not among those given) holds nobody back."""
    pending = {m.item: m for m in members}
    result: list[list[Member]] = []
    while pending:
        ready = [m for m in pending.values() if not any(d in pending for d in m.depends_on)]
        if not ready:
            raise DefinitionError(["成员事项之间存在循环依赖"])
        ready.sort(key=lambda m: (m.position, m.item))
        result.append(ready)
        for member in ready:
            del pending[member.item]
    return result


def critical_path(members: Iterable[Member]) -> Decimal:
    """The longest chain of member promises along dependencies: the shortest promise the
    bundle could honestly make."""
    chosen = {m.item: m for m in members}
    finish: dict[str, Decimal] = {}
    for stage in stages(chosen.values()):
        for member in stage:
            start = max((finish[d] for d in member.depends_on if d in finish), default=Decimal(0))
            finish[member.item] = start + member.promise
    return max(finish.values(), default=Decimal(0))


def steps(members: Iterable[Member]) -> int:
    """环节 the applicant goes through: one application plus one per sequential stage (the
    single delivery comes with the last stage)."""
    return 1 + len(stages(members))


# --- one form -------------------------------------------------------------------------------


def member_form(definition: Definition, item: str, values: Mapping[str, str]) -> dict[str, str]:
    """The form one member case receives: the applicant's common fields plus each bundle field
    under the key that member item uses for it."""
    form = {key: values[key] for key in COMMON_KEYS if values.get(key)}
    for field in definition.fields:
        value = values.get(field.key, "")
        if not value:
            continue
        for target in field.maps_to:
            if target.item == item:
                form[target.field] = value
    return form


# --- materials once -------------------------------------------------------------------------


@dataclass(frozen=True)
class NeededMaterial:
    identity: str
    name: str  # the name shown to the applicant (the first member's wording)
    members: tuple[str, ...]  # item codes that need it
    names: dict[str, str]  # item code → the material's name in that item's guide
    source: str = "applicant"


@dataclass(frozen=True)
class MaterialCount:
    # What the applicant gives, once each (source "commitment": may be replaced by a
    # commitment where every member practises 告知承诺 and the applicant's credit allows).
    needed: tuple[NeededMaterial, ...]
    fetched: tuple[NeededMaterial, ...]  # e-licenses and shared data the platform fetches
    before: int  # what the members would ask for one by one (every required material)
    after: int  # what the applicant gives once (一次采集)


def materials_needed(members: Iterable[Member],
                     facts: Mapping[str, ItemFacts]) -> MaterialCount:
    """Required materials of these members grouped by identity: the ones the applicant gives
    (once each) and the ones fetched as e-licenses or shared data (none given).

    A material some member marks 告知承诺替代 is the applicant's to give (upload, or commit);
    it keeps the source "commitment" only when every member that asks it marks it so, since a
    commitment stands in for it in every member case or in none (cases.commitment)."""
    order: list[str] = []
    first: dict[str, MaterialFacts] = {}
    by_identity: dict[str, dict[str, str]] = {}
    sources: dict[str, set[str]] = {}
    before = 0
    for member in members:
        item = facts.get(member.item)
        if item is None:
            continue
        for material in item.materials:
            if not material.required:
                continue
            before += 1
            if material.identity not in by_identity:
                order.append(material.identity)
                first[material.identity] = material
                by_identity[material.identity] = {}
                sources[material.identity] = set()
            by_identity[material.identity].setdefault(member.item, material.name)
            sources[material.identity].add(material.source)

    def entry(identity: str, source: str) -> NeededMaterial:
        return NeededMaterial(identity, first[identity].name, tuple(by_identity[identity]),
                              dict(by_identity[identity]), source)

    def given_source(identity: str) -> str | None:
        """"applicant" / "commitment" for a material the applicant gives, else None."""
        if sources[identity] == {COMMITMENT}:
            return COMMITMENT
        return APPLICANT if sources[identity] & {APPLICANT, COMMITMENT} else None

    needed = tuple(entry(i, source) for i in order if (source := given_source(i)))
    fetched = tuple(entry(i, first[i].source) for i in order if given_source(i) is None)
    return MaterialCount(needed, fetched, before, len(needed))


def fill_promises(definition: Definition, facts: Mapping[str, ItemFacts]) -> Definition:
    """Members without a promise of their own take the item's promised limit; item names are
    filled in from the catalogue, so a published version reads on its own."""
    members = []
    for member in definition.members:
        item = facts.get(member.item)
        update: dict[str, Any] = {}
        if item is not None:
            update["item_name"] = item.name
            if member.promised_workdays is None and item.promised_workdays:
                update["promised_workdays"] = item.promised_workdays
        members.append(member.model_copy(update=update))
    return definition.model_copy(update={"members": tuple(members)})


# --- checking a definition --------------------------------------------------------------------


def _combinations(definition: Definition) -> Iterable[dict[str, str]]:
    """Every way an applicant can answer (only shown questions answered)."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    keys = [q.key for q in definition.questions]
    choices = [[a.value for a in q.answers] for q in definition.questions]
    for combo in itertools.product(*choices):
        raw = dict(zip(keys, combo, strict=True))
        kept = check_answers(definition, raw).answers
        signature = tuple(sorted(kept.items()))
        if signature not in seen:
            seen.add(signature)
            yield kept


def _condition_problems(where: str, condition: Mapping[str, str], definition: Definition,
                        before: set[str] | None = None) -> list[str]:
    problems = []
    for key, value in condition.items():
        question = definition.question(key)
        if question is None:
            problems.append(f"{where}的条件引用了不存在的问题“{key}”")
        elif value not in {a.value for a in question.answers}:
            problems.append(f"{where}的条件“{key}={value}”不是该问题的可选回答")
        elif before is not None and key not in before:
            problems.append(f"{where}的显示条件引用了其后的问题“{key}”：只能依据前面的回答")
    return problems


def _cycle(members: Mapping[str, Member]) -> list[str] | None:
    """One dependency cycle as a path of item codes, if any."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(item: str) -> list[str] | None:
        state[item] = 1
        path.append(item)
        for dep in members[item].depends_on:
            if dep not in members:
                continue
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[item] = 2
        return None

    for item in sorted(members):
        if item not in state:
            found = visit(item)
            if found:
                return found
    return None


def problems(definition: Definition, facts: Mapping[str, ItemFacts]) -> list[str]:
    """Every reason this definition cannot be published, in Chinese; [] when it can."""
    found: list[str] = []
    members: dict[str, Member] = {}
    label = {m.item: (facts[m.item].name if m.item in facts else m.item_name or m.item)
             for m in definition.members}
    for member in definition.members:
        if member.item in members:
            found.append(f"成员事项“{label[member.item]}”重复")
        members[member.item] = member
        item = facts.get(member.item)
        if item is None:
            found.append(f"成员事项“{member.item_name or member.item}”在事项库中不存在")
        elif not item.published:
            found.append(f"成员事项“{item.name}”在本级没有已发布的实施清单")
        for dep in member.depends_on:
            if dep == member.item:
                found.append(f"成员事项“{label[member.item]}”不能依赖自身")
            elif dep not in {m.item for m in definition.members}:
                found.append(f"成员事项“{label[member.item]}”依赖的“{dep}”不是本一件事的成员")
        found += _condition_problems(f"成员事项“{label[member.item]}”", member.when, definition)
    cycle = _cycle(members)
    if cycle:
        found.append("成员事项之间存在循环依赖：" + " → ".join(label.get(c, c) for c in cycle))
    asked: set[str] = set()
    for question in definition.questions:
        if question.key in asked:
            found.append(f"问题“{question.key}”重复")
        found += _condition_problems(f"问题“{question.text}”", question.shows_if, definition,
                                     before=asked)
        values = [a.value for a in question.answers]
        if len(set(values)) != len(values):
            found.append(f"问题“{question.text}”的回答重复")
        asked.add(question.key)
    for promise in definition.promises:
        found += _condition_problems("承诺时限规则", promise.when, definition)
    # A question leads somewhere when some member, later question or promise depends on it.
    used = {k for m in definition.members for k in m.when} | \
        {k for q in definition.questions for k in q.shows_if} | \
        {k for p in definition.promises for k in p.when}
    for question in definition.questions:
        if question.key not in used:
            found.append(f"问题“{question.text}”不影响任何成员事项、后续问题或承诺时限（问题无去向）")
    field_keys = set()
    for field in definition.fields:
        if field.key in field_keys:
            found.append(f"表单字段“{field.label}”重复")
        field_keys.add(field.key)
        for target in field.maps_to:
            if target.item not in members:
                found.append(f"表单字段“{field.label}”映射到的“{target.item}”不是本一件事的成员")
            elif target.item in facts and facts[target.item].field_keys and \
                    target.field not in facts[target.item].field_keys:
                found.append(f"表单字段“{field.label}”映射到的“{label[target.item]}:"
                             f"{target.field}”在该事项申请表中不存在")
    for member in definition.members:
        if member.promised_workdays is None and (
                member.item not in facts or not facts[member.item].promised_workdays):
            found.append(f"成员事项“{label[member.item]}”没有承诺时限")
    if found:
        return found
    definition = fill_promises(definition, facts)
    # The whole tree: every way of answering must lead to at least one item, and the promise
    # must cover the longest dependency chain of what applies.
    combos = 1
    for question in definition.questions:
        combos *= len(question.answers)
    if combos > MAX_COMBINATIONS:
        return [f"情形引导的回答组合过多（{combos} 种，上限 {MAX_COMBINATIONS}）：请精简问题"]
    for answers in _combinations(definition):
        chosen = applicable(definition, answers)
        text = "、".join(f"{definition.question(k).text}={v}"  # type: ignore[union-attr]
                        for k, v in answers.items()) or "（无问题）"
        if not chosen:
            found.append(f"回答“{text}”时没有任何适用的成员事项（问题无去向）")
            continue
        limit = promised_workdays(definition, answers)
        path = critical_path(chosen)
        if path > limit:
            found.append(f"回答“{text}”时，成员事项依赖链需 {path.normalize():f} 个工作日，超过"
                         f"一件事承诺时限 {limit.normalize():f} 个工作日")
    return sorted(set(found), key=found.index)
