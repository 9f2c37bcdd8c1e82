"""core.idempotency: one Idempotency-Key rule for every process that takes applications (cases,
bundles): the key's shape, the request digest, replay-or-refuse, and a lost insert race as a
Conflict that the caller retries once. Error codes carry the process's prefix."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from zhengwu.core import idempotency
from zhengwu.core.errors import Conflict, InvalidInput
from zhengwu.core.models import Counter


def test_the_digest_reads_content_not_key_order():
    one = idempotency.request_digest({"form": {"a": "1", "b": "2"}, "files": [("x", "ab")]})
    same = idempotency.request_digest({"files": [("x", "ab")], "form": {"b": "2", "a": "1"}})
    other = idempotency.request_digest({"form": {"a": "1", "b": "3"}, "files": [("x", "ab")]})
    assert one == same != other
    assert len(one) == 64
    # Chinese text and dates digest as they are, not as escapes that could collide.
    assert idempotency.request_digest({"n": "张三"}) != idempotency.request_digest({"n": "李四"})


@pytest.mark.parametrize(("header", "key"), [
    (None, None), ("key-1", "key-1"), ("  key-1 ", "key-1"), ("k" * 80, "k" * 80)])
def test_a_header_key_is_1_to_80_visible_ascii_characters(header, key):
    assert idempotency.key_from_header(header, prefix="case") == key


@pytest.mark.parametrize("header", ["", "   ", "k" * 81, "坏", "a b"])
def test_any_other_header_is_refused_with_the_process_code(header):
    with pytest.raises(InvalidInput) as raised:
        idempotency.key_from_header(header, prefix="bundle")
    assert raised.value.code == "bundle.idempotency_key"
    assert "1–80" in raised.value.message


def test_a_form_key_is_the_wizards_shape_or_nothing():
    good = "A" * 16
    assert idempotency.key_from_form({"idempotency_key": good}) == good
    assert idempotency.key_from_form({"idempotency_key": "short"}) == ""
    assert idempotency.key_from_form({"idempotency_key": "x" * 81}) == ""
    assert idempotency.key_from_form({"idempotency_key": "坏" * 20}) == ""
    assert idempotency.key_from_form({}) == ""
    fresh = idempotency.new_key()
    assert idempotency.key_from_form({"idempotency_key": fresh}) == fresh
    assert idempotency.key_from_header(fresh, prefix="case") == fresh
    assert fresh != idempotency.new_key()


class Rows:
    """What replay reads: rows filtered by who submitted and the key."""

    def __init__(self, *rows: Any) -> None:
        self.rows = rows
        self.asked: list[dict[str, Any]] = []

    def filter(self, **kwargs: Any) -> Rows:
        self.asked.append(kwargs)
        return Rows(*[r for r in self.rows if all(getattr(r, k) == v for k, v in kwargs.items())])

    def first(self) -> Any:
        return self.rows[0] if self.rows else None


def test_replay_answers_the_earlier_row_for_the_same_request():
    earlier = SimpleNamespace(submitted_by="u1", idempotency_key="k1", request_hash="h1")
    rows = Rows(earlier)
    assert idempotency.replay(rows, submitted_by="u1", key="k1", digest="h1",
                              prefix="case") is earlier
    assert rows.asked == [{"submitted_by": "u1", "idempotency_key": "k1"}]
    # Another person's key is theirs: not a replay.
    assert idempotency.replay(rows, submitted_by="u2", key="k1", digest="h1",
                              prefix="case") is None
    assert idempotency.replay(rows, submitted_by="u1", key="k2", digest="h1",
                              prefix="case") is None


def test_replay_without_a_key_reads_nothing():
    rows = Rows()
    assert idempotency.replay(rows, submitted_by="u1", key=None, digest="h", prefix="case") \
        is None
    assert idempotency.replay(rows, submitted_by="u1", key="", digest="h", prefix="case") is None
    assert rows.asked == []


def test_the_same_key_for_another_request_is_refused():
    rows = Rows(SimpleNamespace(submitted_by="u1", idempotency_key="k1", request_hash="h1"))
    with pytest.raises(InvalidInput) as raised:
        idempotency.replay(rows, submitted_by="u1", key="k1", digest="h2", prefix="bundle")
    assert raised.value.code == "bundle.idempotency_conflict"
    assert raised.value.message == "同一 Idempotency-Key 已用于内容不同的申请。"


def test_a_key_too_long_is_refused_before_reading():
    rows = Rows()
    with pytest.raises(InvalidInput) as raised:
        idempotency.replay(rows, submitted_by="u1", key="k" * 81, digest="h", prefix="case")
    assert raised.value.code == "case.idempotency_key"
    assert raised.value.message == "Idempotency-Key 过长（最多80字符）。"
    assert rows.asked == []


@pytest.mark.django_db
def test_a_lost_insert_race_is_a_conflict_and_the_transaction_goes_on():
    Counter.objects.create(scope="idempotency-test")
    with transaction.atomic():
        with pytest.raises(Conflict) as raised, idempotency.first_insert(prefix="case"):
            Counter.objects.create(scope="idempotency-test")
        assert raised.value.code == "case.idempotency_race"
        assert raised.value.message == "同一 Idempotency-Key 的申请正在处理，请稍后查询。"
        # Only the insert's savepoint rolled back: the caller's transaction is usable.
        assert Counter.objects.filter(scope="idempotency-test").count() == 1
    with idempotency.first_insert(prefix="case"):
        Counter.objects.create(scope="idempotency-test-2")
    assert Counter.objects.filter(scope="idempotency-test-2").exists()


def test_a_lost_race_is_asked_again_once():
    calls: list[int] = []

    def submit() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise Conflict("…", code="bundle.idempotency_race")
        return "the winner's row"

    assert idempotency.retried_on_race(submit, prefix="bundle") == "the winner's row"
    assert len(calls) == 2


def test_other_conflicts_and_other_races_are_not_retried():
    def submit(code: str) -> Any:
        def call() -> Any:
            calls.append(code)
            raise Conflict("…", code=code)
        return call

    for code in ("bundle.closed", "case.idempotency_race"):
        calls: list[str] = []
        with pytest.raises(Conflict):
            idempotency.retried_on_race(submit(code), prefix="bundle")
        assert calls == [code]
