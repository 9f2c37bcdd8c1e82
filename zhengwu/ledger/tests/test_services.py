"""The log in the database against the same log in memory: every root, inclusion and
consistency proof `services` reads from the stored nodes (nodes_get) equals ledger.merkle's."""

from __future__ import annotations

import pytest

from zhengwu.ledger import merkle, services
from zhengwu.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_proofs_from_the_database_equal_the_merkle_log() -> None:
    for i in range(37):
        services.ledger_append(kind="credit.event", data={"seq": i, "名称": "测试"})
    log = merkle.MerkleLog()
    for row in LedgerEntry.objects.order_by("index"):
        log.append(bytes(row.entry))
    assert services.size() == log.size == 37
    for size in range(1, 38):
        assert services.root(size) == log.root(size)
        for index in range(size):
            assert services.inclusion(index, size).proof == log.inclusion_proof(index, size)
        for first in range(size + 1):
            assert services.consistency(first, size) == log.consistency_proof(first, size)
    assert services.nodes_get([]) == {}
    assert services.nodes_get([(0, 0), (0, 0), (9, 9)]) == {(0, 0): log.nodes[(0, 0)]}
