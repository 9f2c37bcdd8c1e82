"""Which characters names and addresses may hold (issue 8, finding 9): golden cases and
properties over generated text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.text import TextError, check_text, first_forbidden

KEPT = ["张三", "𠀾𠀾", "买买提·艾力", "玛丽・居里", "欧阳𪚥", "陈\U00031350",  # Ext G
        "李\U00031360", "王\U0002EBF0",  # Ext I (newer than Python 3.11's tables)
        "葛\U000E0100",  # an ideographic variation selector
        "耒阳市蔡子池街道五一路８号", "ＡＢＣ有限公司", "\ue000氏"]  # full-width, private use
REFUSED = {
    "张\x00三": "控制字符 U+0000",
    "张三\u202egpj.exe": "文字方向控制符 U+202E",
    "\u202a张三": "文字方向控制符 U+202A",
    "张\u2066三\u2069": "文字方向控制符 U+2066",
    "张\u200e三": "文字方向控制符 U+200E",
    "张\u200f三": "文字方向控制符 U+200F",
    "张\u200b三": "不可见的格式字符 U+200B",
    "张\u200d三": "不可见的格式字符 U+200D",
    "\ufeff张三": "不可见的格式字符 U+FEFF",
    "张\x1b[31m三": "控制字符 U+001B",
    "张\n三": "控制字符 U+000A",
    "张\u2028三": "换行符 U+2028",
    "张\ud800三": "无效字符 U+D800",
}


@pytest.mark.parametrize("value", KEPT)
def test_real_names_and_addresses_are_kept(value: str) -> None:
    assert check_text(value, label="申请人姓名") == value


@pytest.mark.parametrize(("value", "what"), REFUSED.items())
def test_invisible_and_bidi_characters_are_refused_by_name(value: str, what: str) -> None:
    with pytest.raises(TextError) as refused:
        check_text(value, label="申请人姓名")
    assert refused.value.message.startswith("申请人姓名第")
    assert what in refused.value.message


def test_the_position_is_counted_from_one() -> None:
    with pytest.raises(TextError, match=r"^联系地址第3个字符是控制字符 U\+0000"):
        check_text("耒阳\x00市", label="联系地址")


def test_multiline_fields_keep_line_breaks_but_not_bidi() -> None:
    assert check_text("第一行\r\n第二行\t完", label="说明", multiline=True)
    with pytest.raises(TextError):
        check_text("第一行\n\u202e", label="说明", multiline=True)


@given(st.text(alphabet=st.characters(categories=["Lo", "Lu", "Ll", "Nd", "Zs", "Po", "Mn"])))
def test_letters_digits_and_punctuation_are_always_kept(value: str) -> None:
    assert first_forbidden(value) is None


@given(st.text(), st.characters(categories=["Cc", "Cf"]), st.text())
def test_any_control_or_format_character_anywhere_is_refused(before: str, bad: str,
                                                            after: str) -> None:
    value = before + bad + after
    index = first_forbidden(value)
    assert index is not None and index <= len(before)
    assert unicodedata.category(value[index]) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def test_redisplayable_replaces_control_characters_but_keeps_line_breaks():
    from zhengwu.core.text import redisplayable

    assert redisplayable("张\x00三\x1b") == "张\ufffd三\ufffd"
    assert redisplayable("第一行\r\n第二行\t") == "第一行\r\n第二行\t"
    assert redisplayable("𠀾·张三") == "𠀾·张三"
