"""What people search for and do not find (issue 16): the portal counts searches, empty ones and
result clicks per day and query — nothing personal — and the catalogue administrator adds a
synonym from the list, after which the query finds its item."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhengwu.catalog import search_log
from zhengwu.catalog.models import SearchTermDay, Synonym
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PAGE = "/staff/catalog/search-terms/"


@pytest.mark.parametrize("query", ["430481199001011234", "13800000007", "a@b.cn",
                                   "案件 20261207000123", "查 43048119900101123X"])
def test_a_query_that_looks_like_personal_data_is_never_kept(client: Client, query: str) -> None:
    client.get("/search/", {"q": query})
    assert not SearchTermDay.objects.exists()
    assert search_log.term_of(query) is None


def test_searches_empty_ones_and_clicks_are_counted_per_day_and_query(client: Client) -> None:
    client.get("/search/", {"q": "社保卡"})
    client.get("/search/", {"q": " 社保卡 "})
    client.get("/search/", {"q": "锟斤拷"})
    page = client.get("/search/", {"q": "社保卡"}).content.decode()
    assert 'ping="/search/click/?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1"' in page
    assert client.post("/search/click/?q=社保卡").status_code == 204
    # A ping for a query never searched today plants nothing.
    assert client.post("/search/click/?q=从没搜过").status_code == 204
    assert client.get("/search/click/?q=社保卡").status_code == 405
    rows = {r.term: (r.searches, r.empty, r.clicks) for r in SearchTermDay.objects.all()}
    assert rows["社保卡"] == (3, 0, 1)
    assert rows["锟斤拷"][:2] == (1, 1)
    assert "从没搜过" not in rows
    # Page 2 of the same search is not another search.
    client.get("/search/", {"q": "社保卡", "page": "2"})
    assert SearchTermDay.objects.get(term="社保卡").searches == 3


def test_the_page_lists_what_found_nothing_and_a_synonym_added_there_finds_it(
        client: Client, client_for: Any, catalog_admin: Any, applicant: Any) -> None:
    for _ in range(2):
        client.get("/search/", {"q": "搞个小卖部"})  # finds things, but nobody opens one
        client.get("/search/", {"q": "锟斤拷"})  # finds nothing
    client.get("/search/", {"q": "只搜一次的名字"})  # below MIN_SHOWN: never listed
    assert client_for(applicant).get(PAGE).status_code == 403
    admin = client_for(catalog_admin)
    text = admin.get(PAGE).content.decode()
    assert "搞个小卖部" in text and "锟斤拷" in text and "只搜一次的名字" not in text
    assert text.count("从无结果") == 1
    empty = admin.get(PAGE, {"only": "empty"}).content.decode()
    assert "锟斤拷" in empty and "搞个小卖部" not in empty
    # A blank target is refused in words, nothing saved.
    refused = admin.post(PAGE, {"term": "锟斤拷", "targets": " "})
    assert refused.status_code == 200
    assert "请填写这个说法对应的事项用词" in refused.content.decode()
    assert not Synonym.objects.filter(term="锟斤拷").exists()
    saved = admin.post(PAGE, {"term": "锟斤拷", "targets": "食品小经营许可"}, follow=True)
    assert "已保存同义词：锟斤拷 → 食品小经营许可" in saved.content.decode()
    assert AuditEvent.objects.filter(action="catalog.synonym_save").exists()
    found = Client().get("/search/", {"q": "锟斤拷"}).content.decode()
    first = found.split('<ol class="results"', 1)[1].split("</h2>", 1)[0]
    assert "食品小经营许可" in first.replace("<mark>", "").replace("</mark>", "")
    assert "已有：食品小经营许可" in admin.get(PAGE).content.decode()


def test_the_sweep_deletes_day_counts_older_than_kept_days_in_beijing_days() -> None:
    import datetime as dt

    from zhengwu.core import sweeps
    from zhengwu.core.clock import SHANGHAI

    assert sweeps.SWEEPS["catalog.search_terms"] is search_log.sweep
    today = dt.date(2026, 12, 8)
    for age in (search_log.KEPT_DAYS + 1, search_log.KEPT_DAYS, 0):
        SearchTermDay.objects.create(day=today - dt.timedelta(days=age), term=f"营业执照{age}",
                                     searches=3)
    # 00:30 in Beijing is still the day before in UTC: the cutoff counts Beijing days.
    now = dt.datetime(2026, 12, 8, 0, 30, tzinfo=SHANGHAI)
    assert "1 条" in search_log.sweep(now)
    assert sorted(SearchTermDay.objects.values_list("term", flat=True)) == [
        "营业执照0", f"营业执照{search_log.KEPT_DAYS}"]
    assert "0 条" in search_log.sweep(now)  # idempotent
