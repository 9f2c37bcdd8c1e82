"""Signed notices (issue 11 item 9): every case notice is SM2-signed by its department's key
when it is issued, the verification page checks the signature over the stored bytes (not only
the row), a one-byte change fails (scorecard row 18), and notices issued before signatures
are reported as such. No PDF is rendered here except where one is read."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from zhengwu.cases import notices, sweeps
from zhengwu.cases.models import Notice, NoticeKind
from zhengwu.cases.services import MoveIn, case_transition, notice_issue
from zhengwu.core import sm2
from zhengwu.core.errors import Conflict
from zhengwu.departments.models import Department
from zhengwu.licences.canonical import canonical_loads
from zhengwu.licences.notice_signature import UNSIGNED_REASON, notice_digest
from zhengwu.licences.signing import signer_get
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

MASKED_ID = "430***********123X"
# A representative content per kind, as the moves write them (cases.services, cases.results).
CONTENT = {
    NoticeKind.ACCEPTANCE: {"due_at": "2026-03-16T17:00:00+08:00", "provisional": False},
    NoticeKind.REFUSAL: {"reason": "不属于本机关职权范围"},
    NoticeKind.SUPPLEMENT: {"items": [{"material": "营业场所平面图", "reason": "不清晰"}]},
    NoticeKind.SUSPENSION: {"kind": "expert_review", "reason": "专家评审", "days": 10},
    NoticeKind.EXTENSION: {"reason": "情况复杂", "new_due": "2026-04-01T17:00:00+08:00"},
    NoticeKind.GRANT: {"reason": "符合条件"},
    NoticeKind.DENIAL: {"reason": "不符合条件"},
    NoticeKind.DEEMED: {"due_at": "2026-03-16T17:00:00+08:00"},
    NoticeKind.REVOCATION: {"reason": "告知承诺不实"},
    NoticeKind.FILING: {"reason": ""},
    NoticeKind.FILING_DENIAL: {"reason": "材料不全"},
    NoticeKind.COMPLETION: {},
    NoticeKind.NOT_DONE: {"reason": "不符合条件"},
}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def accepted(food, submit, clerk):
    case = submit(food)
    return case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))


def verify_page(client, notice):
    response = client.get(reverse("cases:notice_verify", args=[notice.verify_code]))
    assert response.status_code == 200
    return response.content.decode()


def signed_document(notice):
    return canonical_loads(bytes(notice.signed_data))


def test_the_acceptance_is_signed_by_its_departments_key(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    department = accepted.department
    signer = signer_get(department.uscc)
    assert notice.kid == signer.kid
    assert sm2.verify(signer.public_key, bytes(notice.signed_data), bytes(notice.signature))
    document = signed_document(notice)
    assert document["type"] == "ZhengwuNotice"
    assert document["kind"] == NoticeKind.ACCEPTANCE
    assert document["number"] == notice.number
    assert document["verifyCode"] == notice.verify_code
    assert document["issuedAt"] == "2026-03-02T10:00:00+08:00"
    assert document["issuer"] == {"id": department.uscc, "name": department.name,
                                  "kid": signer.kid}
    assert document["subject"] == {"type": "case", "number": accepted.number,
                                   "item": accepted.implementation.item.name}
    # The applicant masked: the signed bytes are kept and shown, the ID number is not.
    assert document["applicant"] == {"kind": "person", "name": "张*", "idNumber": MASKED_ID}
    assert accepted.applicant_id_number.encode() not in bytes(notice.signed_data)
    assert notices.signature_of(notice).state == "valid"


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_notice_kind_is_signed_and_verifies(accepted, kind):
    notice = notice_issue(accepted, kind, dict(CONTENT[kind]))
    notice.refresh_from_db()
    check = notices.signature_of(notice)
    assert check.state == "valid", check.reason
    document = signed_document(notice)
    assert document["kind"] == kind
    assert document["title"] == NoticeKind(kind).label
    # Numbers travel as text in the canonical form (licences.canonical has none).
    assert document["content"] == {k: (str(v) if isinstance(v, int) and not isinstance(v, bool)
                                       else v) for k, v in CONTENT[kind].items()}


def test_a_one_byte_change_of_the_stored_bytes_fails(client, accepted):
    """Scorecard row 18: every single byte of the signed content is covered."""
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    original = bytes(notice.signed_data)
    for position in (0, len(original) // 2, len(original) - 1):
        changed = bytearray(original)
        changed[position] ^= 0x01
        Notice.objects.filter(pk=notice.pk).update(signed_data=bytes(changed))
        notice.refresh_from_db()
        check = notices.signature_of(notice)
        assert check.state == "invalid", position
    page = verify_page(client, notice)
    assert "签名无效" in page
    assert "签名验证失败" in page
    assert 'data-state="invalid"' in page


def test_a_changed_signature_fails(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    signature = bytearray(notice.signature)
    signature[-1] ^= 0x01
    notice.signature = bytes(signature)
    assert notices.signature_of(notice).state == "invalid"


def test_a_row_edited_behind_the_signature_shows_invalid(client, accepted):
    """The row says something the signature does not: the page does not trust the row."""
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    Notice.objects.filter(pk=notice.pk).update(kind=NoticeKind.GRANT)
    notice.refresh_from_db()
    check = notices.signature_of(notice)
    assert check.state == "invalid"
    assert "文书种类" in check.reason
    assert "签名无效" in verify_page(client, notice)


def test_a_signature_by_another_departments_key_fails(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    other = Department.objects.exclude(pk=accepted.department_id).order_by("pk").first()
    foreign = signer_get(other.uscc)
    notice.signature, notice.kid = foreign.sign(bytes(notice.signed_data)), foreign.kid
    check = notices.signature_of(notice)
    assert check.state == "invalid"
    assert other.uscc in check.reason


def test_the_page_shows_a_valid_signature_with_the_printed_digest(client, accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    page = verify_page(client, notice)
    assert 'data-state="valid"' in page
    assert "签名有效" in page
    assert notice.kid in page
    assert notice_digest(notice.signed_data) in page
    assert "核验通过" in page


def test_a_notice_issued_before_signatures_is_not_a_failure(client, accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    Notice.objects.filter(pk=notice.pk).update(signed_data=b"", signature=b"", kid="")
    notice.refresh_from_db()
    check = notices.signature_of(notice)
    assert check.state == "unsigned"
    page = verify_page(client, notice)
    assert "此文书签发于启用电子签名之前" in page
    assert UNSIGNED_REASON in page
    assert "签名无效" not in page
    assert notice.number in page  # the database facts are still shown


def test_an_unknown_key_is_told_not_called_invalid(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    notice.kid = "0" * 16
    check = notices.signature_of(notice)
    assert check.state == "unknown_key"
    assert "无法核验" in check.label


def test_a_department_without_a_key_cannot_issue_a_notice(food, submit, clerk, settings,
                                                         tmp_path):
    """Never an unsigned notice: the move is refused (409) and nothing of it is kept."""
    case = submit(food)
    settings.ZHENGWU_LICENCE_KEY_DIR = str(tmp_path / "empty")  # no key file for anyone
    with pytest.raises(Conflict) as refused:
        case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    assert refused.value.code == "notices.signing_unavailable"
    case.refresh_from_db()
    assert case.status == "submitted"
    assert not case.notices.exists()


def test_the_sweeps_deemed_notice_is_signed(food, submit, clerk):
    case = submit(food)
    case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    assert case.deemed_eligible
    sweeps.deem_overdue(case.due_at + dt.timedelta(hours=1))
    notice = case.notices.get(kind=NoticeKind.DEEMED)
    check = notices.signature_of(notice)
    assert check.state == "valid", check.reason
    assert signed_document(notice)["subject"]["number"] == case.number


def test_a_department_without_a_key_does_not_hold_up_every_deemed_approval(
        food, submit, clerk, settings, tmp_path, caplog):
    """One department's missing key leaves its own overdue cases for the next run (logged,
    audited, counted) — the other departments' deemed approvals are made."""
    import shutil
    from pathlib import Path

    from zhengwu.cases.models import Case, CaseStatus, Decision
    from zhengwu.core.models import AuditEvent

    first = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn(action="accept"))
    second = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn(action="accept"))
    health = Department.objects.get(short_name="市卫健局")
    Case.objects.filter(pk=second.pk).update(department=health)
    keys, original = tmp_path / "keys", settings.ZHENGWU_LICENCE_KEY_DIR
    shutil.copytree(original, keys)
    for path in Path(keys).glob(f"{health.uscc}.*"):
        path.unlink()
    settings.ZHENGWU_LICENCE_KEY_DIR = str(keys)
    later = max(first.due_at, second.due_at) + dt.timedelta(hours=1)
    assert sweeps.deem_overdue(later) == 1
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, first.decision) == (CaseStatus.DECIDED, Decision.DEEMED_APPROVED)
    assert second.status == CaseStatus.ACCEPTED
    held = AuditEvent.objects.get(action="cases.deem_held")
    assert held.after["departments"] == [{"department": health.name, "cases": 1}]
    assert health.name in caplog.text
    report = sweeps.run(later)
    assert report.held == 1 and "签名密钥不可用暂缓 1" in report.summary()
    # With its key back, the next run decides it.
    settings.ZHENGWU_LICENCE_KEY_DIR = original
    assert sweeps.deem_overdue(later) == 1
    second.refresh_from_db()
    assert second.decision == Decision.DEEMED_APPROVED


def test_the_pdf_prints_the_key_id_and_digest(accepted):
    notice = accepted.notices.get(kind=NoticeKind.ACCEPTANCE)
    reader = PdfReader(io.BytesIO(notices.notice_pdf(notice)))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert notice.kid in text
    assert notice_digest(notice.signed_data) in text


def test_the_notices_api_gives_the_key_id_and_printed_digest(client_for, applicant, accepted):
    """GET /api/v1/cases/{number}/notices keeps its shape and adds the signature's facts."""
    response = client_for(applicant).get(f"/api/v1/cases/{accepted.number}/notices")
    assert response.status_code == 200
    item = response.json()["items"][0]
    notice = accepted.notices.get(pk=item["id"])
    assert item["kid"] == notice.kid
    assert item["signature_digest"] == notice_digest(notice.signed_data)
    assert {"number", "verify_code", "pdf_url", "kind"} <= set(item)


def test_licence_keys_departments_makes_the_missing_keys_once(settings, tmp_path, capsys):
    """An installation loaded before notices were signed makes its departments' keys once."""
    from django.core.management import call_command

    settings.ZHENGWU_LICENCE_KEY_DIR = str(tmp_path)
    call_command("licence_keys", "departments")
    count = Department.objects.count()
    assert f"已为 {count} 个部门生成密钥文件" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.key"))) == count
    call_command("licence_keys", "departments")
    assert "各部门均已有密钥" in capsys.readouterr().out
