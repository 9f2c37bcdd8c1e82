"""The 证照标识 of an electronic licence (GB/T 36904-2018): build, parse, check.

    1.2.156.3005.2.<证照类型代码>.<颁证机构代码>.<流水号>.<版本号>.<校验位>

- 证照类型代码: the 18-character 统一社会信用代码 of the authority that defines the licence type
  (住建部 11100000000013338W, …) followed by a 3-digit sequence number;
- 颁证机构代码: the issuing authority's USCC. Older real data also carries a 6-digit 行政区划代码
  here (…`.340100.`…); parsing accepts it, what Zhengwu issues always carries a USCC;
- 流水号: digits and capital letters, 1–40 of them (7–20 seen in real data);
- 版本号: 3 digits, from 001 (a corrected re-issue is a new version);
- 校验位: ISO/IEC 7064 MOD 37,36 over the four fields joined without the root and the dots
  (core.codes.iso7064_mod37_36_check_char, checked against real identifiers).

MOD 37,36 catches every single substitution. It does not catch quite every adjacent
transposition: two characters next to each other in 0-9A-Z (8↔9, A↔B) swapped at one of the 36
running values keep the check, so serials …7889… and …7898… can share it (tests record the case).
The USCC checks catch most slips inside the two codes as well. Sources: shared standards-notes §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zhengwu.core.codes import (
    ALNUM_ALPHABET,
    CodeError,
    iso7064_mod37_36_check_char,
    normalize_code,
    validate_uscc,
)

PREFIX: Final = "1.2.156.3005.2"
SERIAL_MAX: Final = 40
_DIGITS: Final = frozenset("0123456789")
_ALNUM: Final = frozenset(ALNUM_ALPHABET)


class LicenceIdError(CodeError):
    """An identifier that is not a well-formed 证照标识; the message says what is wrong."""


class LicenceIdCheckError(LicenceIdError):
    """Well formed, but the check character is wrong; `expected` is the right one."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.expected = expected


@dataclass(frozen=True, slots=True)
class LicenceId:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    @property
    def authority_code(self) -> str:
        """The USCC of the authority that defines the licence type."""
        return self.type_code[:18]

    @property
    def body(self) -> str:
        """What the check character is computed over."""
        return self.type_code + self.issuer_code + self.serial + self.version

    def __str__(self) -> str:
        return ".".join((PREFIX, self.type_code, self.issuer_code, self.serial, self.version,
                         self.check))


def licence_id_build(type_code: str, issuer_code: str, serial: str,
                     version: int | str = 1) -> LicenceId:
    """A new identifier with its check character; the issuer must be a USCC."""
    if isinstance(version, int):
        version = f"{version:03d}" if 1 <= version <= 999 else str(version)
    type_code, issuer_code, serial, version = (
        normalize_code(f) for f in (type_code, issuer_code, serial, version))
    _check_fields(type_code, issuer_code, serial, version, issuer_region_allowed=False)
    check = iso7064_mod37_36_check_char(type_code + issuer_code + serial + version)
    return LicenceId(type_code, issuer_code, serial, version, check)


def licence_id_parse(text: str) -> LicenceId:
    """The identifier in `text` (normalised: full-width, lower case and surrounding spaces are
    accepted), or `LicenceIdError` saying what is wrong; `LicenceIdCheckError` when only the
    check character is."""
    code = normalize_code(text)
    if not code.startswith(PREFIX + "."):
        raise LicenceIdError(f"证照标识应以 {PREFIX}. 开头")
    fields = code[len(PREFIX) + 1:].split(".")
    if len(fields) != 5:
        raise LicenceIdError(
            f"证照标识在 {PREFIX}. 之后应有 5 段（类型代码.颁证机构代码.流水号.版本号.校验位），"
            f"实有 {len(fields)} 段")
    type_code, issuer_code, serial, version, check = fields
    _check_fields(type_code, issuer_code, serial, version, issuer_region_allowed=True)
    if len(check) != 1 or check not in _ALNUM:
        raise LicenceIdError(f"校验位应为 1 位数字或大写字母，实为“{check}”")
    expected = iso7064_mod37_36_check_char(type_code + issuer_code + serial + version)
    if check != expected:
        raise LicenceIdCheckError(f"证照标识校验位错误：应为 {expected}，实为 {check}", expected)
    return LicenceId(type_code, issuer_code, serial, version, check)


def licence_type_code_check(type_code: str) -> None:
    """Raise `LicenceIdError` unless `type_code` is a 证照类型代码 (USCC + 3 digits)."""
    if len(type_code) != 21:
        raise LicenceIdError(
            f"证照类型代码应为 21 位（定义机构的统一社会信用代码 + 3 位顺序号），实为 {len(type_code)} 位")
    try:
        validate_uscc(type_code[:18])
    except CodeError as error:
        raise LicenceIdError(f"证照类型代码的前 18 位不是有效的统一社会信用代码：{error.message}") from None
    if not set(type_code[18:]) <= _DIGITS:
        raise LicenceIdError(f"证照类型代码的后 3 位应为 3 位数字，实为“{type_code[18:]}”")


def _check_fields(type_code: str, issuer_code: str, serial: str, version: str, *,
                  issuer_region_allowed: bool) -> None:
    licence_type_code_check(type_code)
    if not (issuer_region_allowed and len(issuer_code) == 6 and set(issuer_code) <= _DIGITS):
        try:
            validate_uscc(issuer_code)
        except CodeError as error:
            raise LicenceIdError(f"颁证机构代码不是有效的统一社会信用代码：{error.message}") from None
    if not 1 <= len(serial) <= SERIAL_MAX or not set(serial) <= _ALNUM:
        raise LicenceIdError(f"流水号应为 1–{SERIAL_MAX} 位数字或大写字母，实为“{serial}”")
    if len(version) != 3 or not set(version) <= _DIGITS or version == "000":
        raise LicenceIdError(f"版本号应为 001–999 的 3 位数字，实为“{version}”")
