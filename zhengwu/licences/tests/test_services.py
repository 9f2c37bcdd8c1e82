"""Licence types and licences: issue (signed bytes stored verbatim), supersede, suspend,
reinstate, revoke, expire; the holder reference and the masked display fields; the pack's
types and the demo departments' keys."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings

from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.audit import SYSTEM
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.core.models import AuditEvent
from zhengwu.licences.canonical import canonical_loads, canonicalize
from zhengwu.licences.credential import credential_verify_with
from zhengwu.licences.holder import Holder, holder_ref
from zhengwu.licences.identifier import licence_id_parse
from zhengwu.licences.models import Licence, LicenceStatus, LicenceType
from zhengwu.licences.selectors import licences_of_holder, status_now
from zhengwu.licences.services import (
    licence_issue,
    licence_reinstate,
    licence_revoke,
    licence_supersede,
    licence_suspend,
    licences_expire,
    validity,
)
from zhengwu.licences.signing import KeyRing

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
ZHANGSAN = Holder(kind="person", name="张三", id_number="43048119900101123x")
BIRTH = {"childName": "张小三", "birthDate": "2026-11-30", "institution": "耒阳市人民医院",
         "motherName": "李四", "fatherName": "张三"}


def _type(name: str) -> LicenceType:
    return LicenceType.objects.select_related("issuing_department").get(name=name)


def _birth(**overrides: object) -> Licence:
    kwargs: dict[str, object] = {"licence_type": _type("出生医学证明"), "holder": ZHANGSAN,
                                 "payload": BIRTH, "actor": SYSTEM, "source_case": "C1",
                                 "now": MOMENT}
    kwargs.update(overrides)
    return licence_issue(**kwargs)  # type: ignore[arg-type]


def test_the_pack_names_three_types_and_the_items_that_issue_them() -> None:
    business = _type("营业执照")
    assert business.holder_kind == "enterprise"
    assert business.issuing_department.short_name == "市市场监督管理局"
    assert business.authority_illustrative
    assert ItemImplementation.objects.get(
        item__name="企业设立登记（公司设立登记）", level=4).licence_type == business
    assert ItemImplementation.objects.get(
        item__name="食品经营许可证核发（新办）", level=4).licence_type == _type("食品经营许可证")
    assert _type("出生医学证明").holder_kind == "person"


def test_the_pack_made_a_key_for_every_issuing_department() -> None:
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    issuers = {key.issuer for key in keys}
    assert {t.issuing_department.uscc for t in LicenceType.objects.all()} <= issuers


def test_an_issued_licence_is_signed_and_its_bytes_verify_as_stored() -> None:
    licence = _birth()
    parsed = licence_id_parse(licence.identifier)
    assert parsed.type_code == "11100000MB0000035A001"
    assert parsed.issuer_code == licence.issuer_department.uscc
    assert (parsed.serial, parsed.version) == ("20260000001", "001") or \
        parsed.serial.startswith("2026")
    keys = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    checked = credential_verify_with(keys, licence.data, bytes(licence.signature))
    assert checked.ok, checked.reason
    # Verbatim: the stored bytes are their own canonical form, and re-reading the row gives
    # the same bytes.
    assert canonicalize(canonical_loads(licence.data)) == licence.data
    assert Licence.objects.get(pk=licence.pk).data == licence.data
    credential = checked.credential
    assert credential is not None
    assert credential["validFrom"] == "2026-12-01T09:30:15+08:00"
    assert "validUntil" not in credential  # 长期有效
    subject = credential["credentialSubject"]
    assert subject["holder"] == {"kind": "person", "name": "张*", "idNumber": "430***********123X"}
    assert subject["fields"] == BIRTH
    status = {s["statusPurpose"]: s["statusListIndex"] for s in credential["credentialStatus"]}
    assert status == {"revocation": str(licence.revocation_index),
                      "suspension": str(licence.suspension_index)}
    # A single changed byte fails.
    tampered = licence.data.replace("张小三".encode(), "张大三".encode())
    assert not credential_verify_with(keys, tampered, bytes(licence.signature)).ok


def test_the_holder_is_a_reference_and_masked_fields_only() -> None:
    licence = _birth()
    assert licence.holder_ref == holder_ref("43048119900101123X")  # normalised: x = X
    assert (licence.holder_name, licence.holder_id_display) == ("张*", "430***********123X")
    row = Licence.objects.filter(pk=licence.pk).values().get()
    assert "43048119900101123X" not in json.dumps(row, default=str)
    assert b"43048119900101123X" not in licence.data


def test_licences_and_the_use_log_name_a_holder_by_one_reference() -> None:
    from zhengwu.core.holder_ref import holder_ref as shared

    assert holder_ref("43048119900101123x") == shared("43048119900101123X")


def test_an_enterprise_holder_keeps_its_public_name_and_code() -> None:
    holder = Holder(kind="enterprise", name="耒阳市湘味餐饮有限公司", id_number="91430481MA4L0000X1")
    assert (holder.name_display, holder.id_display) == ("耒阳市湘味餐饮有限公司",
                                                        "91430481MA4L0000X1")


def test_issuing_writes_an_audit_row_in_the_licences_stream() -> None:
    licence = _birth()
    event = AuditEvent.objects.get(stream="licences", action="licences.issue",
                                   object_id=str(licence.pk))
    assert event.after is not None
    assert event.after["identifier"] == licence.identifier


def test_a_payload_the_type_does_not_define_or_an_empty_field_is_refused() -> None:
    with pytest.raises(InvalidInput, match="未定义"):
        _birth(payload={**BIRTH, "weight": "3.2"})
    with pytest.raises(InvalidInput, match="母亲姓名"):
        _birth(payload={**BIRTH, "motherName": " "})
    assert not Licence.objects.filter(source_case="C1").exists()


def test_a_limited_type_ends_the_day_before_the_anniversary() -> None:
    food = _type("食品经营许可证")
    assert validity(food, MOMENT) == dt.datetime(2031, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
    leap = dt.datetime(2028, 2, 29, 10, tzinfo=SHANGHAI)
    assert validity(food, leap) == dt.datetime(2033, 2, 27, 23, 59, 59, tzinfo=SHANGHAI)
    assert validity(_type("营业执照"), MOMENT) is None


def test_serials_run_per_type_and_year() -> None:
    first, second = _birth(), _birth(source_case="C2")
    assert int(second.serial) == int(first.serial) + 1
    assert first.revocation_index != second.revocation_index


def test_supersede_issues_the_next_version_and_chains_them() -> None:
    old = _birth()
    new = licence_supersede(licence_id=old.pk, payload={**BIRTH, "fatherName": "张三丰"},
                            actor=SYSTEM, reason="父亲姓名更正")
    old.refresh_from_db()
    assert old.status == LicenceStatus.SUPERSEDED
    assert (new.serial, new.version, new.supersedes) == (old.serial, 2, old)
    assert licence_id_parse(new.identifier).version == "002"
    assert old.superseded_by == new
    assert new.holder_ref == old.holder_ref
    with pytest.raises(Conflict):
        licence_supersede(licence_id=old.pk, payload=BIRTH, actor=SYSTEM, reason="再次")


def test_suspend_reinstate_revoke_and_what_each_refuses() -> None:
    licence = _birth()
    with pytest.raises(InvalidInput, match="理由"):
        licence_suspend(licence_id=licence.pk, actor=SYSTEM, reason="")
    with pytest.raises(Conflict):
        licence_reinstate(licence_id=licence.pk, actor=SYSTEM)
    assert licence_suspend(licence_id=licence.pk, actor=SYSTEM,
                           reason="核查中").status == LicenceStatus.SUSPENDED
    assert licence_reinstate(licence_id=licence.pk, actor=SYSTEM).status == LicenceStatus.VALID
    revoked = licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="以欺骗手段取得")
    assert (revoked.status, revoked.status_reason) == (LicenceStatus.REVOKED, "以欺骗手段取得")
    with pytest.raises(Conflict, match="已撤销"):
        licence_suspend(licence_id=licence.pk, actor=SYSTEM, reason="x")
    actions = list(AuditEvent.objects.filter(stream="licences", object_type="licences.Licence",
                                                object_id=str(licence.pk))
                   .values_list("action", flat=True).order_by("seq"))
    assert actions == ["licences.issue", "licences.suspend", "licences.reinstate",
                       "licences.revoke"]


def test_expiry_shows_at_once_and_the_sweep_marks_it() -> None:
    food = _type("食品经营许可证")
    licence = licence_issue(licence_type=food, holder=ZHANGSAN, actor=SYSTEM, now=MOMENT,
                            payload={"operatorName": "张三", "legalRepresentative": "张三",
                                     "address": "耒阳市", "premises": "耒阳市",
                                     "issuedOn": "2026年12月1日"})
    later = dt.datetime(2031, 12, 1, 0, 0, 1, tzinfo=SHANGHAI)
    assert status_now(licence, later) == LicenceStatus.EXPIRED
    assert licences_expire(later) >= 1
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED


def test_a_missing_department_key_stops_the_issue(tmp_path: Path, settings: object) -> None:
    from zhengwu.licences import signing
    from zhengwu.licences.signing import KeyFileError

    settings.ZHENGWU_LICENCE_KEY_DIR = str(tmp_path)  # type: ignore[attr-defined]
    signing._keyfile_signer.cache_clear()
    try:
        with pytest.raises(KeyFileError, match="licence-keys create"):
            _birth()
    finally:
        signing._keyfile_signer.cache_clear()
    assert not Licence.objects.exists()


def test_the_holder_sees_their_licences_and_no_one_elses(applicant: object) -> None:
    from zhengwu.accounts.models import User

    mine = _birth()
    other = _birth(holder=Holder(kind="person", name="李四", id_number="430481199003154613"))
    assert list(licences_of_holder(applicant)) == [mine]
    chuangye = User.objects.get(username="chuangye")
    assert list(licences_of_holder(chuangye)) == [other]
    assert not licences_of_holder(User.objects.get(username="clerk")).exists()


def test_an_enterprise_account_holds_what_was_issued_to_its_credit_code() -> None:
    from zhengwu.accounts.models import User

    canyin = User.objects.get(username="canyin")
    licence = licence_issue(
        licence_type=_type("食品经营许可证"), actor=SYSTEM, now=MOMENT,
        holder=Holder(kind="enterprise", name=canyin.display_name, id_number=canyin.uscc),
        payload={"operatorName": canyin.display_name, "legalRepresentative": "王五",
                 "address": "耒阳市", "premises": "耒阳市", "issuedOn": "2026年12月1日"})
    assert (licence.holder_name, licence.holder_id_display) == (canyin.display_name,
                                                                canyin.uscc)
    assert list(licences_of_holder(canyin)) == [licence]
