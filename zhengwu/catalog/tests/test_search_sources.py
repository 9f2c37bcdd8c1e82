"""Search as a service over other apps' documents (ADR 0009): a source registered by a higher
app is indexed with the items' tokens, synonyms and filters, answered in its own list, and
never changes the items' ranking. A fake source stands in for 一件事 here (catalog knows no
bundles)."""

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhengwu.catalog import search
from zhengwu.catalog.models import Theme
from zhengwu.catalog.tests.test_search import QUERIES
from zhengwu.departments.models import Department

pytestmark = pytest.mark.django_db

FAKE = "fake-bundles"


def fake_docs() -> list[search.SourceDoc]:
    market = Department.objects.get(short_name="市市场监督管理局").pk
    return [
        search.SourceDoc(kind="bundle", key="FAKE-FD", name="开饭馆联办", url="/bundles/FAKE-FD/",
                         api_url="/api/v1/bundles/FAKE-FD", theme="开办餐饮",
                         parts=("食品经营许可证核发（新办）", "公众聚集场所投入使用、营业前消防安全检查"),
                         audience="enterprise", department="耒阳市市场监督管理局",
                         department_ids=frozenset([market]), region_code="430481000000",
                         level=4, promised_workdays=Decimal(3)),
        search.SourceDoc(kind="bundle", key="FAKE-BB", name="新生宝宝出生联办",
                         url="/bundles/FAKE-BB/", theme="出生",
                         parts=("出生医学证明首次签发", "出生登记"), audience="person",
                         region_code="430481001000", level=5),
    ]


@pytest.fixture
def sources() -> Iterator[None]:
    """Only the fake source; every source registered before is put back afterwards."""
    saved = dict(search._sources)
    for name in saved:
        search.unregister_source(name)
    search.register_source(FAKE, fake_docs)
    yield
    search.unregister_source(FAKE)
    for name, source in saved.items():
        search.register_source(name, source)


def names(hits: list[search.ExtraHit]) -> list[str]:
    return [h.doc.key for h in hits]


def test_a_registered_source_is_found_by_words_synonyms_pinyin_and_parts(sources: None) -> None:
    index = search.get_index()
    assert names(index.search_extras("开饭馆")[0]) == ["FAKE-FD"]
    assert names(index.search_extras("开饭店")[0]) == ["FAKE-FD"]  # synonym → a part
    assert names(index.search_extras("kaifanguan")[0]) == ["FAKE-FD"]  # pinyin of the name
    assert names(index.search_extras("消防安全检查")[0]) == ["FAKE-FD"]  # a part
    assert names(index.search_extras("生孩子")[0]) == ["FAKE-BB"]  # synonym → a part
    hits, count = index.search_extras("宝宝出生", kind="bundle")
    assert (names(hits), count) == (["FAKE-BB"], 1)
    assert "<mark>" in hits[0].name_highlighted
    assert index.search_extras("宝宝出生", kind="other") == ([], 0)
    assert index.search_extras("   ") == ([], 0)
    with pytest.raises(search.QueryError):
        index.search_extras("办" * 51)


def test_a_weak_match_is_not_listed(sources: None) -> None:
    index = search.get_index()
    # Sounds like 出生 or 饭馆 only: fine for items (身分证 → 身份证), too weak for a bundle.
    for query in ("初生", "饭官"):
        assert index.extras is not None and index.extras.text._scores(query)[0]
        assert index.search_extras(query) == ([], 0)
    # FAKE-BB has 登记 in a part, but far below the bundle the query names.
    assert names(index.search_extras("开饭馆联办要登记吗")[0]) == ["FAKE-FD"]
    assert index.search_extras("qqqqqqqq") == ([], 0)


def test_filters_apply_to_source_documents(sources: None) -> None:
    index = search.get_index()
    market = Department.objects.get(short_name="市市场监督管理局").pk
    other = Department.objects.exclude(pk=market).first()
    assert other is not None
    food_theme = Theme.objects.get(name="开办餐饮").pk

    def found(**filters: Any) -> bool:
        return "FAKE-FD" in names(index.search_extras("开饭馆", search.Filters(**filters))[0])

    assert found(audience="enterprise") and not found(audience="person")
    assert found(theme=food_theme) and not found(theme=Theme.objects.get(name="出生").pk)
    assert found(department=market) and not found(department=other.pk)
    assert found(level=4) and not found(level=5)
    assert found(region="430481001001")  # a village of the county: served by the county
    assert not found(region="430400000000")  # the prefecture is not served by a county bundle
    baby = index.search_extras("宝宝出生", search.Filters(region="430481002000"))[0]
    assert baby == []  # offered in another township only


def test_items_rank_exactly_as_without_the_source(sources: None) -> None:
    rows = list(csv.DictReader(QUERIES.open(encoding="utf-8")))
    queries = [r["query"] for r in rows] + ["开饭馆", "宝宝出生", "消防安全检查"]
    with_source = search.get_index()
    ranked = {q: [h.doc.name for h in with_source.search(q, limit=10)[0]] for q in queries}
    search.unregister_source(FAKE)
    without = search.get_index()
    assert without is not with_source and without.extras is None
    assert ranked == {q: [h.doc.name for h in without.search(q, limit=10)[0]] for q in queries}


def test_a_failing_source_leaves_item_search_working(sources: None,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> list[search.SourceDoc]:
        raise RuntimeError("boom")

    search.register_source("broken", broken)
    try:
        index = search.get_index()
        assert index.search("开饭店")[1] > 0
        assert names(index.search_extras("开饭馆")[0]) == ["FAKE-FD"]
        assert "broken" in caplog.text
    finally:
        search.unregister_source("broken")


def test_the_search_api_lists_bundles_apart(sources: None) -> None:
    client = Client()
    body = client.get("/api/v1/search", {"q": "开饭店"}).json()
    assert set(body) == {"query", "count", "items", "bundles", "bundle_count", "policies",
                         "policy_count"}
    assert body["items"][0]["name"] == "食品经营许可证核发（新办）"
    assert {h["kind"] for h in body["items"]} == {"item"}
    assert body["bundle_count"] == 1
    bundle = body["bundles"][0]
    assert (bundle["kind"], bundle["code"], bundle["url"]) == ("bundle", "FAKE-FD",
                                                                "/bundles/FAKE-FD/")
    assert bundle["member_items"][0] == "食品经营许可证核发（新办）"
    assert bundle["promised_workdays"] == "3"
    only_items = client.get("/api/v1/search", {"q": "开饭店", "kind": "item"}).json()
    assert only_items["items"] == body["items"] and only_items["bundles"] == []
    only_bundles = client.get("/api/v1/search", {"q": "开饭店", "kind": "bundle"}).json()
    assert (only_bundles["items"], only_bundles["count"]) == ([], 0)
    assert [b["code"] for b in only_bundles["bundles"]] == ["FAKE-FD"]
    page_two = client.get("/api/v1/search", {"q": "开饭店", "offset": "1"}).json()
    assert page_two["bundles"] == [] and page_two["bundle_count"] == 1
    response = client.get("/api/v1/search", {"q": "开饭店", "kind": "case"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
