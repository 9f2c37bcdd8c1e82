"""The signed envelope of an electronic licence: a credential shaped like W3C VC 2.0, its RFC
8785 bytes (licences.canonical), and an SM2 signature over exactly those bytes.

    {"@context": ["https://www.w3.org/ns/credentials/v2"],
     "type": ["VerifiableCredential", …],
     "id": "1.2.156.3005.2.….001.U",                 the GB/T 36904 证照标识, canonical form
     "issuer": {"id": "<issuer USCC>", "kid": "…"},  the identifier's 颁证机构代码; the key id
     "credentialSubject": {…},                       holder and licence fields, all text
     "validFrom": "2026-01-05T09:00:00+08:00",
     "validUntil": "2031-01-04T23:59:59+08:00",      optional: 长期有效 licences have none
     "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                           "statusListIndex": "94567", "statusListCredential": "https://…"}, …]}

The signature is detached (no `proof` member): `SignedCredential` carries the bytes, the DER
signature and the kid, and whoever stores a licence stores the bytes verbatim. Verification
checks the signature over the bytes as given, never over a re-serialisation, then reads them
(strictly) to check the shape and the key: one byte changed anywhere fails (scorecard row 18).

Shaped like VC 2.0, not claiming conformance: VC 2.0 wants `id` to be a URL, and ours is the
bare 证照标识 every Chinese licence system keys on; numbers are text (canonical.py). Status
(revoked, suspended) is read from the status lists, not here; `at` checks the validity window.

The same envelope carries the status lists themselves (licences.status_list): a credential
whose `type` has `BitstringStatusListCredential` is checked against that shape instead (its
`id` is the list's URL, its subject the encoded bitstring, its validity at most 24 hours).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from zhengwu.core import sm2
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.licences.canonical import CanonicalError, canonical_loads, canonicalize
from zhengwu.licences.identifier import LicenceIdError, licence_id_parse
from zhengwu.licences.signing import KeyRing, Signer, key_id

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
STATUS_ENTRY: Final = "BitstringStatusListEntry"
STATUS_PURPOSES: Final = ("revocation", "suspension")
STATUS_LIST_CREDENTIAL: Final = "BitstringStatusListCredential"
STATUS_LIST_SUBJECT: Final = "BitstringStatusList"
# A status list is re-signed at least daily: an offline verifier holding an older one must not
# conclude that a licence is not revoked (issue 11 item 4).
STATUS_LIST_MAX_VALIDITY: Final = dt.timedelta(hours=24)
# Where a verifier that cannot decide offline sends people; the trust list uses it too.
VERIFY_ONLINE: Final = "请向颁证地区在线核验"
_URL = re.compile(r"https?://[^\s#]+")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00")
_KID = re.compile(r"[0-9a-f]{16}")

Code = Literal["valid", "bad_signature", "malformed", "wrong_key", "unknown_key",
               "wrong_issuer", "not_yet_valid", "expired",
               # from the trust list (licences.trust_list)
               "unknown_issuer", "key_not_valid", "type_not_allowed"]


class CredentialError(ValueError):
    """A credential that may not be signed (or was signed malformed); the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class SignedCredential:
    data: bytes  # the canonical bytes: stored verbatim, verified as stored
    signature: bytes  # DER (r, s)
    kid: str


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    code: Code
    reason: str  # for people, in Chinese
    credential: dict[str, Any] | None = None  # None unless the signature holds


def credential_sign(credential: Mapping[str, Any], signer: Signer) -> SignedCredential:
    """Check the shape, canonicalise, sign. The issuer's kid must be the signer's."""
    credential_check(credential)
    if credential["issuer"]["kid"] != signer.kid:
        raise CredentialError(f"证照中的密钥标识 {credential['issuer']['kid']} 不是签名密钥的"
                              f"（{signer.kid}）")
    try:
        data = canonicalize(credential)
    except CanonicalError as error:
        raise CredentialError(error.message) from None
    return SignedCredential(data=data, signature=signer.sign(data), kid=signer.kid)


def credential_verify(data: bytes, signature: bytes, public_key: bytes, *,
                      at: dt.datetime | None = None) -> Verification:
    """Whether `data` is a well-formed credential signed with `public_key`, and (with `at`)
    valid at that moment; the reason says why not."""
    if at is not None and at.tzinfo is None:
        raise ValueError("at 须带时区")
    if not sm2.verify(public_key, data, signature):
        return Verification(False, "bad_signature",
                            "签名验证失败：证照内容或签名已被改动，或并非该密钥所签")
    try:
        credential = _read(data)
    except CredentialError as error:
        return Verification(False, "malformed", f"签名有效，但证照格式不符：{error.message}")
    declared, actual = credential["issuer"]["kid"], key_id(public_key)
    if declared != actual:
        return Verification(False, "wrong_key",
                            f"证照声明的密钥标识 {declared} 与验证所用的密钥（{actual}）不符",
                            credential)
    if at is not None:
        valid_from = dt.datetime.fromisoformat(credential["validFrom"])
        if at < valid_from:
            return Verification(False, "not_yet_valid",
                                f"证照自 {_shown(valid_from)} 起生效，尚未生效", credential)
        if "validUntil" in credential:
            valid_until = dt.datetime.fromisoformat(credential["validUntil"])
            if at > valid_until:
                return Verification(False, "expired", f"证照已于 {_shown(valid_until)} 过期",
                                    credential)
    return Verification(True, "valid", "签名有效", credential)


def credential_verify_with(keys: KeyRing, data: bytes, signature: bytes, *,
                           at: dt.datetime | None = None) -> Verification:
    """As `credential_verify`, the key found by the credential's kid in `keys`, and that key
    registered for the credential's issuer."""
    try:
        credential = _read(data)
    except CredentialError as error:
        return Verification(False, "malformed", f"证照格式不符：{error.message}")
    key = keys.get(credential["issuer"]["kid"])
    if key is None:
        return Verification(False, "unknown_key",
                            f"本地没有密钥 {credential['issuer']['kid']}（颁证机构 "
                            f"{credential['issuer']['id']}），{VERIFY_ONLINE}")
    if key.issuer != credential["issuer"]["id"]:
        return Verification(False, "wrong_issuer",
                            f"密钥 {key.kid} 属于 {key.issuer}，不能为 {credential['issuer']['id']} "
                            "签发证照")
    return credential_verify(data, signature, key.public_key, at=at)


def _read(data: bytes) -> dict[str, Any]:
    try:
        credential = canonical_loads(data)
        # The signed bytes are the RFC 8785 form of what they say, nothing else: bytes that
        # parse but are not canonical (a space, members reordered) came from no signer of
        # ours, and two encodings of one credential would not be one licence (~35 µs).
        if canonicalize(credential) != data:
            raise CredentialError("签名内容不是 RFC 8785（JCS）规范形式")
    except CanonicalError as error:
        raise CredentialError(error.message) from None
    credential_check(credential)
    return credential  # type: ignore[no-any-return]  # a dict: credential_check said so


def _shown(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# --- the shape -------------------------------------------------------------------------------


def credential_check(credential: Any) -> None:
    """Raise `CredentialError` unless `credential` has the shape described above."""
    if not isinstance(credential, Mapping):
        raise CredentialError("证照应为 JSON 对象")
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT:
        raise CredentialError(f"@context 应为以 {VC_CONTEXT} 开头的列表")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise CredentialError("type 应为包含 VerifiableCredential 的列表")
    if "proof" in credential:
        raise CredentialError("签名与证照分开保存，证照内不应有 proof")
    if STATUS_LIST_CREDENTIAL in types:
        _check_status_list(credential)
        return
    identifier = credential.get("id")
    if not isinstance(identifier, str):
        raise CredentialError("缺少 id（证照标识）")
    try:
        parsed = licence_id_parse(identifier)
    except LicenceIdError as error:
        raise CredentialError(f"id 不是有效的证照标识：{error.message}") from None
    if str(parsed) != identifier:
        raise CredentialError(f"id 应为证照标识的规范形式 {parsed}")
    issuer = credential.get("issuer")
    if not isinstance(issuer, Mapping) or not isinstance(issuer.get("id"), str):
        raise CredentialError("issuer 应为含 id 与 kid 的对象")
    if not isinstance(issuer.get("kid"), str) or not _KID.fullmatch(issuer["kid"]):
        raise CredentialError("issuer.kid 应为 16 位小写十六进制的密钥标识")
    if issuer["id"] != parsed.issuer_code:
        raise CredentialError(f"issuer.id（{issuer['id']}）与证照标识中的颁证机构代码"
                              f"（{parsed.issuer_code}）不一致")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or not subject:
        raise CredentialError("credentialSubject 应为非空对象")
    valid_from = timestamp_field(credential, "validFrom", required=True)
    valid_until = timestamp_field(credential, "validUntil", required=False)
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise CredentialError("validUntil 应晚于 validFrom")
    _check_status(credential.get("credentialStatus"))


def timestamp_field(credential: Mapping[str, Any], name: str, *,
                    required: bool) -> dt.datetime | None:
    """The Beijing-time timestamp member `name` (None if absent and not required), or
    `CredentialError`; the trust list's times follow the same rule."""
    value = credential.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise CredentialError(f"{name} 应为北京时间 YYYY-MM-DDThh:mm:ss+08:00，实为“{value}”")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise CredentialError(f"{name} 的日期时间 {value} 不存在") from None


def _check_status(status: Any) -> None:
    entries = [status] if isinstance(status, Mapping) else status
    if not isinstance(entries, list) or not entries:
        raise CredentialError("缺少 credentialStatus（状态列表条目）")
    purposes = set()
    for entry in entries:
        status_entry_check(entry)
        if entry["statusPurpose"] in purposes:
            raise CredentialError(f"statusPurpose “{entry['statusPurpose']}”重复")
        purposes.add(entry["statusPurpose"])


def status_entry_check(entry: Any) -> None:
    """Raise `CredentialError` unless `entry` is one of our BitstringStatusListEntry objects."""
    if not isinstance(entry, Mapping) or entry.get("type") != STATUS_ENTRY:
        raise CredentialError(f"credentialStatus 的条目应为 {STATUS_ENTRY}")
    purpose = entry.get("statusPurpose")
    if purpose not in STATUS_PURPOSES:
        raise CredentialError(f"statusPurpose 应为 {'、'.join(STATUS_PURPOSES)} 之一，"
                              f"实为“{purpose}”")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not index.isascii() or not index.isdigit():
        raise CredentialError(f"statusListIndex 应为非负整数的文本，实为“{index}”")
    if not isinstance(entry.get("statusListCredential"), str) or not entry[
            "statusListCredential"]:
        raise CredentialError("statusListCredential 应为状态列表的地址")


def _check_status_list(credential: Mapping[str, Any]) -> None:
    """The status list credential (Bitstring Status List v1.0 §2.2) as we sign it."""
    url = credential.get("id")
    if not isinstance(url, str) or not _URL.fullmatch(url):
        raise CredentialError(f"状态列表的 id 应为其 http(s) 地址，实为“{url}”")
    issuer = credential.get("issuer")
    if not isinstance(issuer, Mapping) or not isinstance(issuer.get("id"), str):
        raise CredentialError("issuer 应为含 id 与 kid 的对象")
    if not isinstance(issuer.get("kid"), str) or not _KID.fullmatch(issuer["kid"]):
        raise CredentialError("issuer.kid 应为 16 位小写十六进制的密钥标识")
    try:
        validate_uscc(issuer["id"])
    except CodeError as error:
        raise CredentialError(f"issuer.id 不是有效的统一社会信用代码：{error.message}") from None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != STATUS_LIST_SUBJECT:
        raise CredentialError(f"状态列表的 credentialSubject.type 应为 {STATUS_LIST_SUBJECT}")
    if subject.get("statusPurpose") not in STATUS_PURPOSES:
        raise CredentialError(f"状态列表的 statusPurpose 应为 {'、'.join(STATUS_PURPOSES)} 之一，"
                              f"实为“{subject.get('statusPurpose')}”")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise CredentialError("encodedList 应为以 u 开头的 multibase base64url 文本")
    if "credentialStatus" in credential:
        raise CredentialError("状态列表本身不应有 credentialStatus")
    valid_from = timestamp_field(credential, "validFrom", required=True)
    valid_until = timestamp_field(credential, "validUntil", required=True)
    if (valid_from is None or valid_until is None  # not with required=True; for the type checker
            or not valid_from < valid_until <= valid_from + STATUS_LIST_MAX_VALIDITY):
        raise CredentialError("状态列表的 validUntil 应晚于 validFrom，且不超过 24 小时")
