"""Data sharing (issue 11 item 8): the pack's catalogue and records, a request per case that
is logged in the same transaction, the holder's preview, and nobody reading another's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core.errors import InvalidInput
from zhengwu.core.holder_ref import holder_ref
from zhengwu.core.models import AuditEvent
from zhengwu.sharing import services
from zhengwu.sharing.models import (
    DataUse,
    LocalRecord,
    SharedDataItem,
    SharingRequest,
    UseBasis,
    UseKind,
)
from zhengwu.sharing.pack import shared_data_load
from zhengwu.sharing.services import NoSharedData, shared_data_preview, sharing_request
from zhengwu.sharing.uselog import UseRefused, uselog_verify

ZHANGSAN_ID = "43048119900101123X"


@pytest.fixture
def reviewer(db: Any) -> User:
    return User.objects.get(username="reviewer")


def _request(applicant: User, actor_user: User, **kwargs: Any) -> SharingRequest:
    values: dict[str, Any] = {"case_number": "LY20260007", "item_code": "GA-HJ-001",
                              "purpose": "核验申请人户籍，代替户口簿复印件"}
    values.update(kwargs)
    return sharing_request(applicant=applicant, actor=actor_for(actor_user), **values)


def test_the_pack_loads_the_catalogue_and_records_by_holder_reference(db: Any) -> None:
    codes = set(SharedDataItem.objects.values_list("code", flat=True))
    assert {"GA-HJ-001", "MZ-HY-001", "RS-SB-001", "ZR-BDC-001", "SC-QY-001"} <= codes
    assert SharedDataItem.objects.get(code="GA-HJ-001").provider.short_name == "市公安局"
    assert LocalRecord.objects.filter(holder_ref=holder_ref(ZHANGSAN_ID)).count() == 4
    # The records are keyed by reference; the number is stored only inside the data it is.
    assert not LocalRecord.objects.filter(holder_ref=ZHANGSAN_ID).exists()
    assert shared_data_load(Path(settings.ZHENGWU_DEFAULT_PACK), actor=actor_for(None)) == 0


def test_a_record_with_a_field_the_item_does_not_list_is_refused(db: Any, tmp_path: Path) -> None:
    pack = json.loads((Path(settings.ZHENGWU_DEFAULT_PACK) / "shared_data.json").read_text())
    pack["records"][0]["data"]["secret"] = "x"
    (tmp_path / "shared_data.json").write_text(json.dumps(pack, ensure_ascii=False))
    with pytest.raises(InvalidInput, match="未列出的字段"), transaction.atomic():
        shared_data_load(tmp_path, actor=actor_for(None))


def test_a_request_returns_the_data_and_logs_the_use_with_case_purpose_and_basis(
        applicant: User, reviewer: User) -> None:
    request = _request(applicant, reviewer)
    assert request.data["name"] == "张三" and request.data["relation"] == "户主"
    assert list(request.data) == [f["key"] for f in request.item.fields]
    use = request.use
    assert (use.kind, use.case_number, use.basis, use.item_code) == (
        UseKind.SHARED_DATA_QUERY, "LY20260007", UseBasis.CONSENT, "GA-HJ-001")
    assert use.holder_ref == holder_ref(ZHANGSAN_ID) and use.actor_id == reviewer.pk
    assert use.department_label == "耒阳市市场监督管理局" and use.purpose.startswith("核验申请人户籍")
    event = AuditEvent.objects.get(action="sharing.request", object_id=str(request.pk))
    assert "张三" not in json.dumps(event.after, ensure_ascii=False)  # the data stays out
    assert uselog_verify() == []


def test_a_failure_after_the_log_row_leaves_no_log_row(applicant: User, reviewer: User,
                                                       monkeypatch: Any) -> None:
    uses, requests = DataUse.objects.count(), SharingRequest.objects.count()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _request(applicant, reviewer)
    assert (DataUse.objects.count(), SharingRequest.objects.count()) == (uses, requests)
    monkeypatch.undo()
    # A caller's transaction that rolls back takes the log row with it too.
    seen: list[int] = []

    def request_then_fail() -> None:
        with transaction.atomic():
            _request(applicant, reviewer)
            seen.append(DataUse.objects.count())
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        request_then_fail()
    assert seen == [uses + 1]
    assert DataUse.objects.count() == uses
    assert uselog_verify() == []


def test_nothing_at_the_provider_is_an_error_and_no_log_row(reviewer: User) -> None:
    lisi_less = User.objects.get(username="chuangye")  # 孙创业 has no marriage record
    before = DataUse.objects.count()
    with pytest.raises(NoSharedData):
        _request(lisi_less, reviewer, item_code="MZ-HY-001")
    assert DataUse.objects.count() == before


def test_an_item_about_another_kind_of_holder_is_refused(applicant: User, reviewer: User,
                                                         client_for: Any) -> None:
    with pytest.raises(InvalidInput, match="与申请人不符"):
        _request(applicant, reviewer, item_code="SC-QY-001")
    canyin = User.objects.get(username="canyin")
    assert _request(canyin, reviewer, item_code="SC-QY-001").data["legal_representative"] == "陈大厨"
    # The enterprise reads the use under its USCC's reference.
    uses = client_for(canyin).get("/api/v1/sharing/uses").json()
    assert uses["count"] == 1 and uses["items"][0]["item_code"] == "SC-QY-001"
    assert client_for(applicant).get("/api/v1/sharing/uses").json()["count"] == 0


def test_an_ex_officio_query_needs_its_legal_basis(applicant: User, reviewer: User) -> None:
    with pytest.raises(UseRefused, match="写明依据"):
        _request(applicant, reviewer, basis=UseBasis.LEGAL_BASIS)
    request = _request(applicant, reviewer, basis=UseBasis.LEGAL_BASIS,
                       basis_text="《政务信息资源共享管理暂行办法》第十条（示例）")
    assert request.use.basis_text.startswith("《政务信息资源共享管理暂行办法》")
    assert request.use.kind == UseKind.EX_OFFICIO_CHECK


def test_the_applicant_sees_their_request_and_nobody_else_does(applicant: User, reviewer: User,
                                                               client_for: Any) -> None:
    request = _request(applicant, reviewer)
    own = client_for(applicant)
    page = own.get(reverse("sharing:request", args=[request.pk]))
    assert page.status_code == 200 and "户主" in page.content.decode()
    api = own.get(f"/api/v1/sharing/requests/{request.pk}").json()
    assert api["case_number"] == "LY20260007" and {"label": "姓名", "value": "张三"} in api["rows"]
    row = own.get("/api/v1/sharing/uses").json()["items"][0]
    assert row["url"] == reverse("sharing:request", args=[request.pk])
    assert row["url"] in own.get(reverse("sharing:my_uses")).content.decode()
    other = client_for(User.objects.get(username="chuangye"))
    assert other.get(reverse("sharing:request", args=[request.pk])).status_code == 404
    answer = other.get(f"/api/v1/sharing/requests/{request.pk}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert own.get("/api/v1/sharing/requests/999999999").status_code == 404


def test_the_holder_previews_their_own_data_and_the_preview_is_logged(
        applicant: User, client_for: Any) -> None:
    client = client_for(applicant)
    url = reverse("sharing:preview", args=["RS-SB-001"])
    assert "正常参保" not in client.get(url).content.decode()  # shown only when asked
    page = client.post(url)
    assert page.status_code == 200 and "正常参保" in page.content.decode()
    use = DataUse.objects.order_by("-seq").first()
    assert use is not None and (use.kind, use.basis, use.actor_id) == (
        UseKind.PREVIEW, UseBasis.HOLDER, applicant.pk)
    rows = client.post("/api/v1/sharing/items/ZR-BDC-001/preview").json()["rows"]
    assert {"label": "用途", "value": "住宅"} in rows
    mine = client.get("/api/v1/sharing/uses").json()["items"]
    assert mine[0]["who"] == "本人" and mine[0]["kind"] == "preview"
    missing = client.post("/api/v1/sharing/items/MZ-HY-001/preview")
    assert missing.status_code == 200  # zhangsan has a marriage record
    nothing = client_for(User.objects.get(username="chuangye")).post(
        "/api/v1/sharing/items/MZ-HY-001/preview")
    assert nothing.status_code == 404 and nothing.json()["code"] == "sharing.no_data"


def test_the_catalogue_is_public(db: Any, client: Any) -> None:
    page = client.get(reverse("sharing:catalogue"))
    assert page.status_code == 200 and "不动产登记信息" in page.content.decode()
    items = client.get("/api/v1/sharing/items").json()
    assert any(i["code"] == "SC-QY-001" and i["subject_kind"] == "enterprise" for i in items)


def test_shared_data_preview_is_scoped_to_the_caller(applicant: User) -> None:
    # The service takes the user and reads their own number: there is no parameter to name
    # another holder.
    assert shared_data_preview(user=applicant, item_code="GA-HJ-001")["name"] == "张三"


def test_a_malformed_item_code_never_reaches_the_database(applicant: User,
                                                           client_for: Any) -> None:
    client = client_for(applicant)
    assert client.post("/api/v1/sharing/items/GA%00HJ/preview").status_code == 422
    assert client.post(reverse("sharing:preview", args=["GA\x00HJ"])).status_code == 404
    assert client.post(reverse("sharing:preview", args=["NO-SUCH-1"])).status_code == 404
    unknown = client.post("/api/v1/sharing/items/NO-SUCH-1/preview")
    assert unknown.status_code == 422 and unknown.json()["code"] == "sharing.unknown_item"


def test_an_unverified_account_gets_no_shared_data(applicant: User, reviewer: User,
                                                    client_for: Any) -> None:
    # The number on an L1 account is only typed in: it opens nobody's data.
    User.objects.filter(pk=applicant.pk).update(realname_level=1)
    applicant.refresh_from_db()
    before = DataUse.objects.count()
    with pytest.raises(InvalidInput, match="尚未核验"):
        _request(applicant, reviewer)
    answer = client_for(applicant).post("/api/v1/sharing/items/GA-HJ-001/preview")
    assert answer.status_code == 422 and answer.json()["code"] == "sharing.not_verified"
    assert DataUse.objects.count() == before
