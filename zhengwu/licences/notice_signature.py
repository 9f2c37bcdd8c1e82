"""Signed notices (文书, issue 11 item 9): every notice a department issues — a case's 受理,
补正, 决定, 默认准予 …, a 一件事's — is SM2-signed with that department's key, the same key and
envelope rules as its licences (licences.signing, licences.canonical).

What is signed is the RFC 8785 canonical JSON (no numbers, NFC) of what the notice says:

    {"type": "ZhengwuNotice", "format": "zhengwu-notice/1",
     "kind": "grant", "title": "准予行政许可决定书", "number": "耒政服许〔2026〕12号",
     "verifyCode": "…", "issuedAt": "2026-12-06T09:00:00+08:00",
     "issuer": {"id": "<department USCC>", "name": "…", "kid": "<16 hex>"},
     "subject": {"type": "case", "number": "…", "item": "…"},
     "applicant": {"kind": "person", "name": "张*", "idNumber": "430***********123X"},
     "content": {…the notice's own fields, numbers as text…}}

The bytes are built and signed inside the transaction that inserts the notice row (one INSERT
carries them), stored verbatim with the DER signature and the kid, and verified as stored. The
verification page checks the signature with the department's public key and then that the row
still says what the signed bytes say (kind, number, issue time, verification code): a changed
byte, or a row edited behind the signature, shows 签名无效. Notices issued before signatures
existed have no bytes and are reported as such, not as failures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from django.conf import settings

from zhengwu.core import sm2
from zhengwu.core.clock import SHANGHAI
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.departments.models import Department
from zhengwu.licences.canonical import CanonicalError, canonical_loads, canonicalize
from zhengwu.licences.services import department_signer
from zhengwu.licences.signing import (
    KeyFileError,
    KeyRing,
    NotConfigured,
    RemoteSignerError,
    signer_get,
)

logger = logging.getLogger(__name__)

NOTICE_TYPE: Final = "ZhengwuNotice"
NOTICE_FORMAT: Final = "zhengwu-notice/1"
# How much of the SM3 digest of the signed bytes is printed on the paper notice, to compare
# with the verification page (64 bits: enough to tell two notices apart by eye, short enough
# to read aloud).
DIGEST_PRINTED: Final = 16

State = Literal["valid", "invalid", "unsigned", "unknown_key"]
STATE_LABEL: Final[dict[str, str]] = {
    "valid": "签名有效", "invalid": "签名无效", "unsigned": "未签名",
    "unknown_key": "无法核验签名",
}
UNSIGNED_REASON: Final = "此文书签发于启用电子签名之前，没有电子签名；请以数据库登记信息核对。"


@dataclass(frozen=True, slots=True)
class SignedNotice:
    data: bytes  # the canonical bytes: stored verbatim, verified as stored
    signature: bytes  # DER (r, s)
    kid: str


@dataclass(frozen=True, slots=True)
class NoticeCheck:
    """What the verification page and API show about a notice's signature."""

    state: State
    reason: str
    kid: str = ""
    digest: str = ""  # the printed part of SM3(signed bytes), upper-case hex

    @property
    def ok(self) -> bool:
        return self.state == "valid"

    @property
    def label(self) -> str:
        return STATE_LABEL[self.state]


def beijing(moment: dt.datetime) -> str:
    """A moment as signed: Beijing time to the second, with +08:00."""
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def textual(value: Any) -> Any:
    """`value` with numbers as text (the canonical form has none) and everything else that is
    not JSON (dates, decimals) as its text, recursively."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Mapping):
        return {str(key): textual(member) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [textual(member) for member in value]
    if isinstance(value, dt.datetime):
        return beijing(value)
    return str(value)


def notice_document(*, kind: str, title: str, number: str, verify_code: str,
                    issued_at: dt.datetime, subject: Mapping[str, str],
                    applicant: Mapping[str, str], content: Mapping[str, Any]) -> dict[str, Any]:
    """What a notice says, as it is signed (the issuer is added by `notice_sign`)."""
    return {"type": NOTICE_TYPE, "format": NOTICE_FORMAT, "kind": kind, "title": title,
            "number": number, "verifyCode": verify_code, "issuedAt": beijing(issued_at),
            "subject": dict(subject), "applicant": dict(applicant),
            "content": textual(dict(content))}


def signing_unavailable(department: Department) -> str | None:
    """Why the department cannot sign now (no key, a key of another issuer, no signing
    service configured), or None. A sweep asks before a batch, so that one department's
    missing key holds up its own cases only (cases.sweeps)."""
    try:
        department_signer(department)
    except (KeyFileError, NotConfigured, RemoteSignerError, InvalidInput) as error:
        return str(getattr(error, "message", "") or error)
    return None


def notice_sign(document: Mapping[str, Any], department: Department) -> SignedNotice:
    """Sign `document` with the department's key (a key file named by its USCC, or the
    signing service's key of that name). A missing key or a failing signing service raises
    Conflict `notices.signing_unavailable`, which rolls back the move that issued it."""
    try:
        signer = department_signer(department)
        signed = dict(document)
        signed["issuer"] = {"id": department.uscc, "name": department.name, "kid": signer.kid}
        data = canonicalize(signed)
        return SignedNotice(data=data, signature=signer.sign(data), kid=signer.kid)
    except (KeyFileError, NotConfigured, RemoteSignerError) as error:
        # A notice is never issued unsigned: the move that issues it is refused (409), and
        # the log keeps the cause for the operator (a key to make, the service down).
        logger.error("notice %s: %s cannot sign: %s", document.get("number"), department.uscc,
                     error)
        raise Conflict(f"{department.name}的电子签名密钥暂不可用，文书无法签发，请联系系统管理员。",
                       code="notices.signing_unavailable") from error


def notice_digest(data: bytes) -> str:
    """The part of SM3(signed bytes) printed on the notice and shown on the page."""
    return sm2.sm3(bytes(data)).hex()[:DIGEST_PRINTED].upper()


def printed_digest(notice: Any) -> str:
    """The digest a stored notice prints and its verification page shows ("" unsigned)."""
    return notice_digest(bytes(notice.signed_data)) if notice.signed_data else ""


def _public_key(uscc: str, kid: str) -> tuple[bytes | None, str]:
    """The department's public key with this kid: its current signing key, else a published
    .pub in the key folder registered for the same department (a key since replaced). With
    no key, the USCC the kid is registered for when it is another department's ("" if none)."""
    try:
        signer = signer_get(uscc)
    except (KeyFileError, NotConfigured, RemoteSignerError):
        signer = None
    if signer is not None and signer.kid == kid:
        return signer.public_key, ""
    try:
        key = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR).get(kid)
    except (OSError, KeyFileError):
        return None, ""
    if key is None:
        return None, ""
    return (key.public_key, "") if key.issuer == uscc else (None, key.issuer)


def notice_seal(notice: Any, document: Mapping[str, Any], department: Department) -> None:
    """Sign a numbered, not yet saved notice (a process.models.ProcessNotice) in place."""
    signed = notice_sign(document, department)
    notice.signed_data, notice.signature, notice.kid = signed.data, signed.signature, signed.kid


def notice_row(notice: Any) -> dict[str, str]:
    """What the row of a stored notice says, in the signed document's names and forms."""
    return {"kind": str(notice.kind), "number": str(notice.number),
            "issuedAt": beijing(notice.issued_at), "verifyCode": str(notice.verify_code)}


def notice_verify(notice: Any, department: Department) -> NoticeCheck:
    """`notice_check` of a stored notice (a process.models.ProcessNotice)."""
    return notice_check(data=notice.signed_data, signature=notice.signature, kid=notice.kid,
                        department=department, row=notice_row(notice))


def notice_check(*, data: bytes, signature: bytes, kid: str, department: Department,
                 row: Mapping[str, str]) -> NoticeCheck:
    """Check a stored notice: the signature over the stored bytes with the department's key,
    then that the signed bytes say what the row says (`row`: kind, number, issuedAt,
    verifyCode as `notice_document` writes them)."""
    data, signature = bytes(data or b""), bytes(signature or b"")
    if not data and not signature:
        return NoticeCheck("unsigned", UNSIGNED_REASON)
    digest = notice_digest(data)
    public, other = _public_key(department.uscc, kid)
    if other:
        return NoticeCheck("invalid", f"签名所用的密钥 {kid} 属于其他机关（{other}），"
                           f"不是{department.name}的密钥。", kid, digest)
    if public is None:
        return NoticeCheck("unknown_key", f"找不到{department.name}的密钥 {kid or '（无）'}，"
                           "暂时无法核验签名；请向出具机关核实。", kid, digest)
    if not sm2.verify(public, data, signature):
        return NoticeCheck("invalid", "签名验证失败：文书内容或签名已被改动，或并非出具机关的密钥所签。",
                           kid, digest)
    try:
        signed = canonical_loads(data)
    except CanonicalError as error:
        return NoticeCheck("invalid", f"签名有效，但内容格式不符：{error.message}", kid, digest)
    if not isinstance(signed, dict) or signed.get("type") != NOTICE_TYPE:
        return NoticeCheck("invalid", "签名有效，但所签内容不是文书。", kid, digest)
    issuer = signed.get("issuer") or {}
    if not isinstance(issuer, dict) or issuer.get("id") != department.uscc \
            or issuer.get("kid") != kid:
        return NoticeCheck("invalid", "签名有效，但所签内容的出具机关或密钥与登记不符。", kid, digest)
    for name, label in (("kind", "文书种类"), ("number", "文号"), ("issuedAt", "出具时间"),
                        ("verifyCode", "核验码")):
        if signed.get(name) != row.get(name):
            return NoticeCheck("invalid", f"数据库登记的{label}与签名内容不一致，登记信息可能已被改动。",
                               kid, digest)
    return NoticeCheck("valid", f"签名有效：由{department.name}的密钥签署，内容未被改动。",
                       kid, digest)
