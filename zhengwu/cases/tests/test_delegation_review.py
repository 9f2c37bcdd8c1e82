"""放权赋权回头看 counts real cases: the cases app gives the catalogue its case counts
(registered in CasesConfig.ready), so a delegated item that was used leaves the list."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from zhengwu.catalog import selectors
from zhengwu.catalog.models import ItemImplementation
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db
ITEM = "最低生活保障对象认定、保障金给付"


def _delegated(region: str) -> ItemImplementation:
    return ItemImplementation.objects.get(item__name=ITEM, region__name=region, delegated=True,
                                          status="published")


def _listed(start: dt.date, end: dt.date) -> set[int]:
    return {impl.pk for impl, _ in selectors.delegation_review(start=start, end=end)}


def test_a_delegated_item_with_a_case_in_the_period_is_not_listed(submit, client_for,
                                                                    supervisor):
    used, unused = _delegated("蔡子池街道"), _delegated("灶市街街道")
    # Filed early on 1 January, Beijing time: the days of the period are Beijing days (in UTC
    # it is still 31 December of the year before).
    with time_machine.travel(dt.datetime(2026, 1, 1, 7, 0, tzinfo=SHANGHAI), tick=False):
        submit(used)
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    listed = _listed(*year)
    assert used.pk not in listed
    assert unused.pk in listed
    # Outside the period the case does not count.
    assert used.pk in _listed(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert used.pk in _listed(dt.date(2026, 1, 2), dt.date(2026, 12, 31))
    # The staff page and the API say the same.
    page = client_for(supervisor).get(reverse("catalog:delegation"),
                                      {"start": "2026-01-01", "end": "2026-12-31"})
    assert used.get_absolute_url() not in page.content.decode()
    assert unused.get_absolute_url() in page.content.decode()
    api, codes, offset = client_for(supervisor), set(), 0
    while True:
        body = api.get("/api/v1/catalog/delegation-review", {
            "start": "2026-01-01", "end": "2026-12-31", "limit": 100, "offset": offset}).json()
        codes |= {row["implementation"]["code"] for row in body["items"]}
        offset += 100
        if offset >= body["count"]:
            break
    assert body["count"] == len(listed)
    assert used.code not in codes
    assert unused.code in codes


def test_the_cases_app_provides_its_counts(submit):
    used = _delegated("蔡子池街道")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        submit(used)
        submit(used, idempotency_key="second-case")
    counts = selectors.case_counts(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                                   implementation_ids=[used.pk])
    assert counts == {used.pk: 2}
