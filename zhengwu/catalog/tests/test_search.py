"""Search as a service [31]: a labelled set of citizen queries, filters, highlighting, limits."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from zhengwu.catalog import search
from zhengwu.catalog.models import Synonym
from zhengwu.catalog.services import synonym_save
from zhengwu.core.audit import SYSTEM
from zhengwu.departments.models import Department

pytestmark = pytest.mark.django_db
QUERIES = Path(__file__).parent / "data" / "search_queries.csv"


@pytest.fixture
def index():
    return search.get_index()


def top3(index, q, **filters):
    return [h.doc.name for h in index.search(q, search.Filters(**filters), limit=3)[0]]


def test_the_labelled_citizen_queries_find_their_item_in_the_top_three(index):
    rows = list(csv.DictReader(QUERIES.open(encoding="utf-8")))
    assert len(rows) >= 60
    misses = [(r["query"], r["expected_item"], top3(index, r["query"])) for r in rows
              if r["expected_item"] not in top3(index, r["query"])]
    share = 1 - len(misses) / len(rows)
    assert share >= 0.90, misses
    kinds = {r["kind"] for r in rows}
    assert {"words", "pinyin", "initials", "synonym"} <= kinds


@pytest.mark.parametrize(("query", "expected"), [
    ("开饭店", "食品经营许可证核发（新办）"),
    ("yyzz", "企业设立登记（公司设立登记）"),
    ("生孩子", "出生医学证明首次签发"),
])
def test_the_demo_queries(index, query, expected):
    assert expected in top3(index, query)


def test_matched_words_are_highlighted_and_escaped(index):
    hits, _ = index.search("食品经营许可")
    assert "<mark>" in hits[0].name_highlighted
    assert search.highlight("<b>营业执照</b>", ["营业执照"]) == \
        "&lt;b&gt;<mark>营业执照</mark>&lt;/b&gt;"


def test_filters_narrow_the_results(index):
    everything = index.search("登记", limit=100)[1]
    person = index.search("登记", search.Filters(audience="person"), limit=100)[1]
    assert 0 < person < everything
    market = Department.objects.get(short_name="市市场监督管理局")
    hits, _ = index.search("登记", search.Filters(department=market.pk), limit=100)
    assert hits and all(h.impl.department_id == market.pk for h in hits)
    hits, _ = index.search("养老", search.Filters(level=6), limit=100)
    assert hits and all(h.impl.level == 6 for h in hits)


def test_region_filter_shows_the_most_local_implementation(index):
    village = "430481001001"  # a community of 蔡子池街道
    hits, _ = index.search("高龄津贴", search.Filters(region=village), limit=5)
    assert hits
    for hit in hits:
        assert village.startswith(hit.impl.region_code.rstrip("0"))


def test_an_over_long_query_is_refused(index):
    with pytest.raises(search.QueryError, match="过长"):
        index.search("办" * 51)


def test_an_empty_or_nonsense_query_finds_nothing(index):
    assert index.search("   ") == ([], 0)
    assert index.search("qqqqqqqq")[1] == 0


def test_a_new_synonym_takes_effect_without_a_restart():
    assert "个体工商户设立登记" not in top3(search.get_index(), "挂个牌子")
    synonym_save(term="挂个牌子", targets="个体工商户设立登记", actor=SYSTEM)
    assert Synonym.objects.filter(term="挂个牌子").exists()
    assert "个体工商户设立登记" in top3(search.get_index(), "挂个牌子")


def test_a_region_is_served_by_itself_and_its_ancestors_only():
    codes = search._ancestor_codes("430481110201")
    assert codes == {"430000000000", "430400000000", "430481000000", "430481110000",
                     "430481110201"}
    # 430481100000 is another township whose digits are a prefix of 4304811…: not an ancestor.
    assert "430481100000" not in codes
    assert search._ancestor_codes("430481000000") == {"430000000000", "430400000000",
                                                      "430481000000"}


def _doc(item_id: int, name: str) -> search.Doc:
    doc = search.Doc(item_id=item_id, basic_code=f"B{item_id:04d}", name=name,
                     item_type="01", audience=frozenset(), theme_ids=frozenset(), themes=())
    doc.impls.append(search.Impl(item_id, f"I{item_id}", 1, "市场监管局", "430481", 4,
                                 Decimal("5"), 3))
    doc.finish()
    return doc


def _shown(hits: list[search.Hit]) -> list[str]:
    """The names a results page shows, in order: each result's, then its sub-items'."""
    return [name for h in hits for name in (h.doc.name, *(d.name for d, _ in h.variants))]


def test_one_result_per_item_with_its_matching_sub_items_listed_under_it() -> None:
    """Issue 16: at province scale three sub-items (办理项) of one item filled the top 3. An
    item is one result, titled by the item itself unless the query names a sub-item's
    qualifier; the count counts items; the others that match are listed under it, up to
    VARIANTS_SHOWN, with or without a filter that narrows the implementations."""
    names = ["户口迁移（迁出）", "户口迁移", "户口迁移（迁入）", "户口迁移（补办）", "户口迁移（代办）",
             "户口迁移（注销）", "户口迁移（恢复）", "户籍证明开具"]
    index = search.SearchIndex([_doc(i, n) for i, n in enumerate(names, start=1)], {}, {}, 0)
    for filters in (search.Filters(), search.Filters(department=1)):
        hits, count = index.search("户口迁移", filters)
        assert count == 1 and len(hits) == 1
        assert hits[0].doc.name == "户口迁移"
        assert len(hits[0].variants) == search.VARIANTS_SHOWN
        assert all(d.item_key == "户口迁移" for d, _ in hits[0].variants)
        assert hits[0].variants[0][0].variant_label == "迁出"  # equal scores: by code
    named, _ = index.search("户口迁移 迁入")
    assert named[0].doc.name == "户口迁移（迁入）"
    assert "户口迁移" in [d.name for d, _ in named[0].variants]
    assert [h.doc.name for h in index.search("户籍证明")[0]] == ["户籍证明开具"]
    # A later page holds later items, not the rest of the first one's sub-items.
    page2, count = index.search("户口迁移", limit=1, offset=1)
    assert page2 == [] and count == 1


def test_the_results_page_and_the_api_list_an_items_other_sub_items(client, monkeypatch):
    names = ["户口迁移", "户口迁移（迁入）", "户口迁移（迁出）"]
    index = search.SearchIndex([_doc(i, n) for i, n in enumerate(names, start=1)], {}, {}, 0)
    monkeypatch.setattr(search, "get_index", lambda: index)
    text = client.get("/search/", {"q": "户口迁移"}).content.decode()
    assert "共找到 1 个事项" in text
    # Equal scores: by code, 迁入 (I2) before 迁出 (I3).
    assert '同一事项的其他办理项：<a href="/guide/I2/"' in text and ">迁入</a>、" in text
    assert ">迁出</a></p>" in text
    body = client.get("/api/v1/search", {"q": "户口迁移"}).json()
    assert body["count"] == 1 and body["items"][0]["name"] == "户口迁移"
    assert [(v["label"], v["implementation_code"], v["guide_url"])
            for v in body["items"][0]["variants"]] == [("迁入", "I2", "/guide/I2/"),
                                                        ("迁出", "I3", "/guide/I3/")]


def test_the_first_time_item_ranks_above_its_variants_unless_the_query_names_one() -> None:
    """Issue 16: at province scale 开饭店 found 食品经营许可证核发（减项/迁入/迁出） ahead of
    （新办）. A variant qualifier in the bracketed end costs a query that does not name it."""
    names = ["食品经营许可证核发（减项/迁入/迁出）", "食品经营许可证核发（暂停）",
             "食品经营许可证核发（新办）", "食品经营许可证核发（线上办理）"]
    index = search.SearchIndex([_doc(i, n) for i, n in enumerate(names, start=1)], {}, {}, 0)
    hits, _ = index.search("食品经营许可证核发")
    assert hits[0].doc.name == "食品经营许可证核发（新办）"
    named, _ = index.search("食品经营许可证核发 迁入 迁出 减项")
    assert named[0].doc.name == "食品经营许可证核发（减项/迁入/迁出）"
    # Only the brackets count: an item whose own name says 迁入 is not a variant.
    assert search.follow_ups_of("户口迁入") == ()
    assert search.follow_ups_of("食品经营许可证核发（迁入）") == ("迁入",)
    assert search.follow_ups_of("企业设立登记（公司设立登记）") == ()


def test_the_item_itself_ranks_above_its_qualified_sub_items() -> None:
    """Issue 16, at province scale: shebaoka found 社会保障卡申领（资格认证） first, because each
    sub-item carries one keyword more (社保卡资格认证) whose sound completes the query. A
    completion no longer adds to a doc the query already names whole, and a qualifier the
    query does not name costs ×0.9 — unless it names the first-time item (（首次申请）)."""
    names = ["社会保障卡申领（资格认证）", "社会保障卡申领（首次申请）", "社会保障卡申领",
             "社会保障卡申领（待遇申领）"]
    keywords = {1: "社保卡;社保卡资格认证", 2: "社保卡;社保卡首次申请", 3: "社保卡",
                4: "社保卡;社保卡待遇申领"}
    index = search.SearchIndex([_doc(i, n) for i, n in enumerate(names, start=1)], {},
                               keywords, 0)
    for query in ("shebaoka", "sbk", "社保卡"):
        top = _shown(index.search(query)[0])
        assert top[:2] == ["社会保障卡申领", "社会保障卡申领（首次申请）"], (query, top)
    assert index.search("社保卡资格认证")[0][0].doc.name == "社会保障卡申领（资格认证）"
    assert search.qualifier_of("社会保障卡申领（资格认证）") == ("资格认证", 0.9)
    assert search.qualifier_of("企业设立登记（公司设立登记）") == ("", 1.0)
    # Typed in part, the completions still find it.
    assert index.search("shebao")[0]


HELDOUT = Path(__file__).parent / "data" / "search_queries_heldout.csv"


def test_the_held_out_queries_find_their_item_or_bundle_in_the_top_three(index):
    """Issue 16's second set: 120 queries written after the ranking change without trying them
    (colloquial, typos, pinyin, initials, words, 一件事). 106 passed when first measured; two
    general changes followed that two of its misses suggested (sound of 3–4 character runs,
    measure words inside a synonym), so the set is no longer quite blind (docs/benchmarks.md)."""
    rows = list(csv.DictReader(HELDOUT.open(encoding="utf-8")))
    assert len(rows) >= 100
    assert {"colloquial", "typo", "pinyin", "initials", "words", "bundle"} <= {
        r["kind"] for r in rows}
    misses = []
    for row in rows:
        if row["kind"] == "bundle":
            top = [h.doc.name for h in index.search_extras(row["query"], kind="bundle",
                                                           limit=3)[0]]
        else:
            top = top3(index, row["query"])
        if row["expected"] not in top:
            misses.append((row["query"], row["expected"], top))
    assert 1 - len(misses) / len(rows) >= 0.90, misses


@pytest.mark.parametrize(("query", "expected"), [
    ("身份正补办", "居民身份证申领、换领、补领"),  # 身份正 sounds like 身份证, segmented apart
    ("开一家饭店", "食品经营许可证核发（新办）"),  # a measure word inside the synonym 开饭店
])
def test_a_mistyped_run_and_a_measure_word_still_find_the_item(index, query, expected):
    assert expected in top3(index, query)
