"""Concurrent appends (issue 15 §2): each takes its index from the one UPDATE … RETURNING on
the head row, so callers racing in their own transactions get distinct consecutive indices and
the stored tree is the RFC 9162 tree of the entries in index order (on SQLite in `make test`,
on PostgreSQL in CI, where the row lock is what serialises them)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, transaction

from zhengwu.ledger import merkle, services
from zhengwu.ledger.models import LedgerEntry


@pytest.mark.django_db(transaction=True)
def test_racing_appends_get_distinct_consecutive_indices_and_one_tree() -> None:
    before = services.size()
    count = 16
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.ledger_append(kind="test.race", data={"n": n})
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert services.size() == before + count
    rows = list(LedgerEntry.objects.filter(index__gte=before).order_by("index"))
    assert [row.index for row in rows] == list(range(before, before + count))
    assert sorted(json.loads(bytes(r.entry))["data"]["n"] for r in rows) \
        == list(range(count))
    # The stored nodes give the root of the entries as they stand, in index order.
    everything = [bytes(r.entry) for r in LedgerEntry.objects.order_by("index")]
    log = merkle.MerkleLog()
    for content in everything:
        log.append(content)
    assert services.root(services.size()) == log.root(services.size())
