"""Persons as subjects of benefits (issue 14 §1: "an enterprise's or person's facts", 人才
subsidies), on the Leiyang pack's illustrative 人才住房补贴 (RC-ZF-2026) and the 市人社局's
person file: the person's facts (出生日期 from the ID number itself), the department's list
with ID numbers masked, the whole number only on an officer's request, every showing a read
the person sees, four-eyes 免申即享, and the person's own page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.accounts.tests.consented import consented
from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.departments.models import Department
from zhengwu.notifications.models import OutboxItem
from zhengwu.policies import facts, grants, person_reads, services
from zhengwu.policies.eligibility import PERSON, Status
from zhengwu.policies.fact_files import fact_file_import
from zhengwu.policies.models import Benefit, FactRecord, PolicyDocument, SubjectRead

ZHANGSAN, LISI, WANGWU = "43048119900101123X", "430481198604221012", "430481199207082017"
ZHAOLIU, QIANQI = "430481200001123026", "430481198811304056"
ZHANGSAN_MASKED = "430***********123X"


@pytest.fixture
def housing(db: Any) -> Benefit:
    return Benefit.objects.get(code="RC-ZF-2026")


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_persons_facts_come_from_the_file_and_the_id_number(housing: Benefit) -> None:
    assert FactRecord.objects.filter(subject_kind=PERSON, subject=ZHANGSAN).count() == 5
    zhangsan = facts.subject_get(ZHANGSAN, kind=PERSON)
    assert zhangsan is not None and zhangsan.name == "张三"
    born = [f for f in zhangsan.facts if f.key == "birth_date"]
    assert [(f.value.isoformat(), f.source) for f in born] == [
        ("1990-01-01", facts.ID_NUMBER)]
    # An enterprise is not asked about as a person, nor a person as an enterprise.
    assert facts.subject_get(ZHANGSAN) is None
    assert facts.subject_get("91430481MA4L00003J", kind=PERSON) is None


def test_the_departments_list_holds_the_eligible_persons_only(housing: Benefit) -> None:
    answers = {a.subject.code: a for a in services.eligible_answers(benefit=housing)}
    assert set(answers) == {ZHANGSAN, QIANQI}
    assert answers[ZHANGSAN].verdict.amount == 20000
    lisi = services.eligibility(benefit=housing, code=LISI)
    assert lisi is not None and lisi.verdict.status == Status.NOT_ELIGIBLE
    assert any(i.text.startswith("不符合：年龄未满40周岁（出生日期：1986-04-22）")
               for i in lisi.verdict.items)
    wangwu = services.eligibility(benefit=housing, code=WANGWU)
    assert wangwu is not None and wangwu.verdict.status == Status.NOT_ELIGIBLE
    zhaoliu = services.eligibility(benefit=housing, code=ZHAOLIU)
    assert zhaoliu is not None and zhaoliu.verdict.status == Status.NEEDS_FACTS
    assert "需补充：学历" in [i.text for i in zhaoliu.verdict.items]


def test_the_staff_page_masks_ids_logs_each_showing_and_unmasks_on_request(
        housing: Benefit) -> None:
    page = _client("renshe").get(f"/policies/staff/{housing.code}/")
    text = page.content.decode()
    assert page.status_code == 200 and ZHANGSAN_MASKED in text and ZHANGSAN not in text
    assert "显示完整身份证号码" in text
    reads = SubjectRead.objects.filter(benefit=housing)
    assert set(reads.values_list("id_number", flat=True)) == {ZHANGSAN, QIANQI}
    assert not reads.filter(unmasked=True).exists()
    assert reads.get(id_number=ZHANGSAN).purpose == person_reads.LIST_PURPOSE
    whole = _client("renshe").post(f"/policies/staff/{housing.code}/", {"action": "unmask"})
    assert whole.status_code == 200 and ZHANGSAN in whole.content.decode()
    unmasked = reads.filter(unmasked=True, id_number=ZHANGSAN).get()
    assert unmasked.purpose == person_reads.UNMASK_PURPOSE
    assert AuditEvent.objects.filter(action="policies.persons_read", reason=unmasked.purpose,
                                     object_id=str(housing.pk)).exists()
    # 电子监察 reads the list masked (logged) and may not ask for the whole number.
    supervisor = _client("supervisor")
    seen = supervisor.get(f"/policies/staff/{housing.code}/").content.decode()
    assert ZHANGSAN_MASKED in seen and "显示完整身份证号码" not in seen
    assert supervisor.post(f"/policies/staff/{housing.code}/",
                           {"action": "unmask"}).status_code == 403
    assert reads.filter(user__username="supervisor", unmasked=True).count() == 0
    assert reads.filter(user__username="supervisor").count() == 2


def test_four_eyes_grant_tells_the_person_who_reads_it_and_who_looked(housing: Benefit) -> None:
    renshe, chief = User.objects.get(username="renshe"), User.objects.get(username="chief_renshe")
    row = grants.grant_list_prepare(user=renshe, benefit_id=housing.pk)
    assert {g.subject for g in row.grants.all()} == {ZHANGSAN, QIANQI}
    grants.grant_list_move(number=row.number, user=chief, move=grants.ListMoveIn("confirm"))
    zhangsan = User.objects.get(username="zhangsan")
    told = OutboxItem.objects.get(recipient=zhangsan, category="policy")
    assert "您符合“人才住房补贴（示例）”" in told.body and "20000" in told.body
    _client("renshe").get(f"/policies/staff/{housing.code}/")  # a read the person will see
    page = _client("zhangsan").get("/policies/mine/").content.decode()
    assert "人才住房补贴（示例）（免申即享）" in page and "谁查看了我的信息" in page
    assert "李人社" in page and person_reads.LIST_PURPOSE in page
    assert "失业保险稳岗返还" not in page  # an enterprise's benefit is not judged for a person
    space = _client("zhangsan").get("/my/").content.decode()
    assert "人才住房补贴（示例）（免申即享）" in space
    canyin = _client("canyin").get("/policies/mine/").content.decode()
    assert "人才住房补贴" not in canyin and "失业保险稳岗返还" in canyin


def test_an_unverified_person_is_told_what_the_page_needs(db: Any) -> None:
    user = consented(User.objects.create_user(username="unverified", password="x",
                                              kind="person"))
    client = Client()
    client.force_login(user)
    page = client.get("/policies/mine/")
    assert page.status_code == 403 and "实名认证" in page.content.decode()


def test_a_person_file_is_checked_as_persons_files_are(db: Any) -> None:
    renshe = User.objects.get(username="renshe")
    department = Department.objects.get(short_name="市人社局")

    def load(text: str) -> Any:
        return fact_file_import(actor=SYSTEM, user=renshe, department=department,
                                source="市人社局 测试", file_name="t.csv",
                                content=text.encode())

    with pytest.raises(InvalidInput) as refused:
        load("公民身份号码,姓名,截至日期,学历,上年度营收\n"
             "430481199001011231,某某,2026-01-31,master,5\n")
    message = refused.value.message
    assert "“上年度营收”不是个人的信息" in message and "第2行" in message  # bad check char
    with pytest.raises(InvalidInput, match="不是企业的信息"):
        load("统一社会信用代码,名称,截至日期,学历\n91430481MA4L00003J,某某,2026-01-31,master\n")
    batch = load(f"公民身份号码,姓名,截至日期,学历\n{ZHAOLIU},赵六,2026-02-28,大学本科\n")
    assert batch.subject_kind == PERSON
    zhaoliu = services.eligibility(benefit=Benefit.objects.get(code="RC-ZF-2026"), code=ZHAOLIU)
    assert zhaoliu is not None and zhaoliu.verdict.status == Status.ELIGIBLE


def test_a_persons_benefit_may_not_read_an_enterprises_facts(db: Any) -> None:
    renshe = User.objects.get(username="renshe")
    data = services.BenefitIn(
        code="RC-TEST", name="测试人才补贴", kind="talent", mode="no_application",
        subject_kind=PERSON, description="测试",
        document_id=PolicyDocument.objects.get(doc_number="耒人社发〔2026〕2号（示例）").pk,
        rule=services.RuleIn("revenue_last_year gte 5 | 营收",
                             effective_from=dt.date(2026, 1, 1)))
    with pytest.raises(InvalidInput, match="上年度营收不是个人的信息"):
        services.benefit_publish(user=renshe, data=data)
    assert not Benefit.objects.filter(code="RC-TEST").exists()


def test_the_api_lists_persons_masked_logged_and_never_by_id_in_a_url(housing: Benefit) -> None:
    client = _client("renshe")
    rows = client.get(f"/api/v1/policies/benefits/{housing.code}/eligible").json()
    assert {r["subject"] for r in rows} == {ZHANGSAN_MASKED, "430***********4056"}
    assert {r["enterprise"] for r in rows} == {""} and {r["subject_kind"] for r in rows} == {
        "person"}
    assert SubjectRead.objects.filter(purpose=person_reads.API_PURPOSE).count() == 2
    refused = client.get(f"/api/v1/policies/benefits/{housing.code}/eligibility",
                         {"enterprise": "91430481MA4L00003J"})
    assert refused.status_code == 422 and refused.json()["code"] == "policies.person_benefit"
    listed = client.get("/api/v1/policies/benefits").json()
    assert {b["code"]: b["subject_kind"] for b in listed}["RC-ZF-2026"] == "person"


def test_one_benefits_answer_is_the_readers_own_kind_only(housing: Benefit) -> None:
    zhangsan = _client("zhangsan")
    one = zhangsan.get("/policies/mine/?benefit=rc-zf-2026")
    assert one.status_code == 200 and "人才住房补贴（示例）" in one.content.decode()
    assert zhangsan.get("/policies/mine/?benefit=WG-2026").status_code == 404
    assert _client("canyin").get("/policies/mine/?benefit=RC-ZF-2026").status_code == 404
    document = Client().get(f"/policies/documents/{housing.document_id}/").content.decode()
    assert "/policies/mine/?benefit=RC-ZF-2026" in document and "查看我是否符合" in document


def test_licences_issued_here_are_the_holders_facts(db: Any) -> None:
    from zhengwu.core.audit import SYSTEM
    from zhengwu.core.clock import SHANGHAI
    from zhengwu.licences.holder import Holder
    from zhengwu.licences.models import LicenceType
    from zhengwu.licences.services import licence_issue

    birth = LicenceType.objects.get(name="出生医学证明")
    before = facts.subject_get(ZHANGSAN, kind=PERSON)
    assert before is not None and not [f for f in before.facts if f.key == "licences_held"]
    licence_issue(licence_type=birth, holder=Holder(kind="person", name="张三",
                                                    id_number=ZHANGSAN),
                  payload={"childName": "张小三", "birthDate": "2026-11-30",
                           "institution": "耒阳市人民医院", "motherName": "李四",
                           "fatherName": "张三"},
                  actor=SYSTEM, source_case="C1",
                  now=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))
    after = facts.subject_get(ZHANGSAN, kind=PERSON)
    assert after is not None
    held = [f for f in after.facts if f.key == "licences_held"]
    assert [(set(f.value), f.source, f.as_of) for f in held] == [
        ({birth.code}, facts.LICENCES, dt.date(2026, 12, 1))]
    # Not before it was issued.
    earlier = facts.subject_get(ZHANGSAN, kind=PERSON, on=dt.date(2026, 11, 30))
    assert earlier is not None and not [f for f in earlier.facts if f.key == "licences_held"]
