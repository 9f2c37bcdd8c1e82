"""事项要素质检 rules, each with a plain reason."""

from decimal import Decimal

from zhengwu.catalog.quality import GuideFacts, MaterialFacts, check


def facts(**overrides):
    values = {"legal_basis": "《中华人民共和国行政许可法》", "legal_limit": Decimal(20),
              "promised_limit": Decimal(2), "online_depth": 3, "trips": 1,
              "materials": (MaterialFacts("申请书", "applicant", False),), "fees": ()}
    values.update(overrides)
    return GuideFacts(**values)


def rules(f):
    return [finding.rule for finding in check(f)]


def test_a_clean_guide_has_no_findings():
    assert check(facts()) == []


def test_promised_over_legal():
    findings = check(facts(promised_limit=Decimal(25)))
    assert [f.rule for f in findings] == ["promised_over_legal"]
    assert "25" in findings[0].reason and "20" in findings[0].reason


def test_missing_legal_basis():
    assert rules(facts(legal_basis="  ")) == ["missing_legal_basis"]


def test_catch_all_materials():
    for name in ("其他相关材料", "其它材料", "有关证明材料", "要求提供的其他所需材料"):
        assert "catch_all_material" in rules(facts(materials=(MaterialFacts(name, "applicant", False),))), name
    assert rules(facts(materials=(MaterialFacts("身份证明", "applicant", False),))) == []


def test_government_issued_document_demanded_from_the_applicant():
    paper = MaterialFacts("营业执照", "applicant", True)
    shared = MaterialFacts("营业执照", "e_license", True)
    assert rules(facts(materials=(paper,))) == ["government_issued_material"]
    assert rules(facts(materials=(shared,))) == []


def test_fee_without_basis():
    assert rules(facts(fees=(("工本费", ""),))) == ["fee_without_basis"]
    assert rules(facts(fees=(("登记费", "发改价格规〔2016〕2559号"),))) == []


def test_full_online_with_trips():
    assert rules(facts(online_depth=4, trips=1)) == ["full_online_with_trips"]
    assert rules(facts(online_depth=4, trips=0)) == []
