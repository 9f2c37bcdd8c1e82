"""一件事 in search as a service (ADR 0009): found by name, theme and member items, in their
own list of GET /api/v1/search, re-indexed when a new version is published, and never in the
way of an item query."""

import csv
from typing import Any

import pytest
from django.test import Client

from zhengwu.bundles.models import Bundle
from zhengwu.bundles.services import bundle_publish
from zhengwu.bundles.tests.conftest import QYKB
from zhengwu.catalog import search
from zhengwu.catalog.models import Theme
from zhengwu.catalog.tests.test_search import QUERIES
from zhengwu.core.audit import SYSTEM
from zhengwu.departments.models import Department

pytestmark = pytest.mark.django_db


def found(q: str, **params: Any) -> dict[str, Any]:
    response = Client().get("/api/v1/search", {"q": q, **params})
    assert response.status_code == 200, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def bundle_codes(body: dict[str, Any]) -> list[str]:
    return [b["code"] for b in body["bundles"]]


@pytest.mark.parametrize("query", ["企业开办", "开公司", "企业开办一件事", "qiyekaiban", "刻章"])
def test_people_find_the_qykb_bundle(query: str) -> None:
    body = found(query)
    assert QYKB in bundle_codes(body)[:3], (query, bundle_codes(body))
    hit = next(b for b in body["bundles"] if b["code"] == QYKB)
    assert hit["kind"] == "bundle"
    assert hit["url"] == f"/bundles/{QYKB}/"
    assert hit["api_url"] == f"/api/v1/bundles/{QYKB}"
    assert hit["theme"] == "企业开办" and hit["audience"] == "enterprise"
    assert "企业设立登记（公司设立登记）" in hit["member_items"]


def test_the_best_match_comes_first() -> None:
    assert bundle_codes(found("企业开办"))[0] == QYKB
    assert bundle_codes(found("开公司"))[0] == QYKB


@pytest.mark.parametrize(("query", "item", "within"), [
    ("开公司", "企业设立登记（公司设立登记）", 1), ("企业设立登记", "企业设立登记（公司设立登记）", 1),
    ("开饭店", "食品经营许可证核发（新办）", 1), ("yyzz", "企业设立登记（公司设立登记）", 3)])
def test_an_item_query_still_finds_its_item_first(query: str, item: str, within: int) -> None:
    body = found(query)
    assert item in [h["name"] for h in body["items"][:within]], body["items"][:3]
    assert {h["kind"] for h in body["items"]} == {"item"}
    assert body["count"] >= 1


def test_the_labelled_item_queries_rank_the_same_with_bundles_indexed() -> None:
    rows = list(csv.DictReader(QUERIES.open(encoding="utf-8")))
    index = search.get_index()
    assert index.extras is not None and QYKB in [d.key for d in index.extras.docs]
    with_bundles = {r["query"]: [h.doc.name for h in index.search(r["query"], limit=3)[0]]
                    for r in rows}
    share = sum(r["expected_item"] in with_bundles[r["query"]] for r in rows) / len(rows)
    assert share >= 0.90
    saved = dict(search._sources)
    try:
        for name in saved:
            search.unregister_source(name)
        plain = search.get_index()
        assert plain.extras is None
        assert with_bundles == {r["query"]: [h.doc.name for h in plain.search(
            r["query"], limit=3)[0]] for r in rows}
    finally:
        for name, source in saved.items():
            search.register_source(name, source)


def test_kind_and_filters() -> None:
    assert found("企业开办", kind="bundle")["items"] == []
    assert found("企业开办", kind="item")["bundles"] == []
    market = Department.objects.get(short_name="市市场监督管理局").pk
    tax = Department.objects.get(short_name="市税务局").pk  # a member's department
    civil = Department.objects.get(short_name="市民政局").pk
    theme = Theme.objects.get(name="企业开办").pk
    cases: list[tuple[dict[str, Any], bool]] = [
        ({"audience": "enterprise"}, True), ({"audience": "person"}, False),
        ({"theme": theme}, True), ({"theme": Theme.objects.get(name="出生").pk}, False),
        ({"department": market}, True), ({"department": tax}, True),
        ({"department": civil}, False), ({"level": 4}, True), ({"level": 5}, False),
        ({"region": "430481001001"}, True)]
    for params, listed in cases:
        assert (QYKB in bundle_codes(found("企业开办", **params))) is listed, params


def test_a_published_version_is_searchable_at_once() -> None:
    index = search.get_index()
    bundle = Bundle.objects.get(code=QYKB)
    before = [b["name"] for b in found("开办公司全流程")["bundles"]]
    assert "开办公司全流程一件事" not in before
    data = {**bundle.definition, "name": "开办公司全流程一件事"}
    _, made = bundle_publish(code=QYKB, data=data, region=bundle.region, actor=SYSTEM)
    assert made
    fresh = search.get_index()
    assert fresh.generation > index.generation
    body = found("开办公司全流程")
    assert bundle_codes(body)[0] == QYKB
    assert body["bundles"][0]["name"] == "开办公司全流程一件事"


def test_the_portal_search_page_offers_the_bundle_first(client_for: Any) -> None:
    page = client_for(None).get("/search/", {"q": "开公司"}).content.decode()
    assert "一件事一次办" in page
    assert page.index("企业开办一件事") < page.index("企业设立登记")


@pytest.mark.parametrize("query", ["营业执照", "办营业执照", "yyzz", "yingyezhizhao", "领发票"])
def test_the_plans_own_bundle_is_suggested_first_for_what_it_issues(query: str) -> None:
    """Issue 16: 营业执照 suggested 我要开民宿 first and 企业开办一件事 37th. A member's result
    (营业执照, 发票及税务UKey) now names the bundle, and the bundle the action plan names
    (plan_measure 12) ranks first among equals."""
    assert bundle_codes(found(query))[0] == QYKB, (query, bundle_codes(found(query)))


def test_what_a_bundle_issues_and_its_members_stems_are_searchable() -> None:
    from zhengwu.bundles.search_source import PLAN_WEIGHT, search_documents

    doc = next(d for d in search_documents() if d.key == QYKB)
    assert {"营业执照", "发票及税务UKey"} <= set(doc.keywords)
    assert doc.weight == PLAN_WEIGHT > 1
    assert search._stems(["企业设立登记（公司设立登记）", "刻章"]) == ["企业设立登记"]


def test_a_blank_plan_measure_leaves_a_published_definition_as_it_was() -> None:
    """Definitions published before plan_measure existed stay identical, so reloading a pack
    republishes none of them."""
    from zhengwu.bundles import definition as d

    bundle = Bundle.objects.exclude(code=QYKB).filter(illustrative=False).first()
    assert bundle is not None
    assert "plan_measure" not in bundle.definition
    again = d.as_json(d.Definition.model_validate(bundle.definition))
    assert again == bundle.definition
    assert Bundle.objects.get(code=QYKB).definition["plan_measure"] == "12"
