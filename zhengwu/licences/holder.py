"""Who holds a licence, without keeping who they are: the holder reference and display fields.

A licence row keeps `holder_ref` = HMAC-SM3(key, normalised ID number or USCC) in hex, with the
server key ZHENGWU_LICENCE_HOLDER_KEY (settings), and display fields masked by core.masking
(a person's name and ID number; an enterprise's name and USCC are public and kept whole). The
holder's own licences are found by computing the reference of the signed-in account's ID
number (licences.selectors): the table alone does not say whose licence is whose, and a guess
of an ID number cannot be checked against it without the key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from django.conf import settings

from zhengwu.core import sm2
from zhengwu.core.codes import normalize_code
from zhengwu.core.masking import mask_citizen_id, mask_name
from zhengwu.licences.models import HolderKind

_BLOCK: Final = 64  # SM3's block size in bytes


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC (RFC 2104) over SM3, written out: `hashlib` has SM3 only where OpenSSL does."""
    if len(key) > _BLOCK:
        key = sm2.sm3(key)
    key = key.ljust(_BLOCK, b"\0")
    inner = sm2.sm3(bytes(b ^ 0x36 for b in key) + message)
    return sm2.sm3(bytes(b ^ 0x5C for b in key) + inner)


def holder_key() -> bytes:
    """The server key of holder references (settings; derived from SECRET_KEY by default)."""
    configured: str = settings.ZHENGWU_LICENCE_HOLDER_KEY
    if configured:
        return configured.encode("utf-8")
    return hashlib.sha256(b"zhengwu-licence-holder:" + settings.SECRET_KEY.encode()).digest()


def holder_ref(id_number: str) -> str:
    """The reference of the holder with this ID number or USCC (normalised first: 123x = 123X)."""
    return hmac_sm3(holder_key(), normalize_code(id_number).encode("ascii", "replace")).hex()


@dataclass(frozen=True, slots=True)
class Holder:
    """The holder as the issuing service knows them (the case's applicant, say)."""

    kind: str  # HolderKind
    name: str
    id_number: str  # 身份证号码 of a person, 统一社会信用代码 of an enterprise

    @property
    def ref(self) -> str:
        return holder_ref(self.id_number)

    @property
    def name_display(self) -> str:
        return self.name if self.kind == HolderKind.ENTERPRISE else mask_name(self.name)

    @property
    def id_display(self) -> str:
        code = normalize_code(self.id_number)
        return code if self.kind == HolderKind.ENTERPRISE else mask_citizen_id(code)

    @property
    def id_label(self) -> str:
        return "统一社会信用代码" if self.kind == HolderKind.ENTERPRISE else "身份证件号码"
