"""Identifier codes: normalisation and check characters for Chinese ID and credit codes.

Pure functions, no Django, so that forms, the API, data-pack loading and tests share one rule.

Standards (docs: shared standards-notes §4 and §6):

- GB 11643-1999 《公民身份号码》: 18 characters = 6-digit 地址码 + 8-digit 出生日期码 (YYYYMMDD)
  + 3-digit 顺序码 + 1 校验码, computed with ISO 7064 MOD 11-2 (weights 2^(17−i) mod 11,
  check = (12 − Σ mod 11) mod 11, 10 written ``X``).
- GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 18 characters from a 31-character
  alphabet without I, O, S, V, Z = 1 登记管理部门码 + 1 机构类别码 + 6 登记管理机关行政区划码
  + 9 主体标识码 + 1 校验码 (weights 3^i mod 31, C18 = (31 − Σ mod 31) mod 31).
- GB 11714-1997 《全国组织机构代码编制规则》: the 9-character 主体标识码 at positions 9–17 of a
  USCC carries its own check character (weights 3 7 9 10 5 8 4 2, C = 11 − Σ mod 11, 10 → ``X``,
  11 → ``0``; letters count A = 10 … Z = 35).
- ISO/IEC 7064 hybrid MOD 37,36: the check character of an electronic-licence 证照标识
  (GB/T 36901–36905 family; ``1.2.156.3005.2.{类型}.{颁证机构}.{流水号}.{版本}.{校验位}``), computed
  over the parts after the OID prefix with the dots removed.

Every ``validate_*`` function normalises its input first (see `normalize_code`) and either returns
the canonical code or raises `CodeError` with a Chinese message saying exactly what is wrong.
The lower-level ``*_check_char`` functions take canonical input only.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Final

__all__ = [
    "USCC_ALPHABET",
    "CodeError",
    "citizen_id_birth_date",
    "citizen_id_check_char",
    "is_valid_citizen_id",
    "is_valid_uscc",
    "iso7064_mod37_36_check_char",
    "make_uscc",
    "normalize_code",
    "organization_code_check_char",
    "uscc_check_char",
    "validate_citizen_id",
    "validate_uscc",
]

DIGITS: Final = "0123456789"
# GB 32100-2015 §4: the five letters easily confused with digits (I O S V Z) are not used.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# ISO/IEC 7064 MOD 37,36 and GB 11714 both value 0–9 as 0–9 and A–Z as 10–35.
ALNUM_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

CITIZEN_ID_LENGTH: Final = 18
CITIZEN_ID_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 …
USCC_LENGTH: Final = 18
USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 …
ORG_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

# Nobody who applies today was born before 1900 (GB 11643's own example 440524188001010014,
# born in 1880, shows the format, not a living person); 1800-01-01 was accepted once (issue 8).
MIN_BIRTH_DATE: Final = dt.date(1900, 1, 1)
# China has used a single UTC+8 offset without daylight saving since 1991, so a fixed offset gives
# Beijing's date without tzdata. Callers inside Django pass zhengwu.core.clock.today() instead, so
# that a frozen demo clock applies.
BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "CST")


# A check character that does not match: said without the expected character.
CITIZEN_ID_CHECK_MESSAGE = "公民身份号码有误（校验码不符），请逐位核对"
USCC_CHECK_MESSAGE = "统一社会信用代码有误（校验码不符），请逐位核对"


class CodeError(ValueError):
    """A code is malformed; the message (Chinese, for people) says exactly what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalize_code(s: str) -> str:
    """Return ``s`` in canonical form: NFKC, surrounding whitespace removed, upper case.

    NFKC turns full-width input typed with a Chinese IME (``１１０１０５…``, ``ｘ``) into ASCII.
    Inner whitespace is kept, so that a code with a space in it is reported, not silently fixed.
    """
    return unicodedata.normalize("NFKC", s).strip().upper()


def _first_bad(s: str, allowed: str) -> int | None:
    """Index of the first character of ``s`` not in ``allowed``, or None."""
    for index, char in enumerate(s):
        if char not in allowed:
            return index
    return None


# --- GB 11643-1999 公民身份号码 -------------------------------------------------------------


def citizen_id_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character (``0``–``9`` or ``X``) for 17 ASCII digits."""
    if len(first17) != 17 or _first_bad(first17, DIGITS) is not None:
        raise CodeError(f"计算身份证校验码需要17位数字，收到“{first17}”")
    total = sum(
        int(char) * weight for char, weight in zip(first17, CITIZEN_ID_WEIGHTS, strict=True)
    )
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def citizen_id_birth_date(code: str) -> dt.date:
    """The 出生日期码 of an ID number (GB 11643: characters 7–14, YYYYMMDD) as a date;
    ValueError when they are no date."""
    birth = code[6:14]
    return dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))


def validate_citizen_id(s: str, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character citizen ID number, or raise `CodeError`.

    Checks, in this order: length 18; the first 17 characters are digits (so the 6-digit 地址码 is
    numeric); the last is a digit or ``X``; the 出生日期码 is a real date between 1900-01-01 and
    ``today`` (default: today in Beijing); the MOD 11-2 check character. The birth date comes
    before the check character because a wrong date is a definite fact, whereas a check-character
    mismatch cannot say which digit was mistyped. 15-digit numbers (pre-1999) are refused.
    """
    code = normalize_code(s)
    if len(code) != CITIZEN_ID_LENGTH:
        raise CodeError(f"身份证号码应为18位，实为{len(code)}位")
    bad = _first_bad(code[:17], DIGITS)
    if bad is not None:
        raise CodeError(f"身份证号码前17位应为数字，第{bad + 1}位为“{code[bad]}”")
    if code[17] not in DIGITS + "X":
        raise CodeError(f"身份证号码第18位（校验码）应为数字或X，实为“{code[17]}”")

    birth = code[6:14]
    try:
        born = citizen_id_birth_date(code)
    except ValueError:
        raise CodeError(f"身份证号码中的出生日期 {birth} 不存在") from None
    if born < MIN_BIRTH_DATE:
        raise CodeError(f"身份证号码中的出生日期 {birth} 早于1900年1月1日，不合理")
    reference = today if today is not None else dt.datetime.now(BEIJING).date()
    if born > reference:
        raise CodeError(f"身份证号码中的出生日期 {birth} 晚于今天（{reference.isoformat()}）")

    expected = citizen_id_check_char(code[:17])
    if code[17] != expected:
        # Never the expected character: a mismatch cannot say which digit was mistyped, and
        # people told "应为 3" change the last digit to make a wrong number pass.
        raise CodeError(CITIZEN_ID_CHECK_MESSAGE)
    return code


def is_valid_citizen_id(s: str, *, today: dt.date | None = None) -> bool:
    """True if `validate_citizen_id` accepts ``s``."""
    try:
        validate_citizen_id(s, today=today)
    except CodeError:
        return False
    return True


# --- GB 32100-2015 统一社会信用代码 and its GB 11714 主体标识码 -----------------------------


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character (C18) for the first 17 USCC characters."""
    if len(first17) != 17 or _first_bad(first17, USCC_ALPHABET) is not None:
        raise CodeError(
            f"计算统一社会信用代码校验码需要17位合法字符（数字及除I、O、S、V、Z外的大写字母），收到“{first17}”"
        )
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_char(body8: str) -> str:
    """Return the GB 11714-1997 check character (``0``–``9`` or ``X``) of an 8-character body."""
    if len(body8) != 8 or _first_bad(body8, ALNUM_ALPHABET) is not None:
        raise CodeError(f"计算组织机构代码校验码需要8位数字或大写字母，收到“{body8}”")
    total = sum(
        ALNUM_ALPHABET.index(char) * weight
        for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_uscc(s: str) -> str:
    """Return the canonical 18-character 统一社会信用代码, or raise `CodeError`.

    Checks, in this order: length 18; every character in the GB 32100 alphabet; the C18 check
    character; the GB 11714 check character of the 主体标识码 (positions 9–17). The registration
    department, category and region codes are not checked against code lists: the lists in force
    were not available to this project (standards-notes §6 records structure and checks only).
    """
    code = normalize_code(s)
    if len(code) != USCC_LENGTH:
        raise CodeError(f"统一社会信用代码应为18位，实为{len(code)}位")
    bad = _first_bad(code, USCC_ALPHABET)
    if bad is not None:
        raise CodeError(
            f"统一社会信用代码第{bad + 1}位“{code[bad]}”不是合法字符"
            "（只用数字和除I、O、S、V、Z外的大写字母）"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise CodeError(USCC_CHECK_MESSAGE)  # not the expected character (see above)
    if code[16] != organization_code_check_char(code[8:16]):
        raise CodeError("统一社会信用代码有误（第9–17位组织机构代码的校验码不符），请逐位核对")
    return code


def is_valid_uscc(s: str) -> bool:
    """True if `validate_uscc` accepts ``s``."""
    try:
        validate_uscc(s)
    except CodeError:
        return False
    return True


def make_uscc(registration_dept: str, category: str, region6: str, org_code8: str) -> str:
    """Build a valid 18-character USCC by appending both check characters.

    ``registration_dept`` and ``category`` are one character each, ``region6`` is a 6-digit
    GB/T 2260 行政区划代码, ``org_code8`` is the 8-character body of the 主体标识码; all from the
    GB 32100 alphabet, normalised first. Used for illustrative codes in data packs.
    """
    parts = [normalize_code(part) for part in (registration_dept, category, region6, org_code8)]
    dept, cat, region, body = parts
    for label, value, length in (
        ("登记管理部门码", dept, 1),
        ("机构类别码", cat, 1),
        ("主体标识码本体", body, 8),
    ):
        if len(value) != length:
            raise CodeError(f"{label}应为{length}位，实为{len(value)}位")
        bad = _first_bad(value, USCC_ALPHABET)
        if bad is not None:
            raise CodeError(f"{label}第{bad + 1}位“{value[bad]}”不是统一社会信用代码的合法字符")
    if len(region) != 6 or _first_bad(region, DIGITS) is not None:
        raise CodeError(f"登记管理机关行政区划码应为6位数字，收到“{region}”")
    first16 = dept + cat + region + body
    first17 = first16 + organization_code_check_char(body)
    return first17 + uscc_check_char(first17)


# --- ISO/IEC 7064 MOD 37,36 (电子证照标识) --------------------------------------------------


def iso7064_mod37_36_check_char(s: str) -> str:
    """Return the ISO/IEC 7064 hybrid MOD 37,36 check character of ``s`` (``0``–``9A``–``Z``).

    For a 证照标识, ``s`` is everything after ``1.2.156.3005.2.`` up to the last dot, with the dots
    removed. Letters count A = 10 … Z = 35; a widely copied vendor routine is off by one here
    (standards-notes §4), so real identifiers are the test vectors.
    """
    if not s or _first_bad(s, ALNUM_ALPHABET) is not None:
        raise CodeError(f"计算 MOD 37,36 校验码需要非空的数字或大写字母串，收到“{s}”")
    modulus = 36
    product = modulus
    for char in s:
        product = (product + ALNUM_ALPHABET.index(char)) % modulus or modulus
        product = product * 2 % (modulus + 1)
    return ALNUM_ALPHABET[(modulus + 1 - product) % modulus]
