"""Personal data masked out of a text that is to be published (互动交流, measure [24]): the
prefilled public question and answer of a 12345 order whose caller agreed to publication.

A pure function. Numbers go entirely, not masked the way a staff screen masks them
(core.masking keeps 138****5678 for a clerk who knows the caller): a text for the whole world
keeps no part of a contact, so 11-digit mobiles, 固话 with an area code, 18-digit 身份证号码 and
e-mail addresses become （已隐去电话号码） / （已隐去身份证号码） / （已隐去电子邮箱）. Names
keep their surname, masked as core.masking does (张*), as public 留言板 answers address people
— the caller's own name wherever it appears, and any name written after 我叫 / 本人 / 姓名. Staff read and edit the result before
publishing (services: publish); this only makes the safe text the starting point, so that a
hurried publisher does not leak a phone number the caller typed into the content.

What it cannot know (a neighbour's name written without 我叫, a house number) is the
publisher's to remove; docs/hotline.md says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zhengwu.core.masking import mask_name

__all__ = ["leaks", "redact"]

# No letter or digit around a number: an order number (GD202612070001) or a credit code is
# not a phone number.
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
CITIZEN_ID = re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER)
MOBILE = re.compile(_EDGE_BEFORE + r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"
                    + _EDGE_AFTER)
LANDLINE = re.compile(_EDGE_BEFORE + r"0\d{2,3}[\s-]?\d{7,8}" + _EDGE_AFTER)
# A name written after 我叫/本人/姓名: two to four Chinese characters (or a ·), the shortest
# that is followed by punctuation, the end, or a word that starts what the caller says next.
_NEXT = (r"[，,。.；;：:\s！!？?、（(]|$|反映|投诉|咨询|举报|建议|求助|来电|电话|手机|身份证"
         r"|家住|住在|现住|居住|系|是|的|在|要求|想|今年|男|女")
NAME_AFTER = re.compile(r"(我叫|本人姓名|本人|姓名[:：]?\s*)([\u4e00-\u9fff·]{2,4}?)(?=" + _NEXT + ")")


HIDDEN_PHONE = "（已隐去电话号码）"
HIDDEN_ID = "（已隐去身份证号码）"
HIDDEN_EMAIL = "（已隐去电子邮箱）"


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with personal data masked (module docstring); `names`: the caller's name(s),
    masked wherever they appear. Masking twice changes nothing more."""
    text = EMAIL.sub(HIDDEN_EMAIL, text)
    text = CITIZEN_ID.sub(HIDDEN_ID, text)
    text = MOBILE.sub(HIDDEN_PHONE, text)
    text = LANDLINE.sub(HIDDEN_PHONE, text)
    text = NAME_AFTER.sub(lambda m: m.group(1) + mask_name(m.group(2)), text)
    # Longest first: 欧阳娜娜 before a shorter name inside it.
    for name in sorted({n.strip() for n in names}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


def leaks(text: str, *, names: Iterable[str] = (), phones: Iterable[str] = ()) -> list[str]:
    """What personal data `text` still holds, in words (empty: none): what services.publish
    refuses. Only the certain kinds — numbers by their shape, the caller's own name and
    phone — not the 我叫/本人 guess, which a correct sentence may trip ("本人已知悉")."""
    found = []
    if EMAIL.search(text):
        found.append("电子邮箱")
    if CITIZEN_ID.search(text):
        found.append("身份证号码")
    digits_only = re.sub(r"[\s-]", "", text)
    if MOBILE.search(text) or LANDLINE.search(text) or any(
            len(d) >= 7 and d in digits_only for d in
            ("".join(ch for ch in p if ch.isdigit()) for p in phones)):
        found.append("电话号码")
    if any(len(n.strip()) >= 2 and n.strip() in text for n in names):
        found.append("诉求人姓名")
    return found
