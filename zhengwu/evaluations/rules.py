"""The configurable numbers of 好差评, read here and nowhere else.

Neither GB/T 39734-2020 §7.2 评价时效规则 nor a national 差评 deadline could be read
(standards-notes §3 [NF]); the defaults are the issue's (7 days to rate; contact within 1,
rectify within 5 simple / 15 complex working days — local rules range 5–15 working days,
notes §3) and every one is a setting:

- ZHENGWU_RATING_WINDOW_DAYS (7): days after the service closes in which it may be rated;
- ZHENGWU_RECTIFY_CONTACT_WORKDAYS (1), ZHENGWU_RECTIFY_SIMPLE_WORKDAYS (5),
  ZHENGWU_RECTIFY_COMPLEX_WORKDAYS (15);
- ZHENGWU_RECTIFY_EXTENSION_MAX_WORKDAYS (10): the most one approved extension adds;
- ZHENGWU_RATING_APPEAL_DAYS (7): days the rater has to appeal a 差评 found invalid;
- ZHENGWU_RATING_BURST ((5, 3600)): ratings from one address within seconds that are flagged.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def window_days() -> int:
    return _int("ZHENGWU_RATING_WINDOW_DAYS", 7)


def rate_until(closed_at: dt.datetime) -> dt.datetime:
    return closed_at + dt.timedelta(days=window_days())


def contact_workdays() -> int:
    return _int("ZHENGWU_RECTIFY_CONTACT_WORKDAYS", 1)


def rectify_workdays(complexity: str) -> int:
    if complexity == "complex":
        return _int("ZHENGWU_RECTIFY_COMPLEX_WORKDAYS", 15)
    return _int("ZHENGWU_RECTIFY_SIMPLE_WORKDAYS", 5)


def extension_max_workdays() -> int:
    return _int("ZHENGWU_RECTIFY_EXTENSION_MAX_WORKDAYS", 10)


def appeal_days() -> int:
    return _int("ZHENGWU_RATING_APPEAL_DAYS", 7)


def burst() -> tuple[int, int]:
    count, seconds = getattr(settings, "ZHENGWU_RATING_BURST", (5, 3600))
    return int(count), int(seconds)


LEVELS: dict[int, str] = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}


@cache
def _reasons_file(path: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def reasons_data() -> dict[str, object]:
    """The 差评 reason code list of the pack (rating_reasons.json): codes, labels, source."""
    path = Path(settings.ZHENGWU_DEFAULT_PACK) / "rating_reasons.json"
    if not path.exists():
        return {"source": "", "illustrative": True,
                "reasons": [{"code": "A99", "label": "其他"}]}
    return _reasons_file(str(path))


def reasons() -> dict[str, str]:
    rows = reasons_data()["reasons"]
    assert isinstance(rows, list)
    return {str(row["code"]): str(row["label"]) for row in rows}
