"""Tests for zhengwu.catalog.codes: 基本编码 and 实施编码 (standards-notes §1)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.catalog.codes import (
    ITEM_TYPES,
    LEVELS,
    PROVINCES,
    CatalogCodeError,
    ImplementationCode,
    make_basic_code,
    make_implementation_code,
    parse_implementation_code,
    validate_basic_code,
    validate_implementation_code,
)
from zhengwu.core.codes import USCC_ALPHABET, make_uscc

# County-level 节能审查 (行政许可) in Guangxi, decoded from platform data (standards-notes §1).
GOLDEN_USCC = "11450721MB15580811"
GOLDEN_BASIC = "000104002000"
GOLDEN = GOLDEN_USCC + "4" + GOLDEN_BASIC

prefixes = st.sampled_from(["00", *PROVINCES])
item_types = st.sampled_from(sorted(ITEM_TYPES))
levels = st.integers(1, 7)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    uscc_char = st.sampled_from(USCC_ALPHABET)
    return make_uscc(
        draw(uscc_char),
        draw(uscc_char),
        draw(st.text(string.digits, min_size=6, max_size=6)),
        draw(st.text(uscc_char, min_size=8, max_size=8)),
    )


def test_code_sets_follow_gb_t_39046_appendix_a() -> None:
    assert sorted(ITEM_TYPES) == [f"{n:02d}" for n in range(1, 11)] + ["20"]
    assert ITEM_TYPES["01"] == "行政许可"
    assert ITEM_TYPES["20"] == "公共服务事项"
    assert sorted(LEVELS) == [str(n) for n in range(1, 8)]
    assert LEVELS["4"] == "县级"
    assert LEVELS["7"] == "分级管理"
    assert "00" not in PROVINCES
    assert len(PROVINCES) == 34


def test_golden_implementation_code_parses() -> None:
    parsed = parse_implementation_code(GOLDEN)
    assert parsed == ImplementationCode(
        uscc=GOLDEN_USCC,
        level=4,
        basic_code=GOLDEN_BASIC,
        prefix="00",
        item_type="01",
        main_seq=4002,
        sub_seq=0,
    )
    assert parsed.code == GOLDEN
    assert parsed.level_label == "县级"
    assert parsed.item_type_label == "行政许可"
    assert parsed.is_national is True
    assert validate_implementation_code(GOLDEN) == GOLDEN


def test_parsed_code_is_frozen() -> None:
    parsed = parse_implementation_code(GOLDEN)
    with pytest.raises(AttributeError):
        parsed.level = 3  # type: ignore[misc]


def test_full_width_and_lowercase_normalise() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GOLDEN.lower())
    assert validate_implementation_code(f" {full_width} ") == GOLDEN
    assert validate_basic_code("０００１０４００２０００") == GOLDEN_BASIC


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("00010400200", "^基本编码应为12位，实为11位$"),
        ("0001040020001", "^基本编码应为12位，实为13位$"),
        ("00010400A000", "第9位为“A”"),
        ("990104002000", "前2位应为00（国家基本目录）或省级行政区划代码，实为“99”"),
        (
            "000004002000",
            "事项类型代码应为 01、02、03、04、05、06、07、08、09、10、20 之一，实为“00”",
        ),
        ("001104002000", "实为“11”"),
        ("002104002000", "实为“21”"),
    ],
)
def test_bad_basic_code_is_refused(code: str, message: str) -> None:
    with pytest.raises(CatalogCodeError, match=message):
        validate_basic_code(code)


@pytest.mark.parametrize("code", ["450104002000", "442004002001", "002099999999", "431000000000"])
def test_provincial_and_edge_basic_codes_are_accepted(code: str) -> None:
    assert validate_basic_code(code) == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (GOLDEN[:-1], "^实施编码应为31位.*实为30位$"),
        (GOLDEN + "0", "实为32位$"),
        (
            "11450721MB15580812" + "4" + GOLDEN_BASIC,
            "实施主体代码）无效：统一社会信用代码有误（校验码不符），请逐位核对",
        ),
        (
            "11450721MB1558081I" + "4" + GOLDEN_BASIC,
            "实施主体代码）无效：统一社会信用代码第18位“I”不是合法字符",
        ),
        (GOLDEN_USCC + "0" + GOLDEN_BASIC, "第19位（行使层级）应为1–7，实为“0”"),
        (GOLDEN_USCC + "8" + GOLDEN_BASIC, "实为“8”"),
        (GOLDEN_USCC + "4" + "001104002000", "^实施编码后12位无效：基本编码的事项类型代码"),
        (
            GOLDEN_USCC + "4" + "00010400200A",
            "^实施编码后12位无效：基本编码应全为数字，第12位为“A”$",
        ),
    ],
)
def test_bad_implementation_code_is_refused(code: str, message: str) -> None:
    with pytest.raises(CatalogCodeError, match=message):
        parse_implementation_code(code)
    with pytest.raises(CatalogCodeError):
        validate_implementation_code(code)


def test_make_basic_code_reproduces_golden() -> None:
    assert make_basic_code(prefix="00", item_type="01", main_seq=4002) == GOLDEN_BASIC
    assert make_basic_code(prefix="45", item_type="20", main_seq=123, sub_seq=4) == "452000123004"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": "99", "item_type": "01", "main_seq": 1}, "实为“99”"),
        ({"prefix": "0", "item_type": "01", "main_seq": 1}, "实为“0”"),
        ({"prefix": "00", "item_type": "00", "main_seq": 1}, "事项类型代码"),
        ({"prefix": "00", "item_type": "1", "main_seq": 1}, "实为“1”"),
        ({"prefix": "00", "item_type": "01", "main_seq": 100_000}, "主项序号应在0–99999之间"),
        ({"prefix": "00", "item_type": "01", "main_seq": -1}, "主项序号"),
        ({"prefix": "00", "item_type": "01", "main_seq": True}, "主项序号"),
        (
            {"prefix": "00", "item_type": "01", "main_seq": 1, "sub_seq": 1000},
            "子项序号应在0–999之间",
        ),
        ({"prefix": "00", "item_type": "01", "main_seq": 1, "sub_seq": -1}, "子项序号"),
    ],
)
def test_make_basic_code_refuses_bad_parts(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogCodeError, match=message):
        make_basic_code(**kwargs)  # type: ignore[arg-type]


def test_make_implementation_code_builds_golden() -> None:
    assert make_implementation_code(uscc=GOLDEN_USCC, level=4, basic_code=GOLDEN_BASIC) == GOLDEN
    assert (
        make_implementation_code(
            uscc=GOLDEN_USCC.lower(), level=4, basic_code="０００１０４００２０００"
        )
        == GOLDEN
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"uscc": GOLDEN_USCC, "level": 0, "basic_code": GOLDEN_BASIC}, "行使层级应为1–7，实为0"),
        ({"uscc": GOLDEN_USCC, "level": 8, "basic_code": GOLDEN_BASIC}, "实为8"),
        ({"uscc": GOLDEN_USCC, "level": True, "basic_code": GOLDEN_BASIC}, "行使层级"),
        (
            {"uscc": "11450721MB15580812", "level": 4, "basic_code": GOLDEN_BASIC},
            "实施主体代码无效",
        ),
        ({"uscc": GOLDEN_USCC, "level": 4, "basic_code": "990104002000"}, "实为“99”"),
    ],
)
def test_make_implementation_code_refuses_bad_parts(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(CatalogCodeError, match=message):
        make_implementation_code(**kwargs)  # type: ignore[arg-type]


@given(prefixes, item_types, st.integers(0, 99_999), st.integers(0, 999))
def test_make_basic_code_round_trips(prefix: str, item_type: str, main: int, sub: int) -> None:
    code = make_basic_code(prefix=prefix, item_type=item_type, main_seq=main, sub_seq=sub)
    assert len(code) == 12
    assert validate_basic_code(code) == code
    assert code[:2] == prefix
    assert code[2:4] == item_type
    assert int(code[4:9]) == main
    assert int(code[9:]) == sub


@given(usccs(), levels, prefixes, item_types, st.integers(0, 99_999), st.integers(0, 999))
def test_make_and_parse_implementation_code_round_trip(
    uscc: str, level: int, prefix: str, item_type: str, main: int, sub: int
) -> None:
    basic = make_basic_code(prefix=prefix, item_type=item_type, main_seq=main, sub_seq=sub)
    code = make_implementation_code(uscc=uscc, level=level, basic_code=basic)
    assert len(code) == 31
    parsed = parse_implementation_code(code)
    assert parsed == ImplementationCode(
        uscc=uscc,
        level=level,
        basic_code=basic,
        prefix=prefix,
        item_type=item_type,
        main_seq=main,
        sub_seq=sub,
    )
    assert parsed.code == code
    assert (
        make_basic_code(
            prefix=parsed.prefix,
            item_type=parsed.item_type,
            main_seq=parsed.main_seq,
            sub_seq=parsed.sub_seq,
        )
        == parsed.basic_code
    )


@given(usccs(), levels, st.integers(0, 17), st.sampled_from(string.digits + string.ascii_uppercase))
def test_any_substitution_in_the_uscc_part_is_refused(
    uscc: str, level: int, index: int, char: str
) -> None:
    code = make_implementation_code(uscc=uscc, level=level, basic_code=GOLDEN_BASIC)
    mutated = code[:index] + char + code[index + 1 :]
    if mutated == code:
        return
    with pytest.raises(CatalogCodeError, match="实施主体代码"):
        parse_implementation_code(mutated)
