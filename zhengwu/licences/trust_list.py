"""The trust list: which other issuers (other counties, the province) we accept licences from,
with which keys and for which licence types (跨域通办 mutual recognition, issue 11 item 5).

A trust-list authority (the province's 政务服务 data centre, say) signs one JSON document, the
same way licences are signed (RFC 8785 bytes, detached SM2, licences.credential):

    {"type": "LicenceTrustList",
     "sequence": "7",                               grows with every edition: rollback refused
     "issued": "2026-12-06T08:00:00+08:00",
     "nextUpdate": "2027-01-05T08:00:00+08:00",     the next edition comes by then
     "authority": {"id": "<USCC>", "name": "…", "kid": "<16 hex>"},
     "issuers": [{"id": "<issuer USCC>", "name": "衡阳市市场监督管理局", "region": "430400",
                  "keys": [{"kid": "…", "publicKey": "<128 hex: x‖y>",
                            "validFrom": "…+08:00", "validUntil": "…+08:00"}],
                  "licenceTypes": ["11100000000013338W011", …]}]}

- **Verification** (`trust_list_verify`) needs the authority's public key, pinned by whoever
  installs the verifier (not taken from the list), and the sequence of the last list accepted:
  a list whose sequence is not greater is refused, so an attacker cannot replay an old edition
  that still trusts a key since withdrawn.
- **Editions expire** (`nextUpdate`, as an ETSI TS 119 612 trusted list's NextUpdate): after
  it, the list is stale and no licence of another issuer is accepted on it — the verifier is
  sent online — because a key withdrawn in an edition it has not received would otherwise be
  trusted forever. A stale edition is not accepted either.
- **Keys have windows.** `TrustList.key_ring(at)` holds the keys valid at that moment (for
  status lists, which are signed now). A licence is judged by its key's window at the time it
  was issued (its validFrom): a licence signed in 2025 with the 2025 key stays valid in 2026. A
  key that must no longer be trusted at all (compromise) is removed from the next edition.
- **Decision** (`credential_verify_trusted`): the issuer is in the list, the kid is one of its
  keys, the signature holds, the licence type (from the 证照标识) is allowed for that issuer,
  the key was valid at issue, and the licence is valid `at`. The answer is the envelope's
  `Verification`, so a licence from a trusted issuer is handled exactly like our own; an
  unknown issuer or key ends with VERIFY_ONLINE, the words the envelope verifier uses.

Pure module: where the accepted list and its sequence are kept is the caller's; see
docs/licences.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from zhengwu.core import sm2
from zhengwu.core.codes import CodeError, validate_uscc
from zhengwu.licences.canonical import CanonicalError, canonical_loads, canonicalize
from zhengwu.licences.credential import (
    VERIFY_ONLINE,
    CredentialError,
    Verification,
    credential_check,
    credential_verify,
    credential_verify_with,
    timestamp_field,
)
from zhengwu.licences.identifier import (
    LicenceIdError,
    licence_id_parse,
    licence_type_code_check,
)
from zhengwu.licences.signing import KeyRing, PublicKey, Signer

TRUST_LIST_TYPE: Final = "LicenceTrustList"
FILE_FORMAT: Final = "zhengwu-licence-trust-list"
_SEQUENCE = re.compile(r"[1-9][0-9]{0,17}")
_REGION = re.compile(r"[0-9]{6}")  # GB/T 2260 行政区划代码
_KID = re.compile(r"[0-9a-f]{16}")
_PUBLIC = re.compile(r"[0-9a-f]{128}")

ErrorCode = Literal["bad_signature", "malformed", "wrong_key", "rollback", "stale"]


class TrustListError(ValueError):
    """A trust list that must not be used; the message (Chinese) says why."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class TrustedKey:
    kid: str
    public_key: bytes
    valid_from: dt.datetime
    valid_until: dt.datetime

    def valid_at(self, moment: dt.datetime) -> bool:
        return self.valid_from <= moment <= self.valid_until


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    id: str  # USCC
    name: str
    region: str
    keys: tuple[TrustedKey, ...]
    licence_types: frozenset[str]

    def key(self, kid: str) -> TrustedKey | None:
        return next((key for key in self.keys if key.kid == kid), None)


@dataclass(frozen=True, slots=True)
class TrustList:
    """A verified trust list, read."""

    sequence: int
    issued: dt.datetime
    authority: str
    issuers: Mapping[str, TrustedIssuer]
    next_update: dt.datetime

    def stale_at(self, moment: dt.datetime) -> bool:
        """Past `nextUpdate`: the edition may no longer be relied on."""
        return moment > self.next_update

    def key_ring(self, at: dt.datetime) -> KeyRing:
        """The keys valid at `at`, each registered for its issuer."""
        if at.tzinfo is None:
            raise ValueError("at 须带时区")
        return KeyRing(PublicKey(key.kid, key.public_key, issuer.id)
                       for issuer in self.issuers.values() for key in issuer.keys
                       if key.valid_at(at))

    def owner_of(self, kid: str) -> TrustedIssuer | None:
        return next((issuer for issuer in self.issuers.values() if issuer.key(kid)), None)


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    data: bytes  # canonical bytes, verified as stored
    signature: bytes  # DER (r, s)
    kid: str


# --- signing and verifying -----------------------------------------------------------------------


def trust_list_sign(document: Mapping[str, Any], signer: Signer) -> SignedTrustList:
    """Check the document, canonicalise and sign it with the authority's key."""
    _read_document(document)
    if document["authority"]["kid"] != signer.kid:
        raise TrustListError("wrong_key", f"信任列表声明的签发密钥 kid {document['authority']['kid']}"
                                          f" 不是签名密钥的（{signer.kid}）")
    try:
        data = canonicalize(document)
    except CanonicalError as error:
        raise TrustListError("malformed", error.message) from None
    return SignedTrustList(data=data, signature=signer.sign(data), kid=signer.kid)


def trust_list_verify(data: bytes, signature: bytes, authority: PublicKey, *,
                      last_sequence: int | None) -> TrustList:
    """The trust list in `data` if the authority signed it and it is newer than the last one
    accepted (`last_sequence`; None when nothing was accepted yet, or to re-read the stored
    copy); `TrustListError` otherwise."""
    if not sm2.verify(authority.public_key, data, signature):
        raise TrustListError("bad_signature",
                             "信任列表签名验证失败：内容或签名已被改动，或并非信任列表签发机构所签")
    try:
        document = canonical_loads(data)
    except CanonicalError as error:
        raise TrustListError("malformed", f"签名有效，但信任列表格式不符：{error.message}") from None
    trust = _read_document(document)
    if document["authority"]["kid"] != authority.kid or trust.authority != authority.issuer:
        raise TrustListError("wrong_key", f"信任列表声明的签发机构 {trust.authority}（密钥 "
                                          f"{document['authority']['kid']}）与验证所用的不符")
    if last_sequence is not None and trust.sequence <= last_sequence:
        raise TrustListError("rollback", f"信任列表序号 {trust.sequence} 不大于已接受的 "
                                         f"{last_sequence}，拒绝（防止退回旧版本）")
    return trust


def trust_list_dumps(signed: SignedTrustList) -> bytes:
    """The file that travels: the signed text as a JSON string (readable, and its UTF-8 is
    exactly the signed bytes), the signature in base64 and the kid."""
    return json.dumps({"format": FILE_FORMAT, "kid": signed.kid,
                       "signature": base64.b64encode(signed.signature).decode("ascii"),
                       "data": signed.data.decode("utf-8")},
                      ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def trust_list_loads(text: bytes) -> SignedTrustList:
    """Read a file written by `trust_list_dumps` (not verified yet)."""
    try:
        envelope = json.loads(text)
        if not isinstance(envelope, dict) or envelope.get("format") != FILE_FORMAT:
            raise ValueError(f"不是 {FILE_FORMAT} 文件")
        return SignedTrustList(data=envelope["data"].encode("utf-8"),
                               signature=base64.b64decode(envelope["signature"], validate=True),
                               kid=str(envelope["kid"]))
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise TrustListError("malformed", f"信任列表文件无法读取：{error}") from None


# --- deciding on a licence -----------------------------------------------------------------------


def credential_verify_trusted(trust: TrustList, data: bytes, signature: bytes, *,
                              at: dt.datetime | None = None) -> Verification:
    """Whether a licence of another issuer is accepted under `trust` (see the module
    docstring); the answer has the same form as for our own licences."""
    try:
        credential = canonical_loads(data)
        credential_check(credential)
        type_code = licence_id_parse(credential["id"]).type_code
    except (CanonicalError, CredentialError, LicenceIdError) as error:
        return Verification(False, "malformed", f"证照格式不符：{error.message}")
    issuer_id, kid = credential["issuer"]["id"], credential["issuer"]["kid"]
    # Without `at` (no validity check asked), staleness is judged now: never skipped.
    if trust.stale_at(at or dt.datetime.now(dt.UTC)):
        return Verification(False, "unknown_key", f"信任列表第 {trust.sequence} 版已于 "
                                                  f"{_shown(trust.next_update)} 过期，不能据此认可"
                                                  f"其他地区的证照，{VERIFY_ONLINE}")
    issuer = trust.issuers.get(issuer_id)
    if issuer is None:
        return Verification(False, "unknown_issuer", f"颁证机构 {issuer_id} 不在信任列表（第 "
                                                     f"{trust.sequence} 版）中，{VERIFY_ONLINE}")
    key = issuer.key(kid)
    if key is None:
        owner = trust.owner_of(kid)
        if owner is not None:
            return Verification(False, "wrong_issuer", f"密钥 {kid} 属于 {owner.name}（{owner.id}），"
                                                       f"不能为 {issuer.name}（{issuer_id}）签发证照")
        return Verification(False, "unknown_key", f"信任列表中没有 {issuer.name}（{issuer_id}）的"
                                                  f"密钥 {kid}，{VERIFY_ONLINE}")
    result = credential_verify(data, signature, key.public_key, at=at)
    if result.credential is None:  # the signature did not hold, or the shape
        return result
    if type_code not in issuer.licence_types:
        return Verification(False, "type_not_allowed", f"信任列表未授权 {issuer.name}（{issuer_id}）"
                                                        f"签发证照类型 {type_code}", result.credential)
    issued = dt.datetime.fromisoformat(credential["validFrom"])
    if not key.valid_at(issued):
        return Verification(False, "key_not_valid",
                            f"证照签发时（{_shown(issued)}）密钥 {kid} 不在信任列表登记的有效期内"
                            f"（{_shown(key.valid_from)} 至 {_shown(key.valid_until)}）",
                            result.credential)
    if not result.ok:  # valid signature, outside the licence's own validity at `at`
        return result
    return Verification(True, "valid", f"签名有效（跨域互认：{issuer.name}）", result.credential)


def credential_verify_any(own: KeyRing, trust: TrustList | None, data: bytes, signature: bytes,
                          *, at: dt.datetime | None = None) -> Verification:
    """Our own keys first, then the trust list (when the kid or the issuer is in it); a key
    neither knows sends the verifier online (credential_verify_with's unknown_key)."""
    kid, issuer_id = _declared(data)
    if (trust is not None and kid is not None and own.get(kid) is None
            and (trust.owner_of(kid) is not None or issuer_id in trust.issuers)):
        return credential_verify_trusted(trust, data, signature, at=at)
    return credential_verify_with(own, data, signature, at=at)


def _declared(data: bytes) -> tuple[str | None, str | None]:
    """The kid and issuer a credential claims, read only to choose the key ring."""
    try:
        issuer = canonical_loads(data)["issuer"]
        kid, issuer_id = issuer["kid"], issuer["id"]
    except (CanonicalError, KeyError, TypeError):
        return None, None
    return (kid if isinstance(kid, str) else None,
            issuer_id if isinstance(issuer_id, str) else None)


def _shown(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# --- the shape -----------------------------------------------------------------------------------


def _read_document(document: Any) -> TrustList:
    try:
        return _read(document)
    except CredentialError as error:  # from timestamp_field
        raise TrustListError("malformed", error.message) from None


def _read(document: Any) -> TrustList:
    def bad(message: str) -> TrustListError:
        return TrustListError("malformed", message)

    if not isinstance(document, Mapping):
        raise bad("信任列表应为 JSON 对象")
    if document.get("type") != TRUST_LIST_TYPE:
        raise bad(f"信任列表的 type 应为 {TRUST_LIST_TYPE}")
    sequence = document.get("sequence")
    if isinstance(sequence, int | float):
        raise bad("sequence 应写成文本形式的数字（签名内容不使用数字）")
    if not isinstance(sequence, str) or not _SEQUENCE.fullmatch(sequence):
        raise bad(f"sequence 应为不以 0 开头的正整数文本，实为“{sequence}”")
    issued = timestamp_field(document, "issued", required=True)
    next_update = timestamp_field(document, "nextUpdate", required=True)
    authority = document.get("authority")
    if not isinstance(authority, Mapping) or not isinstance(authority.get("name"), str):
        raise bad("authority 应为含 id、name、kid 的对象")
    authority_id = _uscc(authority.get("id"), "authority.id")
    if not isinstance(authority.get("kid"), str) or not _KID.fullmatch(authority["kid"]):
        raise bad("authority.kid 应为 16 位小写十六进制的密钥标识")
    entries = document.get("issuers")
    if not isinstance(entries, list):
        raise bad("issuers 应为列表")
    issuers: dict[str, TrustedIssuer] = {}
    kids: set[str] = set()
    for entry in entries:
        issuer = _read_issuer(entry)
        if issuer.id in issuers:
            raise bad(f"颁证机构 {issuer.id} 重复")
        for key in issuer.keys:
            if key.kid in kids:
                raise bad(f"密钥 {key.kid} 重复")
            kids.add(key.kid)
        issuers[issuer.id] = issuer
    if issued is None or next_update is None:  # not with required=True; for the type checker
        raise bad("缺少 issued 或 nextUpdate")
    if next_update <= issued:
        raise bad("nextUpdate 应晚于 issued")
    return TrustList(sequence=int(sequence), issued=issued, authority=authority_id,
                     issuers=issuers, next_update=next_update)


def _read_issuer(entry: Any) -> TrustedIssuer:
    if not isinstance(entry, Mapping):
        raise TrustListError("malformed", "issuers 的条目应为对象")
    issuer_id = _uscc(entry.get("id"), "issuers[].id")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TrustListError("malformed", f"颁证机构 {issuer_id} 缺少 name")
    region = entry.get("region")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise TrustListError("malformed", f"颁证机构 {issuer_id} 的 region 应为 6 位行政区划代码，"
                                          f"实为“{region}”")
    keys = entry.get("keys")
    if not isinstance(keys, list) or not keys:
        raise TrustListError("malformed", f"颁证机构 {issuer_id} 的 keys 应为非空列表")
    types = entry.get("licenceTypes")
    if not isinstance(types, list) or not types:
        raise TrustListError("malformed", f"颁证机构 {issuer_id} 的 licenceTypes 应为非空列表")
    for code in types:
        try:
            licence_type_code_check(code if isinstance(code, str) else "")
        except LicenceIdError as error:
            raise TrustListError("malformed", f"颁证机构 {issuer_id}：{error.message}") from None
    if len(set(types)) != len(types):
        raise TrustListError("malformed", f"颁证机构 {issuer_id} 的 licenceTypes 有重复")
    return TrustedIssuer(id=issuer_id, name=name, region=region,
                         keys=tuple(_read_key(key, issuer_id) for key in keys),
                         licence_types=frozenset(types))


def _read_key(entry: Any, issuer_id: str) -> TrustedKey:
    where = f"颁证机构 {issuer_id} 的密钥"
    if not isinstance(entry, Mapping):
        raise TrustListError("malformed", f"{where}应为对象")
    kid, public = entry.get("kid"), entry.get("publicKey")
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        raise TrustListError("malformed", f"{where}标识 kid 应为 16 位小写十六进制")
    if not isinstance(public, str) or not _PUBLIC.fullmatch(public):
        raise TrustListError("malformed", f"{where} {kid} 的公钥 publicKey 应为 128 位小写十六进制")
    try:
        PublicKey(kid, bytes.fromhex(public), issuer_id)  # on the curve, kid its fingerprint
    except ValueError as error:
        raise TrustListError("malformed", f"{where} {kid}：{error}") from None
    valid_from = timestamp_field(entry, "validFrom", required=True)
    valid_until = timestamp_field(entry, "validUntil", required=True)
    if valid_from is None or valid_until is None or valid_until <= valid_from:
        raise TrustListError("malformed", f"{where} {kid} 的 validUntil 应晚于 validFrom")
    return TrustedKey(kid=kid, public_key=bytes.fromhex(public), valid_from=valid_from,
                      valid_until=valid_until)


def _uscc(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TrustListError("malformed", f"{name} 应为统一社会信用代码")
    try:
        code = validate_uscc(value)
    except CodeError as error:
        raise TrustListError("malformed", f"{name} 不是有效的统一社会信用代码：{error.message}") from None
    if code != value:
        raise TrustListError("malformed", f"{name} 应写成规范形式 {code}")
    return code

