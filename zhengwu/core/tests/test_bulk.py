"""rows_insert: one executemany for many rows, the model's defaults for unnamed columns,
conflicts skipped on request, and a column with no value refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist

from zhengwu.core.bulk import rows_insert
from zhengwu.notifications.models import OutboxItem

pytestmark = pytest.mark.django_db

FIELDS = ("channel", "recipient", "subject", "body", "category", "next_attempt_at",
          "created_at", "dedupe_key")


def row(user: Any, key: str) -> tuple[Any, ...]:
    from zhengwu.core import clock

    now = clock.now()
    return ("inapp", user.pk, "标题", "正文", "case", now, now, key)


def test_rows_get_the_model_defaults_and_conflicts_are_skipped(applicant):
    assert rows_insert(OutboxItem, FIELDS, [row(applicant, "k1"), row(applicant, "k2")]) == 2
    item = OutboxItem.objects.get(dedupe_key="k1")
    assert (item.status, item.attempts, item.last_error, item.address) == ("pending", 0, "", "")
    rows_insert(OutboxItem, FIELDS, [row(applicant, "k1"), row(applicant, "k3")],
                ignore_conflicts=True)
    assert OutboxItem.objects.filter(dedupe_key__in=["k1", "k2", "k3"]).count() == 3


def test_a_missing_value_or_column_is_refused_before_writing(applicant):
    with pytest.raises(FieldDoesNotExist):
        rows_insert(OutboxItem, ("nonsense",), [("x",)])
    with pytest.raises(ValueError, match=r"next_attempt_at|channel|subject"):
        rows_insert(OutboxItem, ("recipient",), [(applicant.pk,)])
    assert not OutboxItem.objects.filter(recipient=applicant).exists()


def test_values_are_prepared_as_the_field_would_however_often_they_repeat(applicant):
    # The memo of prepared values must not mix equal values of other types or zones.
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zhengwu.core import clock

    utc = clock.now().replace(microsecond=0)
    shanghai = utc.astimezone(ZoneInfo("Asia/Shanghai"))
    rows = [("inapp", applicant.pk, "标题", "正文", "case", moment, moment, key)
            for moment, key in ((utc, "m1"), (shanghai, "m2"), (utc, "m3"),
                                (utc + dt.timedelta(hours=1), "m4"))]
    rows_insert(OutboxItem, FIELDS, rows)
    stored = dict(OutboxItem.objects.filter(dedupe_key__in=["m1", "m2", "m3", "m4"])
                  .values_list("dedupe_key", "created_at"))
    assert stored == {"m1": utc, "m2": utc, "m3": utc, "m4": utc + dt.timedelta(hours=1)}
