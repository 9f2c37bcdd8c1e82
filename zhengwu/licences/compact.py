"""The offline compact QR (离线核验码): a licence in a few hundred characters, signed, that a
verifier checks with the issuer's public key alone — no network, no database.

    QR text = "ZW1:" ‖ base45( CBOR [ payload: bstr, signature: bstr ] )
    payload = CBOR map (deterministic encoding, RFC 8949 §4.2), integer keys:
      1  format version (1)             7  holder: [kind (1 person, 2 enterprise), name]
      2  证照标识 (GB/T 36904)           8  holder ID number (masked for a person)
      3  licence type code (21 chars)   9  valid from, Unix seconds
      4  licence type name             10  valid until, Unix seconds (absent: 长期有效)
      5  issuer USCC
      6  kid of the signing key        11  [revocation list number, index,
                                              suspension list number, index]
    signature = SM2 (default ID, DER) over exactly the payload bytes, by the issuer's key

Base45 (RFC 9285) keeps every character in the QR alphanumeric set, so the code is encoded in
alphanumeric mode (5.5 bits a character). The signature covers the payload bytes as they are
in the code: the verifier checks the bytes it was given and only then reads them, so one byte
changed anywhere fails. The current status is not in the code (it changes after printing):
the status lists' numbers and the positions in them are, so that a verifier holding fresh
lists checks the bits (`compact_status`, issue 11 item 4); a stale or missing list fails
closed. Format 1 (the first printed codes) carried the positions without the list numbers:
it is still read, and its status is "unknown — verify online". The issuer's name is not in
the code either: the verifier's key (our key folder, the trust list) names it.

Pure: no Django, no database; `compact_encode` takes a `Signer`, `compact_verify` a `KeyRing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import cbor2

from zhengwu.core import sm2
from zhengwu.licences.credential import STATUS_ENTRY, STATUS_PURPOSES, SignedCredential
from zhengwu.licences.signing import KeyRing, Signer, key_id
from zhengwu.licences.status_list import Status, VerifiedStatusList, licence_status

PREFIX: Final = "ZW1:"
FORMAT_VERSION: Final = 2
_READABLE_VERSIONS: Final = (1, 2)
_B45: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUE: Final = {c: i for i, c in enumerate(_B45)}
_HOLDER_KIND: Final = {"person": 1, "enterprise": 2}
_HOLDER_KIND_NAME: Final = {v: k for k, v in _HOLDER_KIND.items()}
# Far above any real licence's code (≈ 500 characters); stops a crafted code early.
_MAX_TEXT: Final = 4000

Code = Literal["valid", "malformed", "unknown_key", "wrong_issuer", "bad_signature",
               "not_yet_valid", "expired"]


class CompactError(ValueError):
    """A code that is not a compact licence; the message is for people, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- base45 (RFC 9285) ------------------------------------------------------------------------


def b45encode(data: bytes) -> str:
    """Two bytes to three characters (least significant first), a last odd byte to two."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += [_B45[c], _B45[d], _B45[e]]
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += [_B45[c], _B45[d]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The inverse of b45encode; CompactError for a character outside the alphabet, a length
    of 1 modulo 3, or a group above its range (RFC 9285 §6)."""
    try:
        values = [_B45_VALUE[c] for c in text]
    except KeyError:
        raise CompactError("不是 Base45 编码：含有字母表以外的字符") from None
    if len(values) % 3 == 1:
        raise CompactError("不是 Base45 编码：长度不对")
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i:i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise CompactError("不是 Base45 编码：数值越界")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise CompactError("不是 Base45 编码：数值越界")
            out.append(n)
    return bytes(out)


# --- the credential -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompactLicence:
    """What the code says: all of it public or masked (no full name, no full ID number of a
    person)."""

    identifier: str
    type_code: str
    type_name: str
    issuer: str  # USCC
    kid: str
    holder_kind: str  # "person" | "enterprise"
    holder_name: str  # masked for a person
    holder_id: str  # masked for a person
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    revocation_index: int
    suspension_index: int
    # The status lists' numbers (status.status_list_url); 0: not in the code (format 1).
    revocation_list: int = 0
    suspension_list: int = 0


@dataclass(frozen=True, slots=True)
class CompactVerification:
    ok: bool
    code: Code
    reason: str  # for people, in Chinese
    licence: CompactLicence | None = None  # None when the code could not be read


def _seconds(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("时间须带时区")
    return int(moment.timestamp())


def compact_payload(licence: CompactLicence) -> bytes:
    """The payload's CBOR bytes (deterministic: the same licence gives the same bytes)."""
    if licence.holder_kind not in _HOLDER_KIND:
        raise ValueError(f"持证主体类别 {licence.holder_kind!r} 未知")
    body: dict[int, Any] = {
        1: FORMAT_VERSION, 2: licence.identifier, 3: licence.type_code, 4: licence.type_name,
        5: licence.issuer, 6: licence.kid,
        7: [_HOLDER_KIND[licence.holder_kind], licence.holder_name], 8: licence.holder_id,
        9: _seconds(licence.valid_from),
        11: [licence.revocation_list, licence.revocation_index, licence.suspension_list,
             licence.suspension_index],
    }
    if licence.valid_until is not None:
        body[10] = _seconds(licence.valid_until)
    return bytes(cbor2.dumps(body, canonical=True))


def compact_encode(licence: CompactLicence, signer: Signer) -> str:
    """The QR text of `licence`, signed by `signer` (the issuer's key: its kid must be the
    licence's)."""
    if licence.kid != signer.kid:
        raise ValueError(f"密钥标识 {licence.kid} 不是签名密钥的（{signer.kid}）")
    payload = compact_payload(licence)
    envelope = cbor2.dumps([payload, signer.sign(payload)], canonical=True)
    return PREFIX + b45encode(bytes(envelope))


def _text(body: dict[Any, Any], key: int, what: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise CompactError(f"缺少{what}")
    return value


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CompactError(f"{what}应为非负整数")
    return value


def _moment(value: Any, what: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(_int(value, what), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise CompactError(f"{what}超出范围") from None


def _read(payload: bytes) -> CompactLicence:
    try:
        body = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise CompactError("证照内容不是有效的 CBOR") from None
    if not isinstance(body, dict):
        raise CompactError("证照内容应为 CBOR 映射")
    version = body.get(1)
    if version not in _READABLE_VERSIONS:
        raise CompactError(f"离线核验码格式版本 {version!r} 不受支持")
    holder = body.get(7)
    if not (isinstance(holder, list) and len(holder) == 2 and holder[0] in _HOLDER_KIND_NAME
            and isinstance(holder[1], str)):
        raise CompactError("持证主体字段格式不符")
    indices = body.get(11)
    if not (isinstance(indices, list) and len(indices) == (2 if version == 1 else 4)):
        raise CompactError("状态列表位置字段格式不符")
    if version == 1:  # positions only; the lists unknown
        indices = [0, indices[0], 0, indices[1]]
    return CompactLicence(
        identifier=_text(body, 2, "证照标识"), type_code=_text(body, 3, "证照类型代码"),
        type_name=_text(body, 4, "证照类型名称"), issuer=_text(body, 5, "颁证机构代码"),
        kid=_text(body, 6, "密钥标识"), holder_kind=_HOLDER_KIND_NAME[holder[0]],
        holder_name=holder[1], holder_id=_text(body, 8, "证件号码"),
        valid_from=_moment(body.get(9), "有效期起"),
        valid_until=_moment(body[10], "有效期至") if 10 in body else None,
        revocation_list=_int(indices[0], "撤销状态列表编号"),
        revocation_index=_int(indices[1], "撤销状态位"),
        suspension_list=_int(indices[2], "暂停状态列表编号"),
        suspension_index=_int(indices[3], "暂停状态位"))


def compact_decode(text: str) -> tuple[CompactLicence, bytes, bytes]:
    """(licence, payload bytes, signature) of a QR text, signature NOT checked: for showing
    what a code claims; trust it only through `compact_verify`."""
    text = text.strip()
    if len(text) > _MAX_TEXT:
        raise CompactError("离线核验码过长")
    if not text.startswith(PREFIX):
        raise CompactError(f"不是本平台的离线核验码（应以 {PREFIX} 开头）")
    try:
        envelope = cbor2.loads(b45decode(text[len(PREFIX):]))
    except CompactError:
        raise
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        raise CompactError("离线核验码不是有效的 CBOR") from None
    if not (isinstance(envelope, list) and len(envelope) == 2
            and all(isinstance(part, bytes) for part in envelope)):
        raise CompactError("离线核验码应为 [内容, 签名] 两个字节串")
    payload, signature = envelope
    return _read(payload), payload, signature


def compact_verify(text: str, keys: KeyRing, *, at: dt.datetime | None = None
                   ) -> CompactVerification:
    """Whether the code is a licence signed by a key in `keys` registered for its issuer, and
    (with `at`) within its validity; the reason says why not."""
    try:
        licence, payload, signature = compact_decode(text)
    except CompactError as error:
        return CompactVerification(False, "malformed", error.message)
    key = keys.get(licence.kid)
    if key is None:
        return CompactVerification(False, "unknown_key",
                                   f"本地没有密钥 {licence.kid}（颁证机构 {licence.issuer}），"
                                   "请向颁证地区在线核验", licence)
    if key.issuer != licence.issuer or key_id(key.public_key) != licence.kid:
        return CompactVerification(False, "wrong_issuer",
                                   f"密钥 {key.kid} 属于 {key.issuer}，不能为 {licence.issuer} "
                                   "签发证照", licence)
    if not sm2.verify(key.public_key, payload, signature):
        return CompactVerification(False, "bad_signature",
                                   "签名验证失败：核验码内容或签名已被改动，或并非该密钥所签",
                                   licence)
    if at is not None:
        if at < licence.valid_from:
            return CompactVerification(False, "not_yet_valid", "证照尚未生效", licence)
        if licence.valid_until is not None and at > licence.valid_until:
            return CompactVerification(False, "expired", "证照已过有效期", licence)
    return CompactVerification(True, "valid", "签名有效（离线核验；撤销、暂停以最新状态列表为准）",
                               licence)


def compact_status(licence: CompactLicence,
                   lists: Mapping[str, SignedCredential | VerifiedStatusList],
                   list_url: Callable[[str, str, int], str], now: dt.datetime,
                   keys: KeyRing) -> Status:
    """The status of a verified compact licence against the status lists at hand (by URL;
    `list_url(issuer, purpose, number)` names a list as the issuer publishes it): the same
    fail-closed check as a full licence's (status_list.licence_status) — a missing or stale
    list, or a set bit, is not ok."""
    if not (licence.revocation_list and licence.suspension_list):
        return Status(False, "missing_list", "此离线核验码未载明状态列表编号（早期格式），无法离线确认"
                                             "证照未被撤销或暂停；请在线核验")
    entries = [
        {"type": STATUS_ENTRY, "statusPurpose": purpose,
         "statusListIndex": str(index), "statusListCredential": list_url(
             licence.issuer, purpose, number)}
        for purpose, number, index in zip(STATUS_PURPOSES, (
            licence.revocation_list, licence.suspension_list), (
            licence.revocation_index, licence.suspension_index), strict=True)]
    return licence_status({"issuer": {"id": licence.issuer}, "credentialStatus": entries},
                          lists, now, keys)
