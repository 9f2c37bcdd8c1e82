"""Free text people type into applications (names, addresses, descriptions): which characters
it may hold.

Pure functions, no Django, like zhengwu.core.codes: the case form, the bundle form, their APIs
and tests share one rule (issue 8, finding 9).

Refused, with a Chinese message naming the character and its position:

- control characters (Unicode category Cc: NUL, ESC, …): they cut or corrupt the text in the
  database, logs, PDFs and exports. Multi-line fields may hold line breaks and tabs;
- format characters (Cf): the bidirectional controls U+202A–U+202E and U+2066–U+2069, the
  marks U+200E/U+200F and U+061C make a name read differently from what is stored (张三 with
  U+202E shows staff a reversed name); zero-width spaces and joiners (U+200B–U+200D, U+2060,
  U+FEFF), the soft hyphen and tag characters hide text. ZWJ and ZWNJ are refused too: they
  join emoji and some Indic letters, never Chinese names or addresses, and they make two
  different strings look alike;
- line and paragraph separators (U+2028, U+2029) in one-line fields, and lone surrogates (Cs),
  which no database can store as UTF-8.

Kept: every ideograph, including CJK Extensions B–I (𠀾 …; Extensions H and I are newer than
Python 3.11's Unicode tables and count as "unassigned" there, so unassigned code points are not
refused), variation selectors (ideographic variants of rare name characters), private-use
characters (older systems code rare name characters there), the middle dots of transliterated
names (·, U+00B7, and ・), and full-width letters and digits as typed.
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["REPLACEMENT", "TextError", "check_text", "field_text", "first_forbidden", "name_key",
           "redisplayable"]

LINE_BREAKS: Final = frozenset("\n\r\t")
ONE_LINE_SEPARATORS: Final = frozenset("\u2028\u2029")
# Shown in place of a control character when a refused value is put back into the form.
REPLACEMENT: Final = "\ufffd"
BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                        "\u2066\u2067\u2068\u2069")


class TextError(ValueError):
    """Text holds a character it may not; the message (Chinese) says which and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char in BIDI:
        return f"文字方向控制符 {code}"
    category = unicodedata.category(char)
    if category == "Cc":
        return f"控制字符 {code}"
    if category == "Cs":
        return f"无效字符 {code}"
    if char in ONE_LINE_SEPARATORS:
        return f"换行符 {code}"
    return f"不可见的格式字符 {code}"


def first_forbidden(value: str, *, multiline: bool = False) -> int | None:
    """Index of the first character `check_text` refuses, or None."""
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs") or char in ONE_LINE_SEPARATORS:
            if multiline and (char in LINE_BREAKS or char in ONE_LINE_SEPARATORS):
                continue
            return index
    return None


def check_text(value: str, *, label: str, multiline: bool = False) -> str:
    """Return `value` unchanged, or raise `TextError` naming the first forbidden character."""
    index = first_forbidden(value, multiline=multiline)
    if index is not None:
        raise TextError(f"{label}第{index + 1}个字符是{_describe(value[index])}，"
                        "这类字符不可见或会改变文字的显示顺序，请删除后重新填写")
    return value


def redisplayable(value: str) -> str:
    """`value` with control characters other than line breaks and tabs replaced by U+FFFD,
    for putting a refused value back into a form: the person sees where the character was
    (the message names its position) and the page never carries a raw NUL or ESC."""
    if not any(unicodedata.category(char) == "Cc" and char not in LINE_BREAKS for char in value):
        return value
    return "".join(REPLACEMENT if unicodedata.category(char) == "Cc" and char not in LINE_BREAKS
                   else char for char in value)


# The middle dots people type between the parts of a transliterated name: the Latin-1 dot,
# the katakana dot (which NFKC makes of the half-width one), the bullet and the hyphenation
# point. Public-security records write U+00B7.
_MIDDLE_DOTS: Final = str.maketrans(dict.fromkeys("\u30fb\u2022\u2027\u2219", "\u00b7"))


def name_key(value: str) -> str:
    """A person's or enterprise's name as compared with the one recorded on an account: NFKC
    (full-width letters and brackets as half-width), no spaces, one middle dot. 买买提·艾力 and
    买买提・艾力 are one name; 张三 and 张 三 too; 张三 and 张山 are not."""
    folded = unicodedata.normalize("NFKC", value).translate(_MIDDLE_DOTS)
    return "".join(folded.split())


def field_text(value: str | None, *, label: str, key: str, problems: dict[str, str],
               required: bool, most: int) -> str:
    """`value` stripped; a problem under `key` in `problems` if it is missing when `required`,
    longer than `most` characters, or holds a character check_text refuses (one message per
    field, for forms that show every problem at once)."""
    value = (value or "").strip()
    if required and not value:
        problems[key] = f"请填写{label}。"
    elif len(value) > most:
        problems[key] = f"{label}最多{most}字。"
    else:
        try:
            check_text(value, label=label, multiline=True)
        except TextError as error:
            problems[key] = error.message + "。"
    return value
