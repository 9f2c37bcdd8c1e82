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


# --- the application form (issue 10) ------------------------------------------------------

def _form(*fields, illustrative=False):
    from zhengwu.catalog.application_form import FormDefinition

    return FormDefinition.model_validate({"title": "申请表", "illustrative": illustrative,
                                          "fields": list(fields)})


def test_a_clear_form_has_no_findings():
    form = _form({"key": "name", "kind": "text", "label": "经营者名称"},
                 {"key": "staff", "kind": "group", "label": "从业人员",
                  "fields": [{"key": "name", "kind": "text", "label": "姓名"}]})
    assert check(facts(form=form, code_sets=frozenset())) == []


def test_form_asking_for_a_material_again():
    materials = (MaterialFacts("申请书", "applicant", False),
                 MaterialFacts("《营业执照》复印件", "applicant", False),
                 MaterialFacts("经营场所平面布局图", "applicant", False))
    form = _form({"key": "licence", "kind": "text", "label": "营业执照复印件"},
                 {"key": "plan", "kind": "file", "label": "平面布局图"},
                 {"key": "photo", "kind": "file", "label": "门头照片"},
                 {"key": "name", "kind": "text", "label": "姓名"},
                 {"key": "premises", "kind": "text", "label": "经营场所平面布局"})
    findings = check(facts(materials=materials, form=form))
    assert [f.rule for f in findings] == ["form_duplicates_material"] * 3
    assert "“营业执照复印件”与申请材料“《营业执照》复印件”重复" in findings[0].reason
    assert "与申请材料“经营场所平面布局图”重复" in findings[1].reason
    assert "“门头照片”要求上传附件：" in findings[2].reason


def test_a_fact_the_material_proves_is_not_a_duplicate():
    materials = (MaterialFacts("婚姻状况证明", "applicant", False),
                 MaterialFacts("营业执照原件", "applicant", False))
    form = _form({"key": "marital", "kind": "text", "label": "婚姻状况"},
                 {"key": "licence", "kind": "text", "label": "营业执照", "help": "执照名称"})
    assert rules(facts(materials=materials, form=form)) == ["form_duplicates_material"]


def test_unclear_fields_without_help():
    form = _form({"key": "kind", "kind": "text", "label": "类型"},
                 {"key": "kind2", "kind": "text", "label": "类型", "help": "填写经营类型"},
                 {"key": "note", "kind": "text", "label": "备注", "help": "其他需要说明的情况"},
                 {"key": "g", "kind": "group", "label": "股东",
                  "fields": [{"key": "a", "kind": "text", "label": "地址"}]})
    findings = check(facts(form=form))
    assert [f.rule for f in findings] == ["form_field_unclear"] * 2
    assert findings[0].reason.startswith("申请表字段“类型”与同级另一字段同名")
    assert findings[1].reason.startswith("申请表字段“股东·地址”名称过于笼统")


def test_illustrative_form_and_missing_code_set():
    form = _form({"key": "t", "kind": "choice", "label": "主体业态", "code_set": "food"},
                 illustrative=True)
    assert rules(facts(form=form, code_sets=frozenset({"food"}))) == ["form_illustrative"]
    assert rules(facts(form=form, code_sets=frozenset())) == ["form_illustrative",
                                                              "form_code_set_missing"]


def test_a_material_that_is_the_form_itself_is_listed():
    """食品经营许可证核发: the guide still asks for an uploaded 食品经营许可申请书 although the
    applicant fills in that very form online."""
    from zhengwu.catalog.application_form import FormDefinition

    form = FormDefinition.model_validate({"title": "食品经营许可申请书", "fields": [
        {"key": "name", "kind": "text", "label": "经营者名称"}]})
    materials = (MaterialFacts("《食品经营许可申请书》", "applicant", False),
                 MaterialFacts("申请书", "applicant", False))
    findings = check(facts(materials=materials, form=form))
    assert [f.rule for f in findings] == ["form_duplicates_material"]
    assert "申请材料“《食品经营许可申请书》”就是本事项的申请表" in findings[0].reason
    # Dropped from the guide (免提交), it is no longer listed.
    dropped = (MaterialFacts("食品经营许可申请书", "not_required", False),)
    assert rules(facts(materials=dropped, form=form)) == []
