"""The signed envelope: a VC 2.0-shaped credential, its RFC 8785 bytes, SM2 over them, and
verification of the bytes as stored, with a reason in Chinese (scorecard row 18)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core import sm2
from zhengwu.licences import openssl_sm2
from zhengwu.licences.canonical import canonicalize
from zhengwu.licences.credential import (
    VC_CONTEXT,
    CredentialError,
    SignedCredential,
    credential_check,
    credential_sign,
    credential_verify,
    credential_verify_with,
)
from zhengwu.licences.identifier import licence_id_build
from zhengwu.licences.signing import KeyFileSigner, KeyRing, PublicKey, keyfile_create

ISSUER = "11430481MB489016X0"  # 耒阳市市场监督管理局 (demo pack)
LICENCE_ID = "1.2.156.3005.2.11100000000013338W011.11430481MB489016X0.20260000001.001.{}"
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    return keyfile_create(tmp_path_factory.mktemp("keys") / "scjgj.key", issuer=ISSUER)


def _licence_id() -> str:
    return str(licence_id_build("11100000000013338W011", ISSUER, "20260000001", 1))


def credential(signer: KeyFileSigner, **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", "ElectronicLicence"],
        "id": _licence_id(),
        "issuer": {"id": ISSUER, "kid": signer.kid, "name": "耒阳市市场监督管理局"},
        "name": "食品经营许可证",
        "credentialSubject": {
            "id": "holder:sm3-hmac:9f1c…",
            "name": "耒阳市示范餐饮有限公司",
            "licenceNumber": "JY14304810000001",
            "registeredCapital": "100.00",
        },
        "validFrom": "2026-01-05T09:00:00+08:00",
        "validUntil": "2031-01-04T23:59:59+08:00",
        "credentialStatus": [
            {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "94567", "statusListCredential": "https://zw.example/status/r/1"},
            {"type": "BitstringStatusListEntry", "statusPurpose": "suspension",
             "statusListIndex": "23452", "statusListCredential": "https://zw.example/status/s/1"},
        ],
    }
    value.update(changes)
    return value


def test_sign_then_verify(signer: KeyFileSigner) -> None:
    signed = credential_sign(credential(signer), signer)
    assert isinstance(signed, SignedCredential)
    assert signed.kid == signer.kid
    assert signed.data == canonicalize(credential(signer))
    result = credential_verify(signed.data, signed.signature, signer.public_key)
    assert result.ok, result.reason
    assert result.code == "valid"
    assert result.reason == "签名有效"
    assert result.credential == credential(signer)


def test_the_other_backend_verifies_the_same_bytes(signer: KeyFileSigner) -> None:
    if openssl_sm2.unavailable_reason():
        pytest.skip(f"系统 OpenSSL 不支持 SM2：{openssl_sm2.unavailable_reason()}")
    signed = credential_sign(credential(signer), signer)
    assert openssl_sm2.verify(signer.public_key, signed.data, signed.signature)


def test_every_single_byte_change_fails(signer: KeyFileSigner) -> None:
    # Scorecard row 18: whichever byte of the stored credential changes, it no longer verifies.
    signed = credential_sign(credential(signer), signer)
    for index in range(len(signed.data)):
        tampered = bytearray(signed.data)
        tampered[index] ^= 0x01
        result = credential_verify(bytes(tampered), signed.signature, signer.public_key)
        assert not result.ok
        assert result.code == "bad_signature"
        assert result.credential is None
        assert "签名验证失败" in result.reason


@pytest.fixture(scope="module")
def signed(signer: KeyFileSigner) -> SignedCredential:
    return credential_sign(credential(signer), signer)


@settings(max_examples=60)
@given(st.data())
def test_any_change_to_bytes_or_signature_fails(signer: KeyFileSigner, signed: SignedCredential,
                                                data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(["data", "signature"]))
    original = signed.data if target == "data" else signed.signature
    index = data.draw(st.integers(0, len(original) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[index]))
    changed = original[:index] + bytes([byte]) + original[index + 1:]
    if target == "data":
        result = credential_verify(changed, signed.signature, signer.public_key)
    else:
        result = credential_verify(signed.data, changed, signer.public_key)
    assert not result.ok


def test_the_bytes_are_verified_as_stored_not_reserialised(signer: KeyFileSigner) -> None:
    # Same JSON value, other bytes (whitespace): the signature covers bytes, so it fails.
    signed = credential_sign(credential(signer), signer)
    spaced = signed.data.replace(b'","', b'", "', 1)
    assert not credential_verify(spaced, signed.signature, signer.public_key).ok


def test_another_key_fails(signer: KeyFileSigner, tmp_path: Path) -> None:
    signed = credential_sign(credential(signer), signer)
    other = keyfile_create(tmp_path / "other.key", issuer=ISSUER)
    result = credential_verify(signed.data, signed.signature, other.public_key)
    assert (result.ok, result.code) == (False, "bad_signature")


def test_the_declared_kid_must_be_the_verifying_key(signer: KeyFileSigner, tmp_path: Path) -> None:
    other = keyfile_create(tmp_path / "other.key", issuer=ISSUER)
    forged = credential(signer)
    forged["issuer"]["kid"] = signer.kid
    data = canonicalize(forged)
    result = credential_verify(data, other.sign(data), other.public_key)
    assert (result.ok, result.code) == (False, "wrong_key")
    assert other.kid in result.reason


def test_signing_refuses_a_kid_that_is_not_the_signers(signer: KeyFileSigner) -> None:
    value = credential(signer)
    value["issuer"]["kid"] = "0" * 16
    with pytest.raises(CredentialError, match="密钥标识"):
        credential_sign(value, signer)


def test_validity_window_when_a_time_is_given(signer: KeyFileSigner) -> None:
    signed = credential_sign(credential(signer), signer)

    def at(year: int, month: int, day: int, hour: int, minute: int) -> str:
        moment = dt.datetime(year, month, day, hour, minute, tzinfo=CST)
        return credential_verify(signed.data, signed.signature, signer.public_key,
                                 at=moment).code

    assert at(2026, 1, 5, 8, 59) == "not_yet_valid"
    assert at(2026, 1, 5, 9, 0) == "valid"
    assert at(2031, 1, 4, 23, 59) == "valid"
    assert at(2031, 1, 5, 0, 0) == "expired"
    expired = credential_verify(signed.data, signed.signature, signer.public_key,
                                at=dt.datetime(2032, 1, 1, tzinfo=dt.UTC))
    assert expired.reason == "证照已于 2031-01-04 23:59:59 过期"
    assert expired.credential is not None  # still shown: an expired licence is no forgery
    long_term = credential_sign(_without(credential(signer), "validUntil"), signer)
    assert credential_verify(long_term.data, long_term.signature, signer.public_key,
                             at=dt.datetime(2099, 1, 1, tzinfo=CST)).ok


def _without(value: dict[str, Any], key: str) -> dict[str, Any]:
    value = copy.deepcopy(value)
    del value[key]
    return value


def _shape_error(value: dict[str, Any]) -> str:
    with pytest.raises(CredentialError) as caught:
        credential_check(value)
    return caught.value.message


def test_the_shape_is_checked(signer: KeyFileSigner) -> None:
    good = credential(signer)
    credential_check(good)
    bad_id = LICENCE_ID.format("X")
    cases: list[tuple[dict[str, Any], str]] = [
        (_without(good, "@context"), "@context"),
        (credential(signer, **{"@context": ["https://www.w3.org/2018/credentials/v1"]}), "@context"),
        (credential(signer, type=["ElectronicLicence"]), "VerifiableCredential"),
        (_without(good, "id"), "id"),
        (credential(signer, id=bad_id), "证照标识"),
        (credential(signer, id=_licence_id().lower()), "规范形式"),
        (credential(signer, issuer=ISSUER), "issuer"),
        (credential(signer, issuer={"id": ISSUER}), "kid"),
        (credential(signer, issuer={"id": "11430481MB1D56788R", "kid": signer.kid}), "颁证机构"),
        (_without(good, "credentialSubject"), "credentialSubject"),
        (credential(signer, credentialSubject={}), "credentialSubject"),
        (_without(good, "validFrom"), "validFrom"),
        (credential(signer, validFrom="2026-01-05T09:00:00Z"), "+08:00"),
        (credential(signer, validFrom="2026-01-05 09:00:00+08:00"), "+08:00"),
        (credential(signer, validFrom="2026-02-30T09:00:00+08:00"), "不存在"),
        (credential(signer, validUntil="2026-01-05T09:00:00+08:00"), "晚于"),
        (_without(good, "credentialStatus"), "credentialStatus"),
        (credential(signer, credentialStatus=[]), "credentialStatus"),
        (credential(signer, credentialStatus={"type": "StatusList2021Entry"}),
         "BitstringStatusListEntry"),
        (credential(signer, credentialStatus={**good["credentialStatus"][0],
                                              "statusListIndex": "-1"}), "statusListIndex"),
        (credential(signer, credentialStatus={**good["credentialStatus"][0],
                                              "statusPurpose": "refresh"}), "statusPurpose"),
        (credential(signer, credentialStatus=[good["credentialStatus"][0]] * 2), "重复"),
        (credential(signer, proof={"type": "DataIntegrityProof"}), "proof"),
    ]
    for value, fragment in cases:
        assert fragment in _shape_error(value), (fragment, value)


def test_numbers_must_be_text(signer: KeyFileSigner) -> None:
    value = credential(signer)
    value["credentialSubject"]["registeredCapital"] = 100
    with pytest.raises(CredentialError, match="数字"):
        credential_sign(value, signer)


def test_a_validly_signed_malformed_credential_is_still_refused(signer: KeyFileSigner) -> None:
    data = canonicalize(_without(credential(signer), "credentialStatus"))
    result = credential_verify(data, signer.sign(data), signer.public_key)
    assert (result.ok, result.code) == (False, "malformed")
    assert "credentialStatus" in result.reason
    garbage = b'{"a":1}'
    result = credential_verify(garbage, signer.sign(garbage), signer.public_key)
    assert (result.ok, result.code) == (False, "malformed")


def test_verify_with_a_key_ring(signer: KeyFileSigner, tmp_path: Path) -> None:
    signed = credential_sign(credential(signer), signer)
    ring = KeyRing([PublicKey(kid=signer.kid, public_key=signer.public_key, issuer=ISSUER)])
    assert credential_verify_with(ring, signed.data, signed.signature).ok
    unknown = credential_verify_with(KeyRing([]), signed.data, signed.signature)
    assert (unknown.ok, unknown.code) == (False, "unknown_key")
    assert "向颁证地区在线核验" in unknown.reason
    # A key registered for another issuer may not sign for this one.
    elsewhere = KeyRing([PublicKey(kid=signer.kid, public_key=signer.public_key,
                                   issuer="11430481MB1D56788R")])
    result = credential_verify_with(elsewhere, signed.data, signed.signature)
    assert (result.ok, result.code) == (False, "wrong_issuer")
    assert not credential_verify_with(ring, b"not json", signed.signature).ok


def test_the_signature_is_der_sm2(signer: KeyFileSigner) -> None:
    signed = credential_sign(credential(signer), signer)
    assert signed.signature[0] == 0x30
    assert sm2.verify(signer.public_key, signed.data, signed.signature)


def test_signed_bytes_that_are_not_canonical_are_refused(signer: KeyFileSigner) -> None:
    """The bytes are verified as given, and they must be the RFC 8785 form: the same
    credential with a space, or its members in another order, is refused though signed."""
    value = credential(signer)
    canonical = canonicalize(value)
    reordered = json.dumps(dict(reversed(list(value.items()))), ensure_ascii=False,
                           separators=(",", ":")).encode()
    for data in (canonical.replace(b'":"', b'": "', 1), reordered):
        result = credential_verify(data, signer.sign(data), signer.public_key)
        assert (result.ok, result.code) == (False, "malformed"), data[:40]
        assert "规范形式" in result.reason, result.reason
    assert credential_verify(canonical, signer.sign(canonical), signer.public_key).ok
