"""Golden cases of the eligibility rules of 惠企政策 (issue 14 §1), tests first: rules are
data, dated (the version in force on the day asked about, over the facts known as of that
day), every condition explained in Chinese, a missing or stale fact is 需补充 — never a
guess — and amounts are formulas over facts, computed exactly (Decimal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.policies.eligibility import (
    Benefit,
    Condition,
    Fact,
    FormulaError,
    RuleError,
    RuleVersion,
    Status,
    evaluate,
    formula_value,
)

D = dt.date
SMALL_FIRM = Benefit(code="LY-2026-001", name="小微企业稳岗奖补", versions=(
    RuleVersion(version=1, effective_from=D(2026, 1, 1), effective_to=D(2026, 6, 30),
                conditions=(
                    Condition("registration_region", "prefix", ("430481",), "注册地在耒阳市"),
                    Condition("revenue_last_year", "gte", 1000, "上年度营收不低于1000万元"),
                ), amount="min(employees * 500, 100000)"),
    RuleVersion(version=2, effective_from=D(2026, 7, 1), conditions=(
        Condition("registration_region", "prefix", ("430481",), "注册地在耒阳市"),
        Condition("revenue_last_year", "gte", 800, "上年度营收不低于800万元"),
        Condition("size_class", "in", ("small", "micro"), "属小型或微型企业"),
        Condition("dishonest", "is_false", None, "未被列入失信名单"),
    ), amount="min(employees * 600, 120000)", max_fact_age_days=400),
))


def facts(**values: object) -> list[Fact]:
    return [Fact(key, value, source="测试数据", as_of=D(2026, 3, 1))
            for key, value in values.items()]


FIRM = facts(registration_region="430481100000", revenue_last_year=Decimal("820"),
             employees=40, size_class="small", dishonest=False)


def test_the_version_in_force_on_the_day_decides():
    before = evaluate(SMALL_FIRM, FIRM, on=D(2026, 5, 1))
    assert before.status == Status.NOT_ELIGIBLE and before.version == 1
    assert [item.text for item in before.items] == [
        "符合：注册地在耒阳市",
        "不符合：上年度营收 820 万元 < 1000 万元",
    ]
    after = evaluate(SMALL_FIRM, FIRM, on=D(2026, 7, 1))
    assert after.status == Status.ELIGIBLE and after.version == 2
    assert after.amount == Decimal("24000")  # 40 × 600, under the 120,000 cap
    assert evaluate(SMALL_FIRM, FIRM, on=D(2025, 12, 31)).status == Status.NO_RULE


def test_a_missing_fact_is_needs_facts_never_a_guess():
    verdict = evaluate(SMALL_FIRM, [f for f in FIRM if f.key != "size_class"], on=D(2026, 8, 1))
    assert verdict.status == Status.NEEDS_FACTS and verdict.amount is None
    assert "需补充：企业规模" in [item.text for item in verdict.items]
    assert verdict.missing == ("size_class",)


def test_a_failed_condition_decides_even_when_another_fact_is_missing():
    poor = [f for f in FIRM if f.key not in ("size_class", "revenue_last_year")] + facts(
        revenue_last_year=Decimal("500"))
    verdict = evaluate(SMALL_FIRM, poor, on=D(2026, 8, 1))
    assert verdict.status == Status.NOT_ELIGIBLE
    assert "不符合：上年度营收 500 万元 < 800 万元" in [i.text for i in verdict.items]
    assert "需补充：企业规模" in [i.text for i in verdict.items]


def test_facts_are_taken_as_of_the_day_and_a_stale_one_is_missing():
    history = [
        Fact("revenue_last_year", Decimal("900"), source="税务", as_of=D(2025, 3, 1)),
        Fact("revenue_last_year", Decimal("700"), source="税务", as_of=D(2026, 9, 1)),
        *[f for f in FIRM if f.key != "revenue_last_year"],
    ]
    # On 2026-08-01 the newer figure is not known yet: 900 (as of 2025-03-01, 518 days old
    # — older than the 400 days version 2 accepts).
    stale = evaluate(SMALL_FIRM, history, on=D(2026, 8, 1))
    assert stale.status == Status.NEEDS_FACTS
    assert "需补充：上年度营收（现有数据截至 2025-03-01，已超过 400 天）" in [
        i.text for i in stale.items]
    later = evaluate(SMALL_FIRM, history, on=D(2026, 9, 2))
    assert later.status == Status.NOT_ELIGIBLE
    assert "不符合：上年度营收 700 万元 < 800 万元" in [i.text for i in later.items]
    assert later.used["revenue_last_year"].source == "税务"


@pytest.mark.parametrize(("condition", "value", "text"), [
    (Condition("tax_credit_grade", "eq", "A", "纳税信用等级为A级"), "B",
     "不符合：纳税信用等级为A级（纳税信用等级：B）"),
    (Condition("industry_code", "prefix", ("C", "I65"), "属制造业或软件业"), "H6210",
     "不符合：属制造业或软件业（国民经济行业：H6210）"),
    (Condition("employees", "between", (10, 99), "从业人员10至99人"), 120,
     "不符合：从业人员 120 人，不在 10–99 人之间"),
    (Condition("high_tech", "is_true", None, "为高新技术企业"), False,
     "不符合：为高新技术企业（高新技术企业：否）"),
    (Condition("registered_on", "years_since_lt", 3, "成立不满3年"), D(2020, 5, 1),
     "不符合：成立不满3年（成立日期：2020-05-01）"),
    (Condition("employees", "lt", 100, "从业人员少于100人"), 100,
     "不符合：从业人员 100 人 ≥ 100 人"),
])
def test_each_kind_of_condition_explains_a_failure(condition, value, text):
    rule = Benefit(code="X", name="X", versions=(
        RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(condition,)),))
    verdict = evaluate(rule, [Fact(condition.fact, value, "测试", D(2026, 1, 1))],
                       on=D(2026, 3, 1))
    assert verdict.status == Status.NOT_ELIGIBLE
    assert verdict.items[0].text == text


def test_a_young_firm_meets_the_age_condition_on_the_day_asked():
    rule = Benefit(code="X", name="X", versions=(RuleVersion(
        version=1, effective_from=D(2026, 1, 1),
        conditions=(Condition("registered_on", "years_since_lt", 3, "成立不满3年"),)),))
    young = [Fact("registered_on", D(2023, 3, 2), "企业开办", D(2023, 3, 2))]
    assert evaluate(rule, young, on=D(2026, 3, 1)).status == Status.ELIGIBLE
    assert evaluate(rule, young, on=D(2026, 3, 2)).status == Status.NOT_ELIGIBLE


def test_rules_that_cannot_be_read_are_refused_when_made():
    with pytest.raises(RuleError, match="未知的条件类型"):
        Condition("employees", "roughly", 10, "约10人")
    with pytest.raises(RuleError, match="未知的信息项"):
        Condition("shoe_size", "gte", 10, "鞋码")
    with pytest.raises(RuleError, match="生效"):
        RuleVersion(version=1, effective_from=D(2026, 2, 1), effective_to=D(2026, 1, 1),
                    conditions=())
    with pytest.raises(FormulaError):
        RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(),
                    amount="__import__('os').system('true')")
    with pytest.raises(RuleError, match="重叠"):
        Benefit(code="X", name="X", versions=(
            RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=()),
            RuleVersion(version=2, effective_from=D(2026, 6, 1), conditions=())))


def test_formulas_are_exact_and_closed():
    assert formula_value("min(revenue_last_year * 0.01, 5)",
                         {"revenue_last_year": Decimal("820")}) == Decimal("5")
    assert formula_value("round(employees * 333.333, 2)", {"employees": 3}) == Decimal("1000.00")
    with pytest.raises(FormulaError):
        formula_value("employees ** 99", {"employees": 3})
    with pytest.raises(FormulaError):
        formula_value("employees.__class__", {"employees": 3})


# --- persons as subjects (人才 benefits) -----------------------------------------------------

TALENT_HOUSING = Benefit(code="RC-ZF", name="人才住房补贴", versions=(
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("education", "in", ("doctorate", "master", "bachelor"), "大学本科及以上学历"),
        Condition("birth_date", "years_since_lt", 40, "年龄未满40周岁"),
        Condition("social_insurance_region", "prefix", ("430481",), "在耒阳市参保"),
        Condition("social_insurance_months", "gte", 6, "社保连续缴纳满6个月"),
        Condition("owns_home_locally", "is_false", None, "本人在本市无自有住房"),
    ), amount="20000", max_fact_age_days=200),
))


def person(birth: dt.date, **values: object) -> list[Fact]:
    return [Fact("birth_date", birth, "公民身份号码", birth), *facts(**values)]


GRADUATE = {"education": "master", "social_insurance_region": "430481000000",
            "social_insurance_months": Decimal("14"), "owns_home_locally": False}


def test_a_person_is_decided_on_their_own_facts_and_age_counts_whole_years():
    # Born 1986-08-02: 39 on 2026-08-01, 40 the day after — the anniversary decides.
    day_before = evaluate(TALENT_HOUSING, person(D(1986, 8, 2), **GRADUATE), on=D(2026, 8, 1))
    assert day_before.status == Status.ELIGIBLE and day_before.amount == Decimal("20000")
    birthday = evaluate(TALENT_HOUSING, person(D(1986, 8, 2), **GRADUATE), on=D(2026, 8, 2))
    assert birthday.status == Status.NOT_ELIGIBLE
    assert "不符合：年龄未满40周岁（出生日期：1986-08-02）" in [i.text for i in birthday.items]


def test_a_lasting_fact_is_never_stale_but_a_file_fact_is():
    # The birth date is 40 years old and the version refuses facts older than 200 days: the
    # birth date still decides; the 社保 figures of 2026-03-01 are stale by 2026-10-01.
    verdict = evaluate(TALENT_HOUSING, person(D(1990, 1, 1), **GRADUATE), on=D(2026, 10, 1))
    assert verdict.status == Status.NEEDS_FACTS
    assert set(verdict.missing) == {"education", "social_insurance_region",
                                    "social_insurance_months", "owns_home_locally"}
    assert "符合：年龄未满40周岁" in [i.text for i in verdict.items]


def test_a_person_missing_a_file_fact_needs_it_never_a_guess():
    partial = {k: v for k, v in GRADUATE.items() if k != "owns_home_locally"}
    verdict = evaluate(TALENT_HOUSING, person(D(1995, 5, 5), **partial), on=D(2026, 5, 1))
    assert verdict.status == Status.NEEDS_FACTS and verdict.missing == ("owns_home_locally",)
    assert "需补充：本人在本市有自有住房" in [i.text for i in verdict.items]


def test_a_rule_may_only_read_facts_said_of_its_subjects():
    from zhengwu.policies.eligibility import ENTERPRISE, PERSON, subject_check

    subject_check(TALENT_HOUSING.versions[0], PERSON)
    with pytest.raises(RuleError, match=r"出生日期.*不是企业的信息"):
        subject_check(TALENT_HOUSING.versions[0], ENTERPRISE)
    revenue = RuleVersion(version=2, effective_from=D(2026, 1, 1), conditions=(
        Condition("dishonest", "is_false", None, "未列入失信名单"),  # said of both
    ), amount="revenue_last_year * 0.01")
    with pytest.raises(RuleError, match="上年度营收不是个人的信息"):
        subject_check(revenue, PERSON)
    subject_check(revenue, ENTERPRISE)


# --- licences held (the platform's own records) ---------------------------------------------

FOOD = "114300000000000001"  # a 证照类型代码 (issuer's USCC + sequence), illustrative
CATERING_AWARD = Benefit(code="CY", name="餐饮业稳岗奖补", versions=(
    RuleVersion(version=1, effective_from=D(2026, 1, 1), conditions=(
        Condition("licences_held", "has", FOOD, "持有有效的食品经营许可证"),
        Condition("dishonest", "is_false", None, "未列入失信名单"),
    ), max_fact_age_days=30),
))


def test_a_licence_held_here_answers_and_one_not_held_here_needs_proof() -> None:
    held = [Fact("licences_held", frozenset({FOOD}), "本平台电子证照", D(2024, 5, 1)),
            *facts(dishonest=False)]
    # Held since 2024: a lasting fact, not stale for the 30-day limit.
    assert evaluate(CATERING_AWARD, held, on=D(2026, 3, 10)).status == Status.ELIGIBLE
    other = [Fact("licences_held", frozenset({"999"}), "本平台电子证照", D(2024, 5, 1)),
             *facts(dishonest=False)]
    verdict = evaluate(CATERING_AWARD, other, on=D(2026, 3, 10))
    assert verdict.status == Status.NEEDS_FACTS  # never 不符合: a paper licence may exist
    assert "需补充：持有有效的食品经营许可证（本平台无该证照记录，请提供证照）" in [
        i.text for i in verdict.items]
    none = evaluate(CATERING_AWARD, facts(dishonest=False), on=D(2026, 3, 10))
    assert none.status == Status.NEEDS_FACTS and none.missing == ("licences_held",)
    # A failed other condition still decides.
    assert evaluate(CATERING_AWARD, facts(dishonest=True), on=D(2026, 3, 10)).status \
        == Status.NOT_ELIGIBLE


def test_has_is_only_for_licences_and_licences_only_with_has() -> None:
    with pytest.raises(RuleError, match="只能用 has"):
        Condition("licences_held", "eq", FOOD, "持证")
    with pytest.raises(RuleError, match="只能用 has"):
        Condition("employees", "has", "1", "人数")
