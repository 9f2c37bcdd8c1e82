"""Deployment checks of the platform's own keys (run by `zhengwu check --deploy`, hence by
`make test` with production settings).

The holder reference (core.holder_ref) names every licence holder and every row of the
data-use log by HMAC-SM3 of their number. Its key falls back to one derived from SECRET_KEY,
which is right for development but not for production: SECRET_KEY is rotated now and then, and
a changed key separates every stored licence and use from its holder. A deployment must set
ZHENGWU_HOLDER_REF_KEY once and keep it (docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

MIN_KEY_CHARS = 32


def holder_ref_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    key = str(getattr(settings, "ZHENGWU_HOLDER_REF_KEY", "") or "")
    if len(key) < MIN_KEY_CHARS:
        return [checks.Error(
            "ZHENGWU_HOLDER_REF_KEY is not set (or shorter than 32 characters): licence "
            "holders and the data-use log would be keyed by a value derived from SECRET_KEY, "
            "and rotating SECRET_KEY would separate them from their holders.",
            hint="Set ZHENGWU_HOLDER_REF_KEY to a random value from a vault, once, and keep "
                 "it (docs/deploy.md).",
            id="zhengwu.core.E001")]
    return []
