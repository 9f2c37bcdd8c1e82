"""Tests for zhengwu.core.masking: each rule keeps exactly what its docstring says, no more."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from zhengwu.core.codes import normalize_code
from zhengwu.core.masking import mask_address, mask_answer, mask_citizen_id, mask_name, mask_phone

EXT_B = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)  # CJK Extension B
# Letters only (Lo covers CJK, including planes 2–3): no marks, so one code point = one character.
NAME_CHARS = st.characters(categories=["Lo"])
IVS = "\U000e0100"  # VARIATION SELECTOR-17, the first ideographic variation selector


def unmasked(s: str) -> int:
    return sum(1 for char in s if char != "*")


def assert_whole_code_points(masked: str) -> None:
    masked.encode("utf-8")  # raises on a lone surrogate, i.e. half of a split code point
    assert not any(0xD800 <= ord(char) <= 0xDFFF for char in masked)


# --- 身份证号码 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("43048119900101123X", "430***********123X"),
        ("43048119900101123x", "430***********123X"),
        ("４３０４８１１９９００１０１１２３Ｘ", "430***********123X"),
        ("430481900101123", "430********1123"),  # 15-digit pre-1999 number
        ("4304811990", "**********"),  # not an ID: nothing kept
        ("", ""),
    ],
)
def test_mask_citizen_id_examples(raw: str, masked: str) -> None:
    assert mask_citizen_id(raw) == masked


@given(st.text(string.digits + "X", min_size=18, max_size=18))
def test_mask_citizen_id_keeps_first_3_and_last_4(code: str) -> None:
    masked = mask_citizen_id(code)
    assert masked == code[:3] + "*" * 11 + code[-4:]


@given(st.text())
def test_mask_citizen_id_never_keeps_more_than_7(raw: str) -> None:
    masked = mask_citizen_id(raw)
    code = normalize_code(raw)
    assert len(masked) == len(code)
    assert unmasked(masked) <= 7
    if len(code) not in {15, 18}:
        assert set(masked) <= {"*"}
    else:
        assert masked[3:-4] == "*" * (len(code) - 7)
    assert_whole_code_points(masked)


# --- 手机号码 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800000001", "138****0001"),
        ("138 0000 0001", "138****0001"),
        ("+86 138-0000-0001", "138****0001"),
        ("8613800000001", "138****0001"),
        ("008613800000001", "138****0001"),
        ("１３８００００００01", "138****0001"),
        ("0734-8221234", "*******1234"),  # landline: last 4 only
        ("(0734)12345678", "********5678"),
        ("12345", "*****"),  # too short to keep anything
        ("", ""),
    ],
)
def test_mask_phone_examples(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_mask_phone_mobile_keeps_3_and_4(number: str) -> None:
    assert mask_phone(number) == number[:3] + "****" + number[-4:]


@given(st.text())
def test_mask_phone_never_keeps_more_than_the_rule(raw: str) -> None:
    masked = mask_phone(raw)
    kept = unmasked(masked)
    assert kept <= 7
    if kept > 4:  # only a mainland mobile may show more than its last 4 characters
        assert len(masked) == 11
        assert masked[3:7] == "****"
        assert masked[0] == "1"
    if len(masked) < 8:
        assert kept == 0
    assert_whole_code_points(masked)


# --- 姓名 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿依古丽·买买提", "阿*******"),
        ("𠀾三", "𠀾*"),  # U+2003E, Extension B: one code point, two UTF-16 units
        ("王𠀾", "王*"),
        ("𠀾𠀾𠀾", "𠀾**"),
        (" 李四 ", "李*"),
        ("张", "*"),
        ("", ""),
        (f"葛{IVS}亮", f"葛{IVS}*"),  # a variation sequence stays with its base character
        (f"亮葛{IVS}", "亮*"),  # and is hidden with it, not left dangling
    ],
)
def test_mask_name_examples(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


@given(st.text(NAME_CHARS, min_size=2, max_size=12))
def test_mask_name_keeps_only_the_first_character(name: str) -> None:
    assert mask_name(name) == name[0] + "*" * (len(name) - 1)


@given(st.text(EXT_B, min_size=1, max_size=6))
def test_mask_name_never_splits_rare_characters(name: str) -> None:
    masked = mask_name(name)
    assert_whole_code_points(masked)
    if len(name) == 1:
        assert masked == "*"
        return
    assert masked == name[0] + "*" * (len(name) - 1)
    # UTF-16 view: the kept character is a whole surrogate pair, then one unit per star.
    assert masked.encode("utf-16-le")[:4] == name[0].encode("utf-16-le")
    assert len(masked.encode("utf-16-le")) == 2 * (2 + len(name) - 1)


@given(st.text().filter(lambda s: "*" not in s))
@example("0\u093a")  # a digit and a combining vowel sign: one perceived character
def test_mask_name_keeps_at_most_one_character_and_its_marks(raw: str) -> None:
    masked = mask_name(raw)
    name = raw.strip()
    assert_whole_code_points(masked)
    if len(name) <= 1:
        assert masked == "*" * len(name)
        return
    head = masked.rstrip("*")
    if not head:  # one perceived character (a base and its marks, "0ऺ") is masked whole
        assert masked == "*"
        assert all(unicodedata.category(char) in {"Mn", "Mc", "Me"} for char in name[1:])
        return
    assert name.startswith(head)
    assert head[0] == name[0]
    assert all(unicodedata.category(char) in {"Mn", "Mc", "Me"} for char in head[1:])
    assert unmasked(masked) == len(head)


# --- 地址 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("湖南省衡阳市耒阳市西湖南路566号", "湖南省衡阳市****"),
        ("五一路12号", "五一路****"),  # short: never more than half
        ("𠀾𠀾村", "𠀾****"),
        ("", ""),
    ],
)
def test_mask_address_examples(raw: str, masked: str) -> None:
    assert mask_address(raw) == masked


@given(st.text(NAME_CHARS, min_size=1, max_size=40))
def test_mask_address_keeps_at_most_6_and_half(address: str) -> None:
    masked = mask_address(address)
    assert masked.endswith("****")
    kept = masked.removesuffix("****")
    assert kept == address[: min(6, len(address) // 2)]
    assert_whole_code_points(masked)


# --- one answer on a form, by its field (the single rule for item forms and bundle forms) ---

@pytest.mark.parametrize(("key", "kind", "maps_to", "value", "shown"), [
    ("mother_id", "id_number", "", "43048119900101123X", "430***********123X"),
    ("id_number", "text", "", "43048119900101123X", "430***********123X"),
    ("agent_phone", "phone", "", "13800000001", "138****0001"),
    ("contact_phone", "text", "", "13800000001", "138****0001"),
    ("premises", "text", "business_address", "耒阳市五一路18号一楼", "耒阳市五一****"),
    ("address", "text", "", "耒阳市五一路18号一楼", "耒阳市五一****"),
    ("home_address", "long_text", "", "耒阳市五一路18号一楼", "耒阳市五一****"),
    ("uscc", "uscc", "", "91430481MA4L0000XX", "91430481MA4L0000XX"),
    ("shop_name", "text", "", "某某餐馆", "某某餐馆"),
])
def test_mask_answer_masks_by_kind_key_and_meaning(key: str, kind: str, maps_to: str,
                                                   value: str, shown: str) -> None:
    assert mask_answer(value, key=key, kind=kind, maps_to=maps_to) == shown


def test_an_enterprise_applicants_id_number_is_its_public_credit_code() -> None:
    code = "91430481MA4L0000XX"
    assert mask_answer(code, key="id_number", kind="text", enterprise=True) == code
    # …but another person's ID number on an enterprise's form is still personal data.
    assert mask_answer("43048119900101123X", key="legal_rep_id_number", kind="id_number",
                       enterprise=True) == "430***********123X"
