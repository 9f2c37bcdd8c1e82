"""RFC 8785 (JCS) canonical JSON without numbers: the RFC's own examples, NFC, round trips."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.licences.canonical import CanonicalError, canonical_loads, canonicalize

# RFC 8785 §3.2.3: keys sort by their UTF-16 code units, not by code points or locale: the
# emoji (D83D DE00) comes before U+FB33, which a code-point sort would put first.
RFC_SORTING_INPUT = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\U0001f600": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
}
RFC_SORTING_OUTPUT = ('{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
                      '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
                      '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}')

# RFC 8785 §3.2.2.2 (the sample without its "numbers" member): which characters are escaped,
# and how (short forms, lower-case \u00xx, "/" and non-ASCII left alone).
RFC_STRINGS_INPUT = '''{
  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
  "literals": [null, true, false]
}'''
RFC_STRINGS_OUTPUT = '{"literals":[null,true,false],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'


def test_rfc8785_key_sorting_example() -> None:
    assert canonicalize(RFC_SORTING_INPUT, nfc=False) == RFC_SORTING_OUTPUT.encode()


def test_rfc8785_string_example() -> None:
    assert canonicalize(json.loads(RFC_STRINGS_INPUT)) == RFC_STRINGS_OUTPUT.encode()


def test_every_control_character_and_the_ones_left_alone() -> None:
    text = "".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029/<>&'"
    expected = ('"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r'
                '\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018'
                '\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f\u2028\u2029/<>&\'"')
    assert canonicalize(text) == expected.encode()


def test_keys_sort_by_code_unit_not_by_pinyin_or_locale() -> None:
    value = {"姓名": "张三", "出生日期": "1990-01-01", "Z": "", "a": "", "péché": "", "pêche": ""}
    assert canonicalize(value) == (
        '{"Z":"","a":"","péché":"","pêche":"","出生日期":"1990-01-01","姓名":"张三"}'.encode())


def test_nested_values_and_no_whitespace() -> None:
    value = {"b": [{"y": "1", "x": None}, [], {}], "a": {"d": True, "c": False}}
    assert canonicalize(value) == b'{"a":{"c":false,"d":true},"b":[{"x":null,"y":"1"},[],{}]}'


def test_text_is_nfc_normalised_keys_and_values() -> None:
    # U+FB33 has no NFC form of its own (composition exclusion): it becomes U+05D3 U+05BC and
    # sorts before the Euro sign; "A" + combining ring becomes "Å".
    canonical = canonicalize(RFC_SORTING_INPUT).decode()
    assert "\ufb33" not in canonical
    assert list(json.loads(canonical))[4] == "\u05d3\u05bc"
    assert canonicalize({"name": "A\u030a"}) == '{"name":"\u00c5"}'.encode()
    assert canonicalize({"name": "A\u030a"}, nfc=False) == '{"name":"A\u030a"}'.encode()


def test_two_keys_equal_after_nfc_are_refused() -> None:
    with pytest.raises(CanonicalError, match="重复"):
        canonicalize({"\u00c5": "1", "A\u030a": "2"})


@pytest.mark.parametrize("value", [
    1, 1.5, {"n": 0}, ["x", 2], {"f": float("nan")},
])
def test_numbers_are_refused(value: object) -> None:
    with pytest.raises(CanonicalError, match="数字"):
        canonicalize(value)


@pytest.mark.parametrize("value", [
    {1: "x"}, {"t": ("a",)}, {"s": {"a"}}, {"b": b"x"}, "\ud800", {"\udc00": ""},
])
def test_what_json_cannot_carry_is_refused(value: object) -> None:
    with pytest.raises(CanonicalError):
        canonicalize(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_round_trip_is_stable(value: object) -> None:
    canonical = canonicalize(value)
    again = canonical_loads(canonical)
    assert canonicalize(again) == canonical
    assert canonicalize(again, nfc=False) == canonical  # already NFC: nothing left to change
    assert json.loads(canonical) == again


@given(json_values)
def test_the_standard_library_agrees_apart_from_sorting(value: object) -> None:
    # json.dumps escapes the same characters the same way (ensure_ascii off); only its key
    # order (code points) may differ, which the comparison of parsed values ignores.
    normalised = canonical_loads(canonicalize(value))
    reference = json.dumps(normalised, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(reference) == normalised


def test_strict_loading() -> None:
    assert canonical_loads(b'{"a":["x",null,true]}') == {"a": ["x", None, True]}
    for bad, fragment in [
        (b'{"a":"1","a":"2"}', "重复"),
        (b'{"a":1}', "数字"),
        (b'{"a":-0.5}', "数字"),
        (b'{"a":NaN}', "数字"),
        (b'{"a":"\xff"}', "UTF-8"),
        (b'{"a":', "JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "嵌套"),
    ]:
        with pytest.raises(CanonicalError, match=fragment):
            canonical_loads(bad)


def test_nfc_input_is_left_as_it_is() -> None:
    text = "耒阳市市场监督管理局"
    assert unicodedata.is_normalized("NFC", text)
    assert canonicalize({"issuer": text}) == f'{{"issuer":"{text}"}}'.encode()
