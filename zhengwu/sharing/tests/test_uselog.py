"""The data-use log: SM3 chain, append-only rows, the rules a use must satisfy, and the holder
reading only their own uses (issue 11 item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core import sweeps
from zhengwu.core.audit import SYSTEM, audit_verify, sm3_hex
from zhengwu.core.holder_ref import holder_ref
from zhengwu.core.models import AuditEvent
from zhengwu.sharing import uselog
from zhengwu.sharing.models import AppendOnlyError, DataUse, UseBasis, UseKind
from zhengwu.sharing.uselog import UseRefused, use_record, uselog_verify

ZHANGSAN_ID = "43048119900101123X"
LICENCE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


@pytest.fixture
def reviewer(db: Any) -> User:
    return User.objects.get(username="reviewer")


def _use(actor_user: User | None, **kwargs: Any) -> DataUse:
    values: dict[str, Any] = {"kind": UseKind.VERIFICATION, "holder_ref": holder_ref(ZHANGSAN_ID),
                              "basis": UseBasis.PRESENTED, "licence_id": LICENCE}
    values.update(kwargs)
    with transaction.atomic():
        return use_record(actor=actor_for(actor_user), **values)


@pytest.fixture
def three(reviewer: User, applicant: User) -> list[DataUse]:
    return [
        _use(reviewer, kind=UseKind.USE_IN_CASE, basis=UseBasis.CONSENT,
             case_number="LY20260001", purpose="食品经营许可：代替营业执照复印件"),
        _use(None),
        _use(reviewer, kind=UseKind.EX_OFFICIO_CHECK, basis=UseBasis.LEGAL_BASIS,
             basis_text="《食品经营许可和备案管理办法》第十六条（示例）", case_number="LY20260001"),
    ]


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_chain_holds_and_links_every_row(three: list[DataUse]) -> None:
    assert uselog_verify() == []
    assert [u.seq for u in three] == [three[0].seq, three[0].seq + 1, three[0].seq + 2]
    assert three[1].prev_hash == three[0].hash and three[2].prev_hash == three[1].hash


def test_a_changed_row_is_detected(three: list[DataUse]) -> None:
    _sql("UPDATE sharing_datause SET purpose = %s WHERE seq = %s", ["别的用途", three[0].seq])
    problems = uselog_verify()
    assert [(p.seq, p.reason) for p in problems] == [(three[0].seq, "内容哈希不符（记录被篡改）")]


def test_a_changed_actor_is_detected(three: list[DataUse], applicant: User) -> None:
    _sql("UPDATE sharing_datause SET department_label = %s WHERE seq = %s", ["", three[2].seq])
    assert [p.seq for p in uselog_verify()] == [three[2].seq]


def test_a_deleted_middle_row_is_detected(three: list[DataUse]) -> None:
    _sql("DELETE FROM sharing_datause WHERE seq = %s", [three[1].seq])
    reasons = {p.reason for p in uselog_verify()}
    assert "前一哈希不符（记录被删除或重排）" in reasons
    assert any(r.startswith("缺少序号") for r in reasons)


def test_a_deleted_last_row_is_detected_by_the_head(three: list[DataUse]) -> None:
    _sql("DELETE FROM sharing_datause WHERE seq = %s", [three[2].seq])
    assert [p.reason for p in uselog_verify()] == ["链头与最后一条记录不符（末尾记录被删除）"]


def test_the_command_reports_a_broken_chain(three: list[DataUse], capsys: Any) -> None:
    call_command("sharing", "verify-log")
    assert "data-use log intact" in capsys.readouterr().out
    _sql("UPDATE sharing_datause SET case_number = %s WHERE seq = %s", ["X", three[0].seq])
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("sharing", "verify-log")


def _rehash_from(seq: int) -> None:
    """What an attacker with database access does after changing row `seq`: recompute every
    hash from there on and the head, so the chain alone holds again."""
    prev = DataUse.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for use in DataUse.objects.filter(seq__gte=seq).order_by("seq"):
        use.prev_hash = prev
        use.hash = sm3_hex(prev.encode() + uselog._canonical(use))
        _sql("UPDATE sharing_datause SET prev_hash = %s, hash = %s WHERE seq = %s",
             [use.prev_hash, use.hash, use.seq])
        prev = use.hash
    _sql("UPDATE sharing_datausehead SET hash = %s", [prev])


def test_a_chain_rehashed_after_a_change_is_caught_by_its_anchor_in_the_audit_trail(
        three: list[DataUse]) -> None:
    assert uselog.uselog_anchor().startswith("锚定")
    assert uselog.uselog_anchor().endswith("已锚定")  # idempotent
    assert sweeps.SWEEPS["sharing.anchor"] is uselog.uselog_anchor
    anchor = AuditEvent.objects.get(action=uselog.ANCHOR_ACTION, object_id=str(three[2].seq))
    assert anchor.after == {"seq": three[2].seq, "hash": three[2].hash}
    _sql("UPDATE sharing_datause SET purpose = %s WHERE seq = %s", ["别的用途", three[1].seq])
    _rehash_from(three[1].seq)
    assert [(p.seq, p.reason) for p in uselog_verify()] == [
        (three[2].seq, "与审计链中的锚点不符（记录链被重算或截断）")]
    assert audit_verify(stream="main") == []  # the anchor itself is in the audit chain


def test_rows_can_be_neither_updated_nor_deleted(three: list[DataUse]) -> None:
    use = three[0]
    with pytest.raises(AppendOnlyError):
        DataUse.objects.filter(pk=use.pk).update(purpose="改")
    with pytest.raises(AppendOnlyError):
        DataUse.objects.filter(pk=use.pk).delete()
    with pytest.raises(AppendOnlyError):
        DataUse.objects.all().delete()
    use.purpose = "改"
    with pytest.raises(AppendOnlyError):
        use.save()
    with pytest.raises(AppendOnlyError):
        use.delete()
    with pytest.raises(AppendOnlyError):
        DataUse.objects.bulk_update([use], ["purpose"])
    assert uselog_verify() == []


@pytest.mark.parametrize(("basis", "text"), [(UseBasis.LEGAL_BASIS, "  "),
                                              (UseBasis.CONSENT, ""), (UseBasis.CONSENT, "本人同意")])
def test_an_ex_officio_check_without_a_legal_basis_is_refused(reviewer: User, basis: str,
                                                              text: str) -> None:
    before = DataUse.objects.count()
    with pytest.raises(UseRefused, match="法定依据"):
        _use(reviewer, kind=UseKind.EX_OFFICIO_CHECK, basis=basis, basis_text=text)
    assert DataUse.objects.count() == before


def test_a_use_in_a_case_names_the_case_and_a_use_names_what(reviewer: User) -> None:
    with pytest.raises(UseRefused, match="办件编号"):
        _use(reviewer, kind=UseKind.USE_IN_CASE, basis=UseBasis.CONSENT)
    with pytest.raises(UseRefused, match="证照的标识或共享数据项"):
        _use(reviewer, licence_id="")


def test_use_record_refuses_to_run_outside_a_transaction() -> None:
    # No database access in this test: the check comes before any query.
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        use_record(kind=UseKind.VERIFICATION, holder_ref="0" * 64, actor=SYSTEM,
                   basis=UseBasis.PRESENTED, licence_id=LICENCE)


def test_holder_ref_normalizes_the_number() -> None:
    assert holder_ref("43048119900101123x") == holder_ref(" 43048119900101123X")
    assert holder_ref("４３０４８１１９９００１０１１２３Ｘ") == holder_ref(ZHANGSAN_ID)
    assert holder_ref(ZHANGSAN_ID) != holder_ref("430481199003154613")
    assert len(holder_ref(ZHANGSAN_ID)) == 64 and ZHANGSAN_ID not in holder_ref(ZHANGSAN_ID)


# --- the holder reads their own uses ------------------------------------------------------------


def test_the_holder_reads_their_uses_on_the_page_the_api_and_in_my_space(
        three: list[DataUse], applicant: User, client_for: Any) -> None:
    client = client_for(applicant)
    page = client.get(reverse("sharing:my_uses"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "LY20260001" in text and "依职能核查" in text and "王审核" in text
    assert "《食品经营许可和备案管理办法》第十六条（示例）" in text
    assert "市市场监督管理局" in text and "公众（扫码或出示核验）" in text
    api = client.get("/api/v1/sharing/uses?limit=2").json()
    assert api["count"] == 3 and [u["seq"] for u in api["items"]] == [three[2].seq, three[1].seq]
    assert api["items"][0]["kind"] == "ex_officio_check" and api["items"][0]["role"] == "后台审批人员"
    me = client.get("/api/v1/me").json()
    section = next(s for s in me["sections"] if s["key"] == "data_uses")
    assert section["count"] == 3 and section["url"] == reverse("sharing:my_uses")
    assert client.get("/api/v1/me/sections/data_uses?limit=1&offset=2").json()["items"][0][
        "seq"] == three[0].seq
    assert reverse("sharing:my_uses") in client.get(reverse("portal:my_space")).content.decode()


def test_another_person_sees_none_of_them(three: list[DataUse], client_for: Any) -> None:
    other = User.objects.get(username="chuangye")
    client = client_for(other)
    assert "LY20260001" not in client.get(reverse("sharing:my_uses")).content.decode()
    assert client.get("/api/v1/sharing/uses").json()["count"] == 0


def test_an_unverified_account_with_the_same_number_sees_nothing(three: list[DataUse],
                                                                 client_for: Any) -> None:
    # Only an L2-verified number opens the log: typing someone's ID into an account does not.
    applicant = User.objects.get(username="zhangsan")
    User.objects.filter(pk=applicant.pk).update(realname_level=1)
    applicant.refresh_from_db()
    assert client_for(applicant).get("/api/v1/sharing/uses").json()["count"] == 0


def test_staff_have_no_data_use_page(client_for: Any, reviewer: User) -> None:
    assert client_for(reviewer).get(reverse("sharing:my_uses")).status_code == 403
    assert client_for(reviewer).get("/api/v1/sharing/uses").status_code == 403
    assert client_for(None).get("/api/v1/sharing/uses").status_code == 401
