"""GB/T 36904 证照标识: build, parse, check character (ISO/IEC 7064 MOD 37,36), CLI."""

from __future__ import annotations

import string

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.licences.identifier import (
    PREFIX,
    LicenceId,
    LicenceIdCheckError,
    LicenceIdError,
    licence_id_build,
    licence_id_parse,
)

REAL = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
# Real identifiers from platform data (standards-notes §4), the same as core's golden list.
REAL_IDS = [
    REAL,
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    # An older issuer field: a 6-digit region code (合肥市) instead of a USCC.
    "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
]
ALNUM = string.digits + string.ascii_uppercase


@pytest.mark.parametrize("text", REAL_IDS)
def test_real_identifiers_parse_and_print_back(text: str) -> None:
    parsed = licence_id_parse(text)
    assert str(parsed) == text
    assert parsed.check == text[-1]


def test_the_fields_of_the_issue_example() -> None:
    parsed = licence_id_parse(REAL)
    assert parsed == LicenceId(type_code="11100000000013338W011", issuer_code="11430000006122244L",
                               serial="20230000403", version="001", check="U")
    assert parsed.authority_code == "11100000000013338W"
    assert parsed.body == "11100000000013338W01111430000006122244L20230000403001"


def test_build_appends_the_check_character() -> None:
    built = licence_id_build("11100000000013338W011", "11430000006122244L", "20230000403", 1)
    assert str(built) == REAL
    assert str(licence_id_build("11100000000013338W011", "11430000006122244L", "20230000403",
                                "002")).endswith(".002.S")


def test_parse_normalises_typed_input() -> None:
    typed = "  " + REAL.lower().replace("1", "１") + "\n"  # full-width digits from an IME
    assert str(licence_id_parse(typed)) == REAL


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "应以 1.2.156.3005.2. 开头"),
    ("1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.001.U", "开头"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001", "5 段"),
    ("1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", "证照类型代码"),
    ("1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U", "统一社会信用代码"),
    ("1.2.156.3005.2.11100000000013338W0A1.11430000006122244L.20230000403.001.U", "3 位数字"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "颁证机构代码"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.001.U", "流水号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L..001.U", "流水号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "版本号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U", "版本号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.UU", "校验位"),
])
def test_malformed_identifiers_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(LicenceIdError) as caught:
        licence_id_parse(text)
    assert fragment in caught.value.message
    assert not isinstance(caught.value, LicenceIdCheckError)


def test_a_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(LicenceIdCheckError) as caught:
        licence_id_parse(REAL[:-1] + "V")
    assert caught.value.expected == "U"
    assert "应为 U" in caught.value.message


def test_build_refuses_a_region_code_issuer() -> None:
    # Parsing tolerates the older 6-digit issuer field; what we issue carries a USCC.
    with pytest.raises(LicenceIdError, match="颁证机构代码"):
        licence_id_build("11100000000013338W011", "340100", "1", 1)


def _fields_of(text: str) -> list[str]:
    return text.removeprefix(PREFIX + ".").split(".")


def _rejoin(fields: list[str]) -> str:
    return PREFIX + "." + ".".join(fields)


def _every_position() -> list[tuple[int, int]]:
    fields = _fields_of(REAL)
    return [(f, i) for f in range(len(fields)) for i in range(len(fields[f]))]


def test_every_single_substitution_of_the_real_identifier_is_caught() -> None:
    fields = _fields_of(REAL)
    tried = 0
    for f, i in _every_position():
        for char in ALNUM:
            if char == fields[f][i]:
                continue
            mutated = list(fields)
            mutated[f] = fields[f][:i] + char + fields[f][i + 1:]
            with pytest.raises(LicenceIdError):
                licence_id_parse(_rejoin(mutated))
            tried += 1
    assert tried == 35 * len(_every_position())


def test_every_adjacent_transposition_of_the_real_identifier_is_caught() -> None:
    # Across the whole text after the prefix, dots included: a dot moved one place changes a
    # fixed-length field and is caught by the structure, the rest by the check character.
    tail = REAL.removeprefix(PREFIX + ".")
    for i in range(len(tail) - 1):
        if tail[i] == tail[i + 1]:
            continue
        mutated = tail[:i] + tail[i + 1] + tail[i] + tail[i + 2:]
        with pytest.raises(LicenceIdError):
            licence_id_parse(PREFIX + "." + mutated)


serials = st.text(ALNUM, min_size=1, max_size=20)
versions = st.integers(1, 999)


@given(serials, versions, st.data())
def test_any_single_substitution_in_a_built_identifier_is_caught(
        serial: str, version: int, data: st.DataObject) -> None:
    built = str(licence_id_build("11100000000013338W011", "11430000006122244L", serial, version))
    fields = _fields_of(built)
    f = data.draw(st.integers(0, len(fields) - 1))
    i = data.draw(st.integers(0, len(fields[f]) - 1))
    char = data.draw(st.sampled_from(ALNUM).filter(lambda c: c != fields[f][i]))
    fields[f] = fields[f][:i] + char + fields[f][i + 1:]
    with pytest.raises(LicenceIdError):
        licence_id_parse(_rejoin(fields))


@given(serials, versions, st.data())
def test_an_adjacent_transposition_is_caught_unless_of_neighbouring_characters(
        serial: str, version: int, data: st.DataObject) -> None:
    # MOD 37,36 catches every single substitution but not quite every adjacent transposition:
    # two characters next to each other in 0-9A-Z (8↔9, A↔B, Z↔0) swapped at one running value
    # of 36 keep the check (see the next test). Anything else is caught.
    built = str(licence_id_build("11100000000013338W011", "11430000006122244L", serial, version))
    tail = built.removeprefix(PREFIX + ".")
    i = data.draw(st.integers(0, len(tail) - 2).filter(lambda j: tail[j] != tail[j + 1]))
    mutated = PREFIX + "." + tail[:i] + tail[i + 1] + tail[i] + tail[i + 2:]
    try:
        licence_id_parse(mutated)
    except LicenceIdError:
        return
    a, b = ALNUM.index(tail[i]), ALNUM.index(tail[i + 1])
    assert (a - b) % 36 in {1, 35}, (built, mutated)


def test_the_undetected_transposition_is_real() -> None:
    # The limit of the standard's check, recorded so that nobody relies on more: the serials
    # …7889… and …7898… of one type and issuer share the check character 9.
    first = licence_id_build("11100000000013338W011", "11430000006122244L", "202378890001", 1)
    second = licence_id_build("11100000000013338W011", "11430000006122244L", "202378980001", 1)
    assert first.check == second.check == "9"


def test_cli_check_prints_ok(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("licence_id", "check", REAL)
    assert capsys.readouterr().out == "ok\n"


def test_cli_check_prints_the_expected_character_and_fails(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command("licence_id", "check", REAL[:-1] + "7")
    assert exited.value.code == 1
    out, err = capsys.readouterr()
    assert out == "U\n"
    assert "校验位错误" in err


def test_cli_check_explains_a_malformed_identifier(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command("licence_id", "check", "1.2.156.3005.2.abc")
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "5 段" in err


def test_cli_build(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("licence_id", "build", "11100000000013338W011", "11430000006122244L",
                 "20230000403", "--version", "2")
    assert capsys.readouterr().out == REAL[:-5] + "002.S\n"
