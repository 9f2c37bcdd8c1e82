"""Who holds a licence, without keeping who they are: the holder reference and display fields.

A licence row keeps `holder_ref` — the one holder reference of core.holder_ref (HMAC-SM3 of the
normalised ID number or USCC with ZHENGWU_HOLDER_REF_KEY), shared with the data-use log so a
person's licences and uses are one holder — and display fields masked by core.masking
(a person's name and ID number; an enterprise's name and USCC are public and kept whole). The
holder's own licences are found by computing the reference of the signed-in account's ID
number (licences.selectors): the table alone does not say whose licence is whose, and a guess
of an ID number cannot be checked against it without the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.core.codes import normalize_code
from zhengwu.core.holder_ref import holder_ref
from zhengwu.core.masking import mask_citizen_id, mask_name
from zhengwu.licences.models import HolderKind

__all__ = ["Holder", "holder_ref"]


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
