"""The vector matching (policies.matching) gives every subject the status eligibility.evaluate
gives it alone: a seeded corpus of 3,000 generated enterprises (facts missing, stale, of the
wrong kind, dated after the day asked about) × rules using every kind of condition."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from zhengwu.policies.eligibility import Benefit, Condition, Fact, RuleVersion, evaluate
from zhengwu.policies.matching import STATUS_OF, FactTable, eligible_ids, match

D = dt.date
ON = D(2026, 8, 1)

RULES = [
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("registration_region", "prefix", ("430481",), "注册地在耒阳市"),
        Condition("revenue_last_year", "gte", 800, "营收不低于800万元"),
        Condition("size_class", "in", ("small", "micro"), "小微企业"),
        Condition("dishonest", "is_false", None, "未列入失信名单"),
    ), amount="min(employees * 600, 120000)", max_fact_age_days=400),
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("industry_code", "prefix", ("C", "I65"), "制造业或软件业"),
        Condition("employees", "between", (10, 99), "10至99人"),
        Condition("registered_on", "years_since_lt", 3, "成立不满3年"),
        Condition("tax_credit_grade", "eq", "A", "A级纳税人"),
        # 成立日期 is lasting: never stale, though most are dated over 300 days back.
    ), max_fact_age_days=300),
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("high_tech", "is_true", None, "高新技术企业"),
        Condition("revenue_last_year", "lt", 5000, "营收低于5000万元"),
        Condition("tax_credit_grade", "not_in", ("C", "D"), "非C、D级"),
        Condition("size_class", "ne", "large", "非大型企业"),
        Condition("registered_on", "years_since_gte", 1, "成立满1年"),
    ), amount="round(revenue_last_year * 0.02, 2)"),
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("licences_held", "has", "L1", "持有L1类证照"),
        Condition("dishonest", "is_false", None, "未列入失信名单"),
    ), max_fact_age_days=100),
]


def corpus(n: int, seed: int = 20261206) -> dict[str, list[Fact]]:
    rng = random.Random(seed)

    def maybe(facts: list[Fact], key: str, value: object) -> None:
        roll = rng.random()
        if roll < 0.08:
            return  # missing
        day = ON - dt.timedelta(days=rng.choice((30, 200, 500)))
        if roll < 0.12:
            day = ON + dt.timedelta(days=3)  # not known yet on the day asked about
        if roll > 0.97:
            value = "不详"  # a value of the wrong kind
        facts.append(Fact(key, value, "生成", day))

    subjects = {}
    for i in range(n):
        facts: list[Fact] = []
        maybe(facts, "registration_region", rng.choice(("430481102000", "430405000000")))
        maybe(facts, "revenue_last_year", Decimal(rng.randrange(0, 800_000)) / 100)
        maybe(facts, "size_class", rng.choice(("large", "medium", "small", "micro")))
        maybe(facts, "dishonest", rng.random() < 0.1)
        maybe(facts, "industry_code", rng.choice(("C1311", "I6510", "H6210", "A0111")))
        maybe(facts, "employees", rng.randrange(1, 300))
        maybe(facts, "registered_on", D(2020, 1, 1) + dt.timedelta(days=rng.randrange(2400)))
        maybe(facts, "tax_credit_grade", rng.choice("ABMCD"))
        maybe(facts, "high_tech", rng.random() < 0.3)
        maybe(facts, "licences_held", frozenset(rng.sample(("L1", "L2", "L3"),
                                                           rng.randrange(0, 3))))
        subjects[f"E{i:05d}"] = facts
    return subjects


@pytest.mark.parametrize("version", RULES)
def test_the_vector_answer_is_each_subjects_own(version):
    subjects = corpus(3000)
    table = FactTable.build(subjects, on=ON)
    benefit = Benefit(code="B", name="B", versions=(version,))
    codes = match(version, table)
    alone = [evaluate(benefit, subjects[key], on=ON).status for key in table.ids]
    assert [STATUS_OF[int(c)] for c in codes] == alone
    assert len(set(alone)) == 3  # the corpus reaches eligible, not eligible and 需补充


def test_the_list_names_the_eligible_and_no_rule_names_none():
    subjects = corpus(200)
    table = FactTable.build(subjects, on=ON)
    benefit = Benefit(code="B", name="B", versions=(RULES[0],))
    listed = eligible_ids(RULES[0], table)
    assert listed == [key for key in table.ids
                      if evaluate(benefit, subjects[key], on=ON).status == "eligible"]
    assert eligible_ids(None, table) == []
