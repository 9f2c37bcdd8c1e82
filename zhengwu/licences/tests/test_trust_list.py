"""The trust list of other issuers (跨域通办): signed by the trust-list authority, refused when
rolled back, keys with validity windows, licence types allowed per issuer; a licence from a
trusted issuer is accepted like our own, anything unknown is sent online."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from zhengwu.licences.credential import (
    VERIFY_ONLINE,
    credential_sign,
    credential_verify_with,
)
from zhengwu.licences.identifier import licence_id_build
from zhengwu.licences.signing import KeyFileSigner, KeyRing, PublicKey, keyfile_create
from zhengwu.licences.status_list import Bitstring, status_list_sign, status_of
from zhengwu.licences.tests.test_credential import credential
from zhengwu.licences.trust_list import (
    TrustList,
    TrustListError,
    credential_verify_any,
    credential_verify_trusted,
    trust_list_dumps,
    trust_list_loads,
    trust_list_sign,
    trust_list_verify,
)

AUTHORITY = "11430000006122244L"   # the province's trust-list authority (a real-shaped USCC)
OURS = "11430481MB489016X0"        # 耒阳市市场监督管理局 (demo pack)
HENGYANG = "11430400MB15236989"    # another issuer in the list
FOOD = "11100000MB0341032Y001"     # 食品经营许可证 type code (shape only)
BUSINESS = "11100000000013338W011"
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    return keyfile_create(tmp_path_factory.mktemp("keys") / "trust.key", issuer=AUTHORITY)


@pytest.fixture(scope="module")
def hengyang(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    return keyfile_create(tmp_path_factory.mktemp("keys") / "hy.key", issuer=HENGYANG)


@pytest.fixture(scope="module")
def hengyang_old(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    return keyfile_create(tmp_path_factory.mktemp("keys") / "hy-2025.key", issuer=HENGYANG)


def authority_key(signer: KeyFileSigner) -> PublicKey:
    return PublicKey(signer.kid, signer.public_key, AUTHORITY)


def key_entry(signer: KeyFileSigner, valid_from: str, valid_until: str) -> dict[str, str]:
    return {"kid": signer.kid, "publicKey": signer.public_key.hex(), "validFrom": valid_from,
            "validUntil": valid_until}


def document(authority: KeyFileSigner, hengyang: KeyFileSigner, hengyang_old: KeyFileSigner,
             sequence: str = "7") -> dict[str, Any]:
    return {
        "type": "LicenceTrustList",
        "sequence": sequence,
        "issued": "2026-12-06T08:00:00+08:00",
        # Long-lived so that the licence-expiry test (2031) is judged on the licence.
        "nextUpdate": "2031-12-31T00:00:00+08:00",
        "authority": {"id": AUTHORITY, "name": "湖南省政务服务和大数据中心", "kid": authority.kid},
        "issuers": [{
            "id": HENGYANG, "name": "衡阳市市场监督管理局", "region": "430400",
            "keys": [key_entry(hengyang_old, "2025-01-01T00:00:00+08:00",
                               "2025-12-31T23:59:59+08:00"),
                     key_entry(hengyang, "2026-01-01T00:00:00+08:00",
                               "2027-12-31T23:59:59+08:00")],
            "licenceTypes": [BUSINESS],
        }],
    }


@pytest.fixture(scope="module")
def signers(authority: KeyFileSigner, hengyang: KeyFileSigner,
            hengyang_old: KeyFileSigner) -> tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]:
    return authority, hengyang, hengyang_old


@pytest.fixture(scope="module")
def trust(signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> TrustList:
    authority = signers[0]
    signed = trust_list_sign(document(*signers), authority)
    return trust_list_verify(signed.data, signed.signature, authority_key(authority),
                             last_sequence=6)


def licence(signer: KeyFileSigner, *, issuer: str = HENGYANG, type_code: str = BUSINESS,
            valid_from: str = "2026-03-01T09:00:00+08:00") -> dict[str, Any]:
    value = credential(signer)  # the envelope test's licence, re-issued by `issuer`
    value["id"] = str(licence_id_build(type_code, issuer, "20260000042", 1))
    value["issuer"] = {"id": issuer, "kid": signer.kid}
    value["validFrom"] = valid_from
    value["validUntil"] = "2031-01-04T23:59:59+08:00"
    return value


# --- the list itself -----------------------------------------------------------------------------


def test_sign_and_verify(trust: TrustList) -> None:
    assert trust.sequence == 7
    assert trust.authority == AUTHORITY
    issuer = trust.issuers[HENGYANG]
    assert (issuer.name, issuer.region) == ("衡阳市市场监督管理局", "430400")
    assert issuer.licence_types == frozenset({BUSINESS})
    assert len(issuer.keys) == 2


def test_rollback_is_refused(signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> None:
    authority = signers[0]
    signed = trust_list_sign(document(*signers, sequence="7"), authority)
    for last in (7, 8, 100):
        with pytest.raises(TrustListError) as error:
            trust_list_verify(signed.data, signed.signature, authority_key(authority),
                              last_sequence=last)
        assert error.value.code == "rollback"
        assert "7" in error.value.message and str(last) in error.value.message
    assert trust_list_verify(signed.data, signed.signature, authority_key(authority),
                             last_sequence=None).sequence == 7


def test_every_single_byte_change_fails(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> None:
    authority = signers[0]
    signed = trust_list_sign(document(*signers), authority)
    for position in range(len(signed.data)):
        data = bytearray(signed.data)
        data[position] ^= 0x01
        with pytest.raises(TrustListError) as error:
            trust_list_verify(bytes(data), signed.signature, authority_key(authority),
                              last_sequence=None)
        assert error.value.code == "bad_signature", position


def test_only_the_authority_key_counts(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner], tmp_path: Path) -> None:
    impostor = keyfile_create(tmp_path / "impostor.key", issuer=AUTHORITY)
    forged_document = document(*signers)
    forged_document["authority"]["kid"] = impostor.kid
    forged = trust_list_sign(forged_document, impostor)
    with pytest.raises(TrustListError) as error:
        trust_list_verify(forged.data, forged.signature, authority_key(signers[0]),
                          last_sequence=None)
    assert error.value.code == "bad_signature"


def test_the_signer_must_be_the_declared_authority(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> None:
    with pytest.raises(TrustListError, match="kid"):
        trust_list_sign(document(*signers), signers[1])


def test_the_shape_is_checked(signers: tuple[KeyFileSigner, KeyFileSigner,
                                              KeyFileSigner]) -> None:
    authority, hengyang, _old = signers
    good = document(*signers)

    def broken(change: Any) -> dict[str, Any]:
        value = copy.deepcopy(good)
        change(value)
        return value

    cases: list[tuple[Any, str]] = [
        (lambda v: v.update(type="TrustList"), "type"),
        (lambda v: v.update(sequence="007"), "sequence"),
        (lambda v: v.update(sequence="0"), "sequence"),
        (lambda v: v.update(sequence="-1"), "sequence"),
        (lambda v: v.update(issued="2026-12-06 08:00"), "issued"),
        (lambda v: v["authority"].update(id="11430000006122244X"), "统一社会信用代码"),
        (lambda v: v["issuers"][0].update(id="11430400MB15236980"), "统一社会信用代码"),
        (lambda v: v["issuers"][0].update(region="43040"), "region"),
        (lambda v: v["issuers"][0].update(name=""), "name"),
        (lambda v: v["issuers"][0].update(keys=[]), "keys"),
        (lambda v: v["issuers"][0].update(licenceTypes=["11100000000013338W01"]), "类型代码"),
        (lambda v: v["issuers"][0].update(licenceTypes=[BUSINESS, BUSINESS]), "重复"),
        (lambda v: v["issuers"].append(copy.deepcopy(v["issuers"][0])), "重复"),
        (lambda v: v["issuers"][0]["keys"].append(copy.deepcopy(v["issuers"][0]["keys"][0])),
         "重复"),
        (lambda v: v["issuers"][0]["keys"][0].update(kid="0" * 16), "密钥标识"),
        (lambda v: v["issuers"][0]["keys"][0].update(publicKey="00" * 64), "公钥"),
        (lambda v: v["issuers"][0]["keys"][0].update(validUntil="2024-12-31T23:59:59+08:00"),
         "validUntil"),
        (lambda v: v["issuers"][0]["keys"][0].pop("validUntil"), "validUntil"),
        (lambda v: v["issuers"][0].update(licenceTypes=[]), "licenceTypes"),
    ]
    for change, needle in cases:
        with pytest.raises(TrustListError, match=needle):
            trust_list_sign(broken(change), authority)
    with pytest.raises(TrustListError, match="数字"):
        trust_list_sign(broken(lambda v: v.update(sequence=8)), authority)
    del hengyang


def test_a_validly_signed_malformed_list_is_refused(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> None:
    from zhengwu.licences.canonical import canonicalize

    authority = signers[0]
    value = document(*signers)
    value["issuers"][0]["region"] = "4304"
    data = canonicalize(value)
    with pytest.raises(TrustListError) as error:
        trust_list_verify(data, authority.sign(data), authority_key(authority),
                          last_sequence=None)
    assert error.value.code == "malformed"


def test_file_round_trip(signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner]) -> None:
    signed = trust_list_sign(document(*signers), signers[0])
    text = trust_list_dumps(signed)
    assert trust_list_loads(text) == signed
    assert "衡阳市市场监督管理局" in text.decode("utf-8")  # readable as it travels
    for garbage in (b"", b"{}", b"[1]", b'{"format": "x"}', b"\xff"):
        with pytest.raises(TrustListError):
            trust_list_loads(garbage)


# --- keys for a moment ---------------------------------------------------------------------------


def test_the_key_ring_holds_the_keys_valid_at_that_moment(
        trust: TrustList, hengyang: KeyFileSigner, hengyang_old: KeyFileSigner) -> None:
    def kids(moment: dt.datetime) -> set[str]:
        return {key.kid for key in trust.key_ring(moment)}

    assert kids(dt.datetime(2025, 6, 1, tzinfo=CST)) == {hengyang_old.kid}
    assert kids(NOW) == {hengyang.kid}
    assert kids(dt.datetime(2028, 1, 1, tzinfo=CST)) == set()
    assert kids(dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=CST)) == {hengyang.kid}
    assert all(key.issuer == HENGYANG for key in trust.key_ring(NOW))


def test_their_status_lists_verify_with_the_key_ring(trust: TrustList,
                                                     hengyang: KeyFileSigner) -> None:
    url = "https://hy.example/status/r/1"
    signed = status_list_sign(url=url, purpose="revocation", bits=Bitstring.from_indices([9]),
                              issuer=HENGYANG, signer=hengyang, now=NOW)
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "9", "statusListCredential": url}
    result = status_of(entry, signed, NOW, trust.key_ring(NOW), issuer=HENGYANG)
    assert (result.ok, result.code) == (False, "set")


# --- deciding on a licence -----------------------------------------------------------------------


def test_a_licence_of_a_trusted_issuer_is_accepted(trust: TrustList,
                                                   hengyang: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang), hengyang)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (True, "valid"), result.reason
    assert "衡阳市市场监督管理局" in result.reason
    assert result.credential is not None and result.credential["issuer"]["id"] == HENGYANG


def test_a_licence_signed_while_its_key_was_valid_stays_valid(
        trust: TrustList, hengyang_old: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang_old, valid_from="2025-06-01T09:00:00+08:00"),
                             hengyang_old)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert result.ok, result.reason


def test_a_licence_issued_outside_its_keys_window_is_refused(
        trust: TrustList, hengyang: KeyFileSigner, hengyang_old: KeyFileSigner) -> None:
    late = credential_sign(licence(hengyang_old, valid_from="2026-03-01T09:00:00+08:00"),
                           hengyang_old)
    result = credential_verify_trusted(trust, late.data, late.signature, at=NOW)
    assert (result.ok, result.code) == (False, "key_not_valid")
    assert "2025-12-31 23:59:59" in result.reason
    early = credential_sign(licence(hengyang, valid_from="2025-06-01T09:00:00+08:00"), hengyang)
    result = credential_verify_trusted(trust, early.data, early.signature, at=NOW)
    assert (result.ok, result.code) == (False, "key_not_valid")


def test_a_licence_type_not_allowed_for_the_issuer_is_refused(
        trust: TrustList, hengyang: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang, type_code=FOOD), hengyang)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (False, "type_not_allowed")
    assert FOOD in result.reason


def test_an_unknown_issuer_or_key_is_sent_online(trust: TrustList, tmp_path: Path) -> None:
    stranger = keyfile_create(tmp_path / "s.key", issuer=OURS)
    signed = credential_sign(licence(stranger, issuer=OURS), stranger)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (False, "unknown_issuer")
    assert result.reason.endswith(VERIFY_ONLINE)

    rogue = keyfile_create(tmp_path / "r.key", issuer=HENGYANG)
    signed = credential_sign(licence(rogue), rogue)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (False, "unknown_key")
    assert result.reason.endswith(VERIFY_ONLINE)


def test_a_key_of_one_issuer_cannot_sign_for_another(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner], tmp_path: Path) -> None:
    authority, hengyang, old = signers
    other = keyfile_create(tmp_path / "o.key", issuer=OURS)
    value = document(*signers, sequence="8")
    value["issuers"].append({"id": OURS, "name": "耒阳市市场监督管理局", "region": "430481",
                             "keys": [key_entry(other, "2026-01-01T00:00:00+08:00",
                                                "2027-01-01T00:00:00+08:00")],
                             "licenceTypes": [BUSINESS]})
    signed_list = trust_list_sign(value, authority)
    trust = trust_list_verify(signed_list.data, signed_list.signature, authority_key(authority),
                              last_sequence=7)
    forged = licence(hengyang, issuer=OURS)  # claims 耒阳, signed with 衡阳's key
    signed = credential_sign(forged, hengyang)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (False, "wrong_issuer")
    del old


def test_a_tampered_licence_fails(trust: TrustList, hengyang: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang), hengyang)
    data = signed.data.replace("耒阳市示范餐饮有限公司".encode(), "耒阳市示范饭店有限公司".encode())
    result = credential_verify_trusted(trust, data, signed.signature, at=NOW)
    assert (result.ok, result.code) == (False, "bad_signature")


def test_an_expired_licence_is_still_expired(trust: TrustList, hengyang: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang), hengyang)
    later = dt.datetime(2031, 1, 5, tzinfo=CST)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=later)
    assert (result.ok, result.code) == (False, "expired")


def test_ours_first_then_the_trust_list(trust: TrustList, hengyang: KeyFileSigner,
                                        tmp_path: Path) -> None:
    ours = keyfile_create(tmp_path / "ours.key", issuer=OURS)
    own = KeyRing([PublicKey(ours.kid, ours.public_key, OURS)])
    mine = credential_sign(licence(ours, issuer=OURS), ours)
    theirs = credential_sign(licence(hengyang), hengyang)
    assert credential_verify_any(own, trust, mine.data, mine.signature, at=NOW).ok
    assert credential_verify_any(own, trust, theirs.data, theirs.signature, at=NOW).ok
    alone = credential_verify_any(own, None, theirs.data, theirs.signature, at=NOW)
    assert (alone.ok, alone.code) == (False, "unknown_key")
    # The same words as the envelope verifier's, from the same constant.
    assert alone.reason == credential_verify_with(own, theirs.data, theirs.signature).reason
    assert alone.reason.endswith(VERIFY_ONLINE)


# --- the command ---------------------------------------------------------------------------------


def test_cli_build_then_verify(signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner],
                               tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               settings: Any) -> None:
    from django.core.management import CommandError, call_command

    settings.ZHENGWU_LICENCE_KEY_DIR = str(tmp_path / "keys")
    authority = keyfile_create(tmp_path / "keys" / "trust.key", issuer=AUTHORITY)
    spec = document(*signers, sequence="9")
    del spec["issued"], spec["nextUpdate"], spec["authority"]["kid"]  # filled in by the command
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "trust-list.json"
    call_command("licence_trust_list", "build", str(tmp_path / "spec.json"), "--key", "trust",
                 "--out", str(out))
    assert authority.kid in capsys.readouterr().out
    pub = str(tmp_path / "keys" / "trust.pub")
    call_command("licence_trust_list", "verify", str(out), "--authority", pub,
                 "--last-sequence", "8")
    printed = capsys.readouterr().out
    assert printed.startswith("ok：信任列表第 9 版")
    assert "衡阳市市场监督管理局" in printed and BUSINESS in printed
    with pytest.raises(CommandError, match="不大于已接受的 9"):
        call_command("licence_trust_list", "verify", str(out), "--authority", pub,
                     "--last-sequence", "9")
    out.write_bytes(out.read_bytes().replace("衡阳".encode(), "衡山".encode()))
    with pytest.raises(CommandError, match="签名验证失败"):
        call_command("licence_trust_list", "verify", str(out), "--authority", pub)


def test_a_stale_edition_sends_the_verifier_online(trust: TrustList,
                                                  hengyang: KeyFileSigner) -> None:
    signed = credential_sign(licence(hengyang), hengyang)
    after = trust.next_update + dt.timedelta(seconds=1)
    result = credential_verify_trusted(trust, signed.data, signed.signature, at=after)
    assert (result.ok, result.code) == (False, "unknown_key")
    assert "已于 2031-12-31 00:00:00 过期" in result.reason and VERIFY_ONLINE in result.reason
    assert credential_verify_trusted(trust, signed.data, signed.signature,
                                     at=trust.next_update).code != "unknown_key"


@pytest.mark.parametrize(("change", "words"), [
    (lambda v: v.pop("nextUpdate"), "nextUpdate"),
    (lambda v: v.update(nextUpdate="2026-12-06T08:00:00+08:00"), "nextUpdate 应晚于 issued"),
])
def test_an_edition_must_say_when_it_ends(
        signers: tuple[KeyFileSigner, KeyFileSigner, KeyFileSigner], change: Any,
        words: str) -> None:
    value = document(*signers)
    change(value)
    with pytest.raises(TrustListError, match=words):
        trust_list_sign(value, signers[0])
