"""The policy library kept by the departments: a document entered (mistakes shown next to
their fields, nothing typed lost, a duplicate 文号 a field error), a 解读 with Q&A added, and
立改废 — 已修订 must name its successor (a field error, never the CHECK's IntegrityError),
the old page links to the new one and search follows, each change with its audit row."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.core.models import AuditEvent
from zhengwu.policies.models import DocumentStatus, PolicyDocument

PACK_NUMBER = "耒人社发〔2026〕1号（示例）"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _document(**changes: Any) -> dict[str, Any]:
    data = {"title": "耒阳市失业保险稳岗返还实施办法（2027年修订，测试）",
            "doc_number": "耒人社发〔2027〕2号", "issuer": "耒阳市人力资源和社会保障局",
            "issued_on": "2026-11-20", "effective_on": "2026-12-01", "expires_on": "",
            "full_text": "第一条 修订后的稳岗返还办法。"}
    data.update(changes)
    return data


def _search(q: str) -> list[str]:
    return [hit["title"] for hit in Client().get("/api/v1/search", {"q": q}).json()["policies"]]


def test_entering_a_document_refuses_field_by_field_keeping_everything(db: Any) -> None:
    renshe = _client("renshe")
    bad = renshe.post("/policies/staff/documents/new/", _document(
        doc_number=PACK_NUMBER, effective_on="2026-11-01"))
    assert bad.status_code == 422
    form = bad.context["form"]
    assert form.errors["doc_number"] == [f"文号“{PACK_NUMBER}”已有文件，同一文号只能登记一次。"]
    assert form.errors["effective_on"] == ["施行日期不能早于成文日期。"]
    empty = renshe.post("/policies/staff/documents/new/", _document(issuer=""))
    assert "issuer" in empty.context["form"].errors and empty.status_code == 422
    page = bad.content.decode()
    assert "耒阳市失业保险稳岗返还实施办法（2027年修订，测试）" in page
    assert "第一条 修订后的稳岗返还办法。" in page
    made = renshe.post("/policies/staff/documents/new/", _document())
    assert made.status_code == 302
    created = PolicyDocument.objects.get(doc_number="耒人社发〔2027〕2号")
    assert created.department is not None and created.department.short_name == "市人社局"
    assert AuditEvent.objects.filter(action="policies.document_create",
                                     object_id=str(created.pk)).count() == 1
    assert "耒阳市失业保险稳岗返还实施办法（2027年修订，测试）" in _search("2027年修订")
    listing = renshe.get("/policies/staff/").content.decode()
    assert "登记政策文件" in listing and "耒人社发〔2027〕2号" in listing


def test_who_may_enter_and_change_documents(db: Any) -> None:
    assert _client("canyin").get("/policies/staff/documents/new/").status_code == 403
    pack = PolicyDocument.objects.get(doc_number=PACK_NUMBER)
    market = _client("chief")  # another department's chief representative
    assert market.get("/policies/staff/documents/new/").status_code == 200
    assert market.get(f"/policies/documents/{pack.pk}/status/").status_code == 403
    assert market.post(f"/policies/documents/{pack.pk}/interpretations/new/",
                       {"title": "x", "body": "y", "published_on": "2026-12-01"}
                       ).status_code == 403
    assert "变更状态" not in Client().get(f"/policies/documents/{pack.pk}/").content.decode()


def test_an_interpretation_with_questions_and_answers(db: Any) -> None:
    pack = PolicyDocument.objects.get(doc_number=PACK_NUMBER)
    renshe = _client("renshe")
    url = f"/policies/documents/{pack.pk}/interpretations/new/"
    bad = renshe.post(url, {"title": "图解稳岗返还（测试）", "body": "三步看懂。",
                            "questions": "问：要申请吗？\n要不要？", "published_on": "2026-12-01"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["questions"] == ["第2行：每行以“问：”或“答：”开头。"]
    assert "图解稳岗返还（测试）" in bad.content.decode()
    good = renshe.post(url, {"title": "图解稳岗返还（测试）", "body": "三步看懂。",
                             "questions": "问：要申请吗？\n答：不用。\n\n问：钱到哪里？\n答：基本账户。",
                             "published_on": "2026-12-01"})
    assert good.status_code == 302
    row = pack.interpretations.get(title="图解稳岗返还（测试）")
    assert row.questions == [{"q": "要申请吗？", "a": "不用。"}, {"q": "钱到哪里？", "a": "基本账户。"}]
    assert AuditEvent.objects.filter(action="policies.interpretation_add").count() == 1
    assert "问：钱到哪里？" in Client().get(f"/policies/documents/{pack.pk}/").content.decode()
    assert "耒阳市失业保险稳岗返还“免申即享”实施办法（示例）" in _search("图解稳岗返还")


def test_revised_must_name_its_successor_then_links_to_it_and_leaves_search(db: Any) -> None:
    renshe = _client("renshe")
    pack = PolicyDocument.objects.get(doc_number=PACK_NUMBER)
    url = f"/policies/documents/{pack.pk}/status/"
    refused = renshe.post(url, {"status": "revised", "on": "", "successor": ""})
    assert refused.status_code == 422
    assert refused.context["form"].errors["successor"] == ["已修订须选择修订后的文件。"]
    assert PolicyDocument.objects.get(pk=pack.pk).status == DocumentStatus.VALID
    renshe.post("/policies/staff/documents/new/", _document())
    successor = PolicyDocument.objects.get(doc_number="耒人社发〔2027〕2号")
    assert "耒阳市失业保险稳岗返还“免申即享”实施办法（示例）" in _search("稳岗返还")
    done = renshe.post(url, {"status": "revised", "on": "", "successor": successor.pk,
                             "reason": "耒人社发〔2027〕2号"})
    assert done.status_code == 302
    pack.refresh_from_db()
    assert pack.status == DocumentStatus.REVISED and pack.superseded_by == successor
    assert str(pack.expires_on) == "2026-11-30"  # the day before the successor took effect
    audit = AuditEvent.objects.get(action="policies.document_status", object_id=str(pack.pk))
    assert audit.reason == "耒人社发〔2027〕2号"
    page = Client().get(f"/policies/documents/{pack.pk}/").content.decode()
    assert f"已被《<a href=\"/policies/documents/{successor.pk}/\">" in page
    assert "耒阳市失业保险稳岗返还实施办法（2027年修订，测试）</a>》" in page and "修订" in page
    titles = _search("稳岗返还")
    assert "耒阳市失业保险稳岗返还“免申即享”实施办法（示例）" not in titles
    assert "耒阳市失业保险稳岗返还实施办法（2027年修订，测试）" in titles
    staff = renshe.get("/policies/staff/WG-2026/").content.decode()
    assert "政策依据状态：已修订（已被《" in staff  # the department is told
    again = renshe.post(url, {"status": "expired", "on": "2026-12-01"})
    assert again.status_code in (403, 422)  # no longer in force: not changed again


def test_expired_needs_its_day(db: Any) -> None:
    renshe = _client("renshe")
    pack = PolicyDocument.objects.get(doc_number=PACK_NUMBER)
    url = f"/policies/documents/{pack.pk}/status/"
    refused = renshe.post(url, {"status": "expired", "on": ""})
    assert refused.context["form"].errors["on"] == ["请填写失效日期。"]
    early = renshe.post(url, {"status": "expired", "on": "2026-01-01"})
    assert early.context["form"].errors["on"] == ["失效日期不能早于施行日期。"]
    assert renshe.post(url, {"status": "expired", "on": "2026-06-30"}).status_code == 302
    pack.refresh_from_db()
    assert pack.status == DocumentStatus.EXPIRED and str(pack.expires_on) == "2026-06-30"
    assert "本文件已失效（2026-06-30）" in Client().get(
        f"/policies/documents/{pack.pk}/").content.decode()
