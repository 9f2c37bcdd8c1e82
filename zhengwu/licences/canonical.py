"""Canonical JSON (RFC 8785, JCS) for what a licence signs, without numbers.

The bytes a signature covers must be the same wherever they are produced. RFC 8785 fixes them:
no whitespace; object members sorted by their names' UTF-16 code units (not code points, not a
locale); strings written as ECMAScript's JSON.stringify writes them (only `"`, `\\` and
U+0000–U+001F escaped, the five short forms \\b \\t \\n \\f \\r, otherwise \\u00xx in lower
case; everything else as UTF-8, `/` included); UTF-8 output; lone surrogates refused.

Two rules of our own on top (issue 11), which make the scheme small and unambiguous:

- **No numbers.** Number serialisation is the hard part of JCS (ECMAScript's shortest
  round-trip doubles); a licence has no arithmetic to do, so amounts, counts and indices travel
  as strings ("registeredCapital": "100.00"). A number is refused, on the way in and when
  signed bytes are read back.
- **NFC text.** Names and values are normalised to Unicode NFC before ordering, so that a name
  typed on a system that decomposes (macOS, some IMEs) signs and displays the same; two names
  that become equal are refused. `nfc=False` gives plain RFC 8785 (used to test the RFC's own
  examples, one of which has a character NFC changes).

Signed bytes are stored verbatim and verified as stored: `canonical_loads` reads them strictly
(UTF-8, no duplicate names, no numbers) for display and checks, never to serialise again.

Written here rather than taken from PyPI: with numbers excluded it is the forty lines below,
and the packages available (`rfc8785`, `jcs`, `canonicaljson`) would each still need the two
rules wrapped around them (canonicaljson is not even RFC 8785: it sorts by code point).
"""

from __future__ import annotations

import json
import unicodedata
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # C accelerated
from typing import Any, NoReturn


class CanonicalError(ValueError):
    """Not representable as our canonical JSON; the message (Chinese) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def canonicalize(value: object, *, nfc: bool = True) -> bytes:
    """The RFC 8785 bytes of `value` (dict with str keys, list, str, bool, None)."""
    parts: list[str] = []
    _write(value, parts, nfc)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError("文本含有孤立的代理码元（不是合法的 Unicode），无法规范化") from None


def _text(value: str, nfc: bool) -> str:
    if nfc and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-be", "surrogatepass")


def _write(value: object, parts: list[str], nfc: bool) -> None:
    # bool before the number check: True is an int in Python.
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(encode_basestring(_text(value, nfc)))
    elif isinstance(value, dict):
        members: dict[str, object] = {}
        for name, member in value.items():
            if not isinstance(name, str):
                raise CanonicalError(f"JSON 对象的成员名必须是文本，收到 {type(name).__name__}")
            key = _text(name, nfc)
            if key in members:
                raise CanonicalError(f"成员名“{key}”重复（规范化为 NFC 后相同）")
            members[key] = member
        parts.append("{")
        for index, key in enumerate(sorted(members, key=_utf16)):
            if index:
                parts.append(",")
            parts.append(encode_basestring(key))
            parts.append(":")
            _write(members[key], parts, nfc)
        parts.append("}")
    elif isinstance(value, list):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts, nfc)
        parts.append("]")
    elif isinstance(value, int | float):
        raise CanonicalError(f"签名内容不使用数字（{value!r}），数值请写成文本")
    else:
        raise CanonicalError(f"{type(value).__name__} 不能写成 JSON")


def canonical_loads(data: bytes) -> Any:
    """Read signed bytes back: strict UTF-8 JSON, no duplicate names, no numbers."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CanonicalError("内容不是合法的 UTF-8 文本") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_no_number,
                          parse_float=_no_number, parse_constant=_no_number)
    except json.JSONDecodeError as error:
        raise CanonicalError(f"内容不是合法的 JSON：第 {error.pos + 1} 个字符处 {error.msg}") from None
    except RecursionError:  # read before its signature is checked: any bytes may come
        raise CanonicalError("内容嵌套过深") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _value in pairs:
            if name in seen:
                raise CanonicalError(f"成员名“{name}”重复")
            seen.add(name)
    return result


def _no_number(literal: str) -> NoReturn:
    raise CanonicalError(f"签名内容不使用数字（{literal}）")
