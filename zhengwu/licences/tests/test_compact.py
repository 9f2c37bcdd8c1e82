"""The offline compact QR (licences.compact): base45 against RFC 9285, round trip, signature
over the exact CBOR bytes, one byte changed fails, QR version ≤ 15."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import segno

from zhengwu.core.clock import SHANGHAI
from zhengwu.licences.compact import (
    PREFIX,
    CompactError,
    CompactLicence,
    b45decode,
    b45encode,
    compact_decode,
    compact_encode,
    compact_verify,
)
from zhengwu.licences.signing import KeyFileSigner, KeyRing, PublicKey, keyfile_create

ISSUER = "11430481MB1234562F"


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    path: Path = tmp_path_factory.mktemp("keys") / "issuer.key"
    return keyfile_create(path, issuer=ISSUER)


def _keys(signer: KeyFileSigner, issuer: str = ISSUER) -> KeyRing:
    return KeyRing([PublicKey(kid=signer.kid, public_key=signer.public_key, issuer=issuer)])


def _licence(signer: KeyFileSigner, **changes: object) -> CompactLicence:
    licence = CompactLicence(
        identifier="1.2.156.3005.2.11100000MB0000019L001.11430481MB1234562F.20260000001.001.K",
        type_code="11100000MB0000019L001", type_name="营业执照", issuer=ISSUER,
        kid=signer.kid, holder_kind="enterprise",
        holder_name="耒阳市创业餐饮管理有限公司（一个相当长的企业名称用来测试二维码的容量）",
        holder_id="91430481MA4L0XXXXX",
        valid_from=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI),
        valid_until=dt.datetime(2031, 11, 30, 23, 59, 59, tzinfo=SHANGHAI),
        revocation_index=131071, suspension_index=99999)
    return dataclasses.replace(licence, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "encoded"), [
    (b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"), (b"", "")])
def test_base45_matches_rfc_9285(raw: bytes, encoded: str) -> None:
    assert b45encode(raw) == encoded
    assert b45decode(encoded) == raw


@pytest.mark.parametrize("bad", ["GGW", "A", "abc", "BB8B"])
def test_base45_refuses_what_rfc_9285_refuses(bad: str) -> None:
    with pytest.raises(CompactError):
        b45decode(bad)


def test_round_trip_verifies_with_the_public_key_alone(signer: KeyFileSigner) -> None:
    licence = _licence(signer)
    text = compact_encode(licence, signer)
    assert text.startswith(PREFIX)
    decoded, _, _ = compact_decode(text)
    assert decoded == licence
    checked = compact_verify(text, _keys(signer),
                             at=dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert checked.ok, checked.reason
    assert checked.licence == licence
    long_term = compact_encode(_licence(signer, valid_until=None), signer)
    assert compact_verify(long_term, _keys(signer)).licence.valid_until is None  # type: ignore[union-attr]


def test_the_qr_fits_version_15(signer: KeyFileSigner) -> None:
    text = compact_encode(_licence(signer), signer)
    qr = segno.make(text, error="m")
    assert qr.mode == "alphanumeric"
    assert int(qr.version) <= 15, (qr.version, len(text))


def test_every_one_byte_change_fails(signer: KeyFileSigner) -> None:
    text = compact_encode(_licence(signer), signer)
    keys = _keys(signer)
    raw = b45decode(text[len(PREFIX):])
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] ^= 0x01
        checked = compact_verify(PREFIX + b45encode(bytes(changed)), keys)
        assert not checked.ok, i
        assert checked.reason


def test_why_a_code_fails_is_said_in_chinese(signer: KeyFileSigner, tmp_path: Path) -> None:
    text = compact_encode(_licence(signer), signer)
    other = keyfile_create(tmp_path / "other.key", issuer=ISSUER)
    unknown = compact_verify(text, _keys(other))
    assert (unknown.ok, unknown.code) == (False, "unknown_key")
    assert "在线核验" in unknown.reason
    wrong = compact_verify(text, _keys(signer, issuer="11430481MB7654322Y"))
    assert wrong.code == "wrong_issuer"
    late = compact_verify(text, _keys(signer), at=dt.datetime(2032, 1, 1, tzinfo=SHANGHAI))
    assert (late.code, late.reason) == ("expired", "证照已过有效期")
    early = compact_verify(text, _keys(signer), at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    assert early.code == "not_yet_valid"
    for bad in ("HC1:ABC", "ZW1:%%%", "ZW1:" + b45encode(b"\xa0"), "ZW1:" + "A" * 5000):
        malformed = compact_verify(bad, _keys(signer))
        assert malformed.code == "malformed" and malformed.reason


def test_a_signature_over_another_payload_fails(signer: KeyFileSigner) -> None:
    one = compact_encode(_licence(signer), signer)
    two = compact_encode(_licence(signer, holder_id="91430481MA4L0YYYYY"), signer)
    import cbor2

    payload_one = cbor2.loads(b45decode(one[4:]))[0]
    signature_two = cbor2.loads(b45decode(two[4:]))[1]
    swapped = PREFIX + b45encode(cbor2.dumps([payload_one, signature_two]))
    assert compact_verify(swapped, _keys(signer)).code == "bad_signature"


def test_the_signer_must_be_the_licences_key(signer: KeyFileSigner, tmp_path: Path) -> None:
    other = keyfile_create(tmp_path / "other.key", issuer=ISSUER)
    with pytest.raises(ValueError, match="密钥标识"):
        compact_encode(_licence(signer), other)
