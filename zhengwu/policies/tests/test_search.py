"""The policy library in search as a service: found by a word of its title, its 文号 or a
benefit's name, listed apart from items and 一件事, and `kind=policy` asks for it alone."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_a_policy_is_found_apart_from_items(db: Any) -> None:
    body = Client().get("/api/v1/search", {"q": "稳岗返还"}).json()
    assert body["policy_count"] == 1
    (hit,) = body["policies"]
    assert hit["title"] == "耒阳市失业保险稳岗返还“免申即享”实施办法（示例）"
    assert hit["benefits"] == ["失业保险稳岗返还（示例）"] and hit["url"].startswith(
        "/policies/documents/")
    only = Client().get("/api/v1/search", {"q": "稳岗返还", "kind": "policy"}).json()
    assert only["count"] == 0 and only["bundle_count"] == 0 and only["policy_count"] == 1
    assert Client().get("/api/v1/search", {"q": "营业执照", "kind": "policy"}).json()[
        "policy_count"] == 0


def test_the_search_page_lists_it(db: Any) -> None:
    page = Client().get("/search/", {"q": "稳岗返还"}).content.decode()
    assert "惠企政策" in page and "/policies/documents/" in page


def test_interpretation_coverage_counts_documents_in_force(db: Any) -> None:
    import datetime as dt

    from zhengwu.policies.models import PolicyDocument
    from zhengwu.policies.selectors import interpretation_coverage

    assert interpretation_coverage() == (2, 2)  # the pack's documents have their 解读
    PolicyDocument.objects.create(title="无解读的文件（测试）", doc_number="测〔2026〕9号",
                                  issuer="测试", issued_on=dt.date(2026, 1, 1),
                                  effective_on=dt.date(2026, 1, 1), full_text="正文")
    assert interpretation_coverage() == (2, 3)
