"""Masking personal data for display (脱敏展示): what a screen, a PDF or a log may show.

GB/T 35273-2020 《信息安全技术 个人信息安全规范》 3.1 注1 names 姓名, 身份证件号码, 住址 and
通信通讯联系方式 as personal information, and its §6.2 covers 去标识化处理. No display pattern from
a standard was available to this project (only the definitions and the table of contents were
checked), so the rules below are Zhengwu's own. Each keeps only enough for a person to recognise
their own record, and each is a fixed number of characters so that reviewers and tests can check
it.

| Data | Kept | Example |
|---|---|---|
| 身份证号码 (15 or 18 chars) | first 3, last 4; the rest one ``*`` each | ``430***********123X`` |
| 身份证号码, any other length | nothing | ``*********`` |
| 手机号码 (11 digits, 1…) | first 3, last 4; ``+86``/``86`` and separators dropped | ``138****0001`` |
| other phone numbers (≥ 8 digits) | last 4 digits only | ``********1234`` |
| other phone numbers (< 8 digits) | nothing | ``*****`` |
| 姓名 | first character only; one ``*`` per further character, ``·`` included | ``欧***`` |
| 地址 | the first 6 characters, never more than half; then a fixed ``****`` | ``北京市朝阳区****`` |

The first three ID digits give the province and part of the prefecture; the birth date and the
county stay hidden. The last four include the 17th digit (odd for men, GB 11643 顺序码) and the
check character: enough for a clerk to match a card against the record.

Names and addresses are handled by user-perceived characters: a base code point together with
any combining marks or variation selectors after it, so a rare character outside the BMP (𠀾) or
one written with an ideographic variation sequence (葛 + U+E0100) is kept or hidden whole, never
split. Addresses end in a fixed ``****`` so the length of the hidden part is not revealed.

IDs and phone numbers are normalised with `zhengwu.core.codes.normalize_code` (full-width digits
become ASCII); names and addresses are shown as written, only trimmed.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from zhengwu.core.codes import normalize_code

__all__ = ["MASK", "mask_address", "mask_answer", "mask_citizen_id", "mask_name", "mask_phone"]

MASK: Final = "*"
ADDRESS_KEEP: Final = 6
ADDRESS_MASK: Final = MASK * 4
PHONE_SEPARATORS: Final = frozenset(" -()")


def _clusters(s: str) -> list[str]:
    """Split ``s`` into user-perceived characters: a base code point plus trailing marks.

    Marks are categories Mn, Mc and Me, which include the variation selectors (U+FE00–FE0F,
    U+E0100–E01EF) used for rare-character glyph variants. A leading mark stands alone.
    """
    clusters: list[str] = []
    for char in s:
        if clusters and unicodedata.category(char) in {"Mn", "Mc", "Me"}:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _keep_ends(chars: list[str], head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing items; each item between becomes one ``*``."""
    hidden = len(chars) - head - tail
    return "".join(chars[:head]) + MASK * hidden + "".join(chars[len(chars) - tail :])


def mask_citizen_id(s: str) -> str:
    """Mask a 居民身份证号码: keep the first 3 and last 4 characters of a 15- or 18-character number.

    Any other length is not a recognisable ID, so every character is masked.
    """
    code = list(normalize_code(s))
    if len(code) in {15, 18}:
        return _keep_ends(code, 3, 4)
    return MASK * len(code)


def mask_phone(s: str) -> str:
    """Mask a phone number: a mainland mobile keeps 3 + 4 digits (``138****0001``).

    Spaces, hyphens, brackets and a leading ``+86``/``0086``/``86`` before an 11-digit mobile are
    dropped. Any other number keeps only its last 4 characters, and only if it has at least 8.
    """
    raw = "".join(char for char in normalize_code(s) if char not in PHONE_SEPARATORS)
    for prefix in ("+86", "0086", "86"):
        rest = raw.removeprefix(prefix)
        if rest != raw and len(rest) == 11 and rest.startswith("1"):
            raw = rest
            break
    chars = list(raw)
    if len(chars) == 11 and raw.startswith("1") and raw.isascii() and raw.isdigit():
        return _keep_ends(chars, 3, 4)
    if len(chars) >= 8:
        return _keep_ends(chars, 0, 4)
    return MASK * len(chars)


def mask_email(s: str) -> str:
    """Mask an e-mail address: keep the first character of the mailbox and the whole domain
    (``z***@example.com``): the domain tells staff where an answer goes, the mailbox is the
    person's. Anything without an ``@`` is masked whole."""
    mailbox, at, domain = s.strip().rpartition("@")
    if not at or not mailbox:
        return MASK * len(_clusters(s.strip()))
    return _clusters(mailbox)[0] + MASK * 3 + "@" + domain


def mask_name(s: str) -> str:
    """Mask a person's name: keep the first character, one ``*`` for each further character.

    ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***`` (a compound surname is not kept whole: that would
    reveal more for some people than for others), ``阿依古丽·买买提`` → ``阿*******`` (the ``·`` is
    masked too, so the split between given name and father's name is hidden). A one-character
    name becomes ``*``.
    """
    chars = _clusters(s.strip())
    if len(chars) <= 1:
        return MASK * len(chars)
    return _keep_ends(chars, 1, 0)


def mask_address(s: str) -> str:
    """Mask an address: keep at most its first 6 characters and never more than half, then ``****``.

    Six characters usually cover the province and prefecture (``湖南省衡阳市``) or a municipality
    and district (``北京市朝阳区``); the road, number and room are hidden. The half cap stops a short
    address (``五一路12号``) from being shown almost whole. An empty address stays empty.
    """
    chars = _clusters(s.strip())
    if not chars:
        return ""
    keep = min(ADDRESS_KEEP, len(chars) // 2)
    return "".join(chars[:keep]) + ADDRESS_MASK


def mask_answer(value: str, *, key: str, kind: str, maps_to: str = "",
                enterprise: bool = False) -> str:
    """One answer on an application form (an item's own form or a 一件事's form) as staff who
    may not see personal data whole see it — the single rule for both (quality.md #11).

    By the field's kind (``id_number``, ``phone``) or, for fields a definition left as text,
    by its key's or its ``maps_to``'s name (``…id_number``, ``…phone``, ``…address``), so
    a new form cannot leak an ID number by calling it text. A credit code (``uscc``) is
    public. ``enterprise``: the applicant is an enterprise, whose own ``id_number`` (the
    applicant's identifier on a bundle form) is its public credit code; other people's ID
    numbers on its forms (法定代表人, 股东) are still masked.
    """
    names = (key, maps_to)
    if kind == "uscc" or (enterprise and key == "id_number"):
        return value
    if kind == "id_number" or any(n.endswith("id_number") for n in names):
        return mask_citizen_id(value)
    if kind == "phone" or any(n.endswith("phone") for n in names):
        return mask_phone(value)
    if any(n.endswith("address") for n in names):
        return mask_address(value)
    return value
