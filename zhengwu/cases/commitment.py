"""Which materials a written commitment (告知承诺, Commitment) may replace: only those the
catalogue marks 告知承诺替代 (`MaterialSource.COMMITMENT`) — 国办发〔2020〕42号 (证明事项和
涉企经营许可事项告知承诺制的指导意见; cited, not re-checked) lets a commitment stand in for
the 证明 a department lists for it, not for any material. Pure: the apply form, the
submission and a supplement all ask these; whether the applicant may commit at all (the item
practises it, the applicant's credit) is `cases.credit.commitment_refusal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from zhengwu.catalog.models import MaterialSource

# What the applicant itself gives (upload, paper at a window, or a licence offered instead);
# the rest come from the government (电子证照, 共享数据) or are not asked (免提交).
GIVEN_BY_APPLICANT = (MaterialSource.APPLICANT, MaterialSource.COMMITMENT)


class CatalogueMaterial(Protocol):
    name: str
    source: str
    required: bool


def replaceable(material: CatalogueMaterial) -> bool:
    """May a written commitment replace this material (when the applicant may commit)?"""
    return material.source == MaterialSource.COMMITMENT


def given_by_applicant(material: CatalogueMaterial) -> bool:
    """Is this material the applicant's to give (uploaded, or committed where replaceable)?"""
    return material.source in GIVEN_BY_APPLICANT


def required_names(catalogue: Iterable[CatalogueMaterial]) -> list[str]:
    """The required materials an application must come with (online): each uploaded, or
    committed where replaceable."""
    names: list[str] = []
    for material in catalogue:
        if material.required and given_by_applicant(material) and material.name not in names:
            names.append(material.name)
    return names


def misplaced(catalogue: Iterable[CatalogueMaterial], committed: Iterable[str]) -> list[str]:
    """The names in `committed` a commitment may not replace (not 告知承诺替代 in this
    implementation's catalogue, or not in it at all), in the order given."""
    allowed = {m.name for m in catalogue if replaceable(m)}
    wrong: list[str] = []
    for name in committed:
        if name not in allowed and name not in wrong:
            wrong.append(name)
    return wrong


def misplaced_message(names: list[str]) -> str:
    return ("以下材料不能以书面承诺代替，请上传：" + "、".join(f"“{n}”" for n in names)
            + "。只有办事指南中标注“告知承诺替代”的材料可以承诺代替。")
