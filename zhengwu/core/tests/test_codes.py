"""Tests for zhengwu.core.codes: GB 11643 IDs, GB 32100 USCCs, GB 11714, ISO 7064 MOD 37,36."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.codes import (
    USCC_ALPHABET,
    CodeError,
    citizen_id_check_char,
    is_valid_citizen_id,
    is_valid_uscc,
    iso7064_mod37_36_check_char,
    make_uscc,
    normalize_code,
    organization_code_check_char,
    uscc_check_char,
    validate_citizen_id,
    validate_uscc,
)

TODAY = dt.date(2025, 6, 1)
DIGITS = string.digits
# Replacement characters for mutation tests: canonical (already normalised) ASCII only, so that a
# substitution is a real change and not, say, "x" for "X".
CANONICAL = string.digits + string.ascii_uppercase

GOLDEN_IDS = ["11010519491231002X", "440524188001010014"]  # GB 11643-1999's own examples
# The second is born in 1880: its check character is right, but nobody alive was born before
# 1900, so an application may not carry it (issue 8, finding 9).
LIVING_GOLDEN_IDS = GOLDEN_IDS[:1]
GOLDEN_USCCS = [
    "11100000000013338W",  # 住房和城乡建设部
    "11450721MB15580811",
    "91610800064834709T",
    "91370406L24894136J",
    "12440100741854396C",
]
LICENSE_PREFIX = "1.2.156.3005.2."
# Real 证照标识 from platform data (standards-notes §4); the last part is the check character.
GOLDEN_LICENSE_IDS = [
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
]


def with_check(first17: str) -> str:
    return first17 + citizen_id_check_char(first17)


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return with_check(f"{region}{born:%Y%m%d}{sequence}")


@st.composite
def usccs(draw: st.DrawFn) -> str:
    uscc_char = st.sampled_from(USCC_ALPHABET)
    return make_uscc(
        draw(uscc_char),
        draw(uscc_char),
        draw(st.text(DIGITS, min_size=6, max_size=6)),
        draw(st.text(uscc_char, min_size=8, max_size=8)),
    )


def substitute(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1 :]


# --- normalize_code ---------------------------------------------------------------------------


def test_normalize_turns_full_width_into_ascii_and_uppercases() -> None:
    assert normalize_code("  １１０１０５１９４９１２３１００２ｘ\u3000") == "11010519491231002X"
    assert normalize_code("ｍｂ１５") == "MB15"


def test_normalize_keeps_inner_whitespace() -> None:
    assert normalize_code(" 1101 05 ") == "1101 05"


# --- GB 11643-1999 citizen ID --------------------------------------------------------------


@pytest.mark.parametrize("code", GOLDEN_IDS)
def test_standard_examples_have_the_right_check_char(code: str) -> None:
    assert citizen_id_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", LIVING_GOLDEN_IDS)
def test_standard_examples_are_valid(code: str) -> None:
    assert validate_citizen_id(code, today=TODAY) == code
    assert is_valid_citizen_id(code) is True


def test_check_char_weights_follow_mod_11_2() -> None:
    # Σ = 1·7 = 7 → (12 − 7) mod 11 = 5; Σ = 1·2 = 2 at the last position → 10 → X.
    assert citizen_id_check_char("1" + "0" * 16) == "5"
    assert citizen_id_check_char("0" * 16 + "1") == "X"
    assert citizen_id_check_char("0" * 17) == "1"


def test_lowercase_and_full_width_ids_normalise() -> None:
    assert validate_citizen_id("11010519491231002x") == "11010519491231002X"
    assert validate_citizen_id(" １１０１０５１９４９１２３１００２Ｘ ") == "11010519491231002X"


def test_wrong_length_is_reported_with_both_lengths() -> None:
    with pytest.raises(CodeError, match=r"^身份证号码应为18位，实为17位$"):
        validate_citizen_id("11010519491231002")
    with pytest.raises(CodeError, match="实为0位"):
        validate_citizen_id("   ")
    assert is_valid_citizen_id("110105194912310021X") is False


def test_wrong_check_char_asks_to_check_every_digit() -> None:
    # A mismatch cannot say which digit was mistyped: the expected character is not told, or
    # people change the last digit to make the number "valid".
    with pytest.raises(CodeError, match=r"^公民身份号码有误（校验码不符），请逐位核对$"):
        validate_citizen_id("110105194912310029")


def test_letter_in_body_is_refused_with_position() -> None:
    with pytest.raises(CodeError, match="第3位为“A”"):
        validate_citizen_id("11A10519491231002X")


def test_non_ascii_digits_are_refused() -> None:
    # int() accepts Arabic-Indic digits and NFKC keeps them; the validator must not.
    arabic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002")
    assert is_valid_citizen_id(arabic + "X") is False


def test_bad_last_char_is_refused() -> None:
    with pytest.raises(CodeError, match="第18位（校验码）应为数字或X，实为“Y”"):
        validate_citizen_id("11010519491231002Y")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "20230229"])
def test_impossible_birth_date_is_refused(birth: str) -> None:
    code = with_check(f"110105{birth}002")
    with pytest.raises(CodeError, match=f"出生日期 {birth} 不存在"):
        validate_citizen_id(code, today=TODAY)


def test_leap_day_birth_is_accepted() -> None:
    assert is_valid_citizen_id(with_check("11010520000229002"), today=TODAY) is True


@pytest.mark.parametrize("birth", ["18000101", "17991231", "18800101", "18991231"])
def test_birth_before_1900_is_refused(birth: str) -> None:
    with pytest.raises(CodeError, match=f"出生日期 {birth} 早于1900年1月1日"):
        validate_citizen_id(with_check(f"110105{birth}002"), today=TODAY)


def test_birth_on_1900_01_01_is_accepted() -> None:
    assert is_valid_citizen_id(with_check("11010519000101002"), today=TODAY) is True


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(1899, 12, 31)))
def test_every_birth_before_1900_is_refused(born: dt.date) -> None:
    assert is_valid_citizen_id(with_check(f"110105{born:%Y%m%d}002"), today=TODAY) is False


@given(st.dates(min_value=TODAY + dt.timedelta(days=1), max_value=dt.date(9999, 12, 31)))
def test_every_birth_after_today_is_refused(born: dt.date) -> None:
    assert is_valid_citizen_id(with_check(f"110105{born:%Y%m%d}002"), today=TODAY) is False


def test_future_birth_is_refused_relative_to_today() -> None:
    code = "11010519491231002X"
    assert is_valid_citizen_id(code, today=dt.date(1949, 12, 31)) is True
    with pytest.raises(CodeError, match=r"晚于今天（1949-12-30）"):
        validate_citizen_id(code, today=dt.date(1949, 12, 30))


def test_check_char_refuses_bad_input() -> None:
    with pytest.raises(CodeError):
        citizen_id_check_char("1101051949123100")
    with pytest.raises(CodeError):
        citizen_id_check_char("1101051949123100A")


@given(citizen_ids())
def test_generated_ids_are_valid(code: str) -> None:
    assert validate_citizen_id(code, today=TODAY) == code


@given(citizen_ids(), st.integers(0, 17), st.sampled_from(CANONICAL))
def test_any_single_substitution_in_an_id_is_detected(code: str, index: int, char: str) -> None:
    # MOD 11-2: every weight is non-zero mod 11 and digits differ by 1–9, so Σ changes.
    mutated = substitute(code, index, char)
    if mutated == code:
        return
    assert is_valid_citizen_id(mutated, today=TODAY) is False


@given(citizen_ids(), st.integers(0, 16))
def test_any_adjacent_transposition_in_an_id_is_detected(code: str, index: int) -> None:
    # w_i = 2·w_(i+1) mod 11, so swapping a ≠ b changes Σ by (a − b)·w_(i+1) ≢ 0.
    if code[index] == code[index + 1]:
        return
    mutated = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    assert is_valid_citizen_id(mutated, today=TODAY) is False


# --- GB 32100-2015 USCC and GB 11714 ---------------------------------------------------------


@pytest.mark.parametrize("code", GOLDEN_USCCS)
def test_real_usccs_are_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code) is True
    assert uscc_check_char(code[:17]) == code[17]
    assert organization_code_check_char(code[8:16]) == code[16]


def test_organization_code_check_maps_10_to_x_and_11_to_0() -> None:
    assert organization_code_check_char("10000000") == "8"  # Σ = 3 → 11 − 3
    assert organization_code_check_char("00010000") == "1"  # Σ = 10 → 11 − 10
    assert organization_code_check_char("11111111") == "7"  # Σ = 48 ≡ 4 → 11 − 4
    assert organization_code_check_char("10100000") == "X"  # Σ = 3 + 9 = 12 ≡ 1 → 10 → X
    assert organization_code_check_char("00000000") == "0"  # Σ = 0 → 11 → 0


def test_organization_code_check_alone_misses_a_for_l() -> None:
    # A = 10 and L = 21 differ by 11, so GB 11714 cannot tell them apart; the C18 check can.
    assert organization_code_check_char("A0000000") == organization_code_check_char("L0000000")
    valid = make_uscc("9", "1", "370406", "A0000000")
    assert is_valid_uscc(substitute(valid, 8, "L")) is False


def test_full_width_lowercase_uscc_normalises() -> None:
    assert validate_uscc(" ９１３７０４０６ｌ２４８９４１３６ｊ ") == "91370406L24894136J"


def test_uscc_wrong_length() -> None:
    with pytest.raises(CodeError, match=r"^统一社会信用代码应为18位，实为17位$"):
        validate_uscc("11100000000013338")


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_refuses_letters_outside_alphabet(letter: str) -> None:
    code = substitute("91370406L24894136J", 8, letter)
    with pytest.raises(CodeError, match=f"第9位“{letter}”不是合法字符"):
        validate_uscc(code)


def test_uscc_wrong_check_char_asks_to_check_every_character() -> None:
    with pytest.raises(CodeError, match=r"^统一社会信用代码有误（校验码不符），请逐位核对$"):
        validate_uscc("11100000000013338X")


def test_uscc_with_valid_c18_but_bad_organisation_check_is_refused() -> None:
    first17 = "91370406L2489413" + "5"  # the GB 11714 check of L2489413 is 6
    code = first17 + uscc_check_char(first17)
    assert organization_code_check_char("L2489413") == "6"
    with pytest.raises(CodeError, match=r"^统一社会信用代码有误（第9–17位组织机构代码的校验码不符），请逐位核对$"):
        validate_uscc(code)


def test_uscc_check_char_refuses_bad_input() -> None:
    with pytest.raises(CodeError):
        uscc_check_char("9137040624894136")
    with pytest.raises(CodeError):
        uscc_check_char("9137040624894136I")
    with pytest.raises(CodeError):
        organization_code_check_char("2489413")


def test_make_uscc_reproduces_real_codes() -> None:
    for code in GOLDEN_USCCS:
        assert make_uscc(code[0], code[1], code[2:8], code[8:16]) == code


def test_make_uscc_normalises_and_validates_parts() -> None:
    assert make_uscc("9", "1", "３７０４０６", "l2489413") == "91370406L24894136J"
    with pytest.raises(CodeError, match="主体标识码本体应为8位"):
        make_uscc("9", "1", "370406", "L248941")
    with pytest.raises(CodeError, match="登记管理部门码第1位“I”"):
        make_uscc("I", "1", "370406", "L2489413")
    with pytest.raises(CodeError, match="行政区划码应为6位数字"):
        make_uscc("9", "1", "37040A", "L2489413")


@given(usccs())
def test_make_uscc_output_always_validates(code: str) -> None:
    assert len(code) == 18
    assert validate_uscc(code) == code


@given(usccs(), st.integers(0, 17), st.sampled_from(CANONICAL))
def test_any_single_substitution_in_a_uscc_is_detected(code: str, index: int, char: str) -> None:
    # MOD 31 over a prime-sized alphabet with non-zero weights catches every substitution, even
    # where the GB 11714 check alone would not (A ↔ L differ by 11).
    mutated = substitute(code, index, char)
    if mutated == code:
        return
    assert is_valid_uscc(mutated) is False


@given(usccs(), st.integers(0, 16))
def test_any_adjacent_transposition_in_a_uscc_is_detected(code: str, index: int) -> None:
    # w_(i+1) = 3·w_i mod 31, and C18 has weight 1 against 28 at position 17: Σ always changes.
    if code[index] == code[index + 1]:
        return
    mutated = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    assert is_valid_uscc(mutated) is False


# --- ISO/IEC 7064 MOD 37,36 -------------------------------------------------------------------


@pytest.mark.parametrize("identifier", GOLDEN_LICENSE_IDS)
def test_real_license_identifiers_check(identifier: str) -> None:
    body, check = identifier.removeprefix(LICENSE_PREFIX).rsplit(".", 1)
    assert iso7064_mod37_36_check_char(body.replace(".", "")) == check


def test_swagger_example_license_identifier_does_not_check() -> None:
    # A made-up example in vendor docs (standards-notes §4); it must not pass by accident.
    body = "11100000000013661B006113700000045046442209FA4E88F9E4C878F3E9BED2CE7EA49001"
    assert iso7064_mod37_36_check_char(body) != "M"


def test_mod37_36_refuses_bad_input() -> None:
    for bad in ["", "1.2", "ab-1"]:
        with pytest.raises(CodeError):
            iso7064_mod37_36_check_char(bad)


@given(st.text(CANONICAL, min_size=1, max_size=60), st.data())
def test_mod37_36_detects_any_single_substitution(body: str, data: st.DataObject) -> None:
    # Each step is a bijection of the running value, so a changed character changes the check.
    index = data.draw(st.integers(0, len(body) - 1))
    char = data.draw(st.sampled_from(CANONICAL).filter(lambda c: c != body[index]))
    assert iso7064_mod37_36_check_char(substitute(body, index, char)) != (
        iso7064_mod37_36_check_char(body)
    )
