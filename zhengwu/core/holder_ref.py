"""The holder reference (持证主体标识): how licences and the data-use log name a person or an
enterprise without storing their ID number.

    holder_ref(id_number) = hex(HMAC-SM3(key, "holder-ref:v1\\0" ‖ normalized number))

`id_number` is a 居民身份证号码 or a 统一社会信用代码; it is normalized first (core.codes:
full-width to ASCII, spaces dropped, upper case) so that "43048119900101123x" and
"43048119900101123X" are one holder. The key is ZHENGWU_HOLDER_REF_KEY (settings; set it in
production and keep it: a new key orphans every stored reference); when it is empty the key is
derived from SECRET_KEY with its own label, good enough for development and tests only.

One function for every app (licences, sharing): a second copy with another normalization or
key would silently split a person's records.
"""

from __future__ import annotations

import hmac
from typing import Final

from django.conf import settings

from zhengwu.core.codes import normalize_code

_LABEL: Final = b"holder-ref:v1\0"


def _key() -> bytes:
    explicit = str(getattr(settings, "ZHENGWU_HOLDER_REF_KEY", "") or "")
    if explicit:
        return explicit.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"zhengwu holder-ref key",
                    "sm3").digest()


def holder_number(id_number: str) -> str:
    """The number as it is hashed: normalized, upper case."""
    return normalize_code(id_number)


def holder_ref(id_number: str) -> str:
    """The 64-hex-digit reference of the holder of `id_number` (ID number or USCC)."""
    number = holder_number(id_number)
    if not number:
        raise ValueError("holder_ref needs an ID number or a USCC")
    return hmac.new(_key(), _LABEL + number.encode("utf-8"), "sm3").hexdigest()

